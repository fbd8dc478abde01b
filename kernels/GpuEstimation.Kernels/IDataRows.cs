namespace GpuEstimation.Kernels;

/// <summary>
/// Where a model's per-point code runs: read access to the dataset, <c>Columns</c> columns of <c>Rows</c> values each
/// stored column after column (so that neighbouring threads read neighbouring addresses), and the transcendental
/// functions to use there. Models are generic over it, so the same model code runs on device memory with
/// <see cref="DeviceMath"/> in the kernels (<see cref="DeviceRows"/>) and on host memory with the host's faster
/// functions where it has them in the native backend (<see cref="HostRows"/>).
/// </summary>
public interface IDataRows
{
    /// <summary>The number of observations.</summary>
    long Rows { get; }

    /// <summary>The value of column <paramref name="column"/> in row <paramref name="row"/>.</summary>
    double this[int column, long row] { get; }

    /// <summary>e^x.</summary>
    static abstract double Exp(double x);

    /// <summary>log(1 + x), accurate for small x.</summary>
    static abstract double Log1p(double x);

    /// <summary>log |Γ(x)|.</summary>
    static abstract double LogGamma(double x);

    /// <summary>ψ(x).</summary>
    static abstract double Digamma(double x);
}
