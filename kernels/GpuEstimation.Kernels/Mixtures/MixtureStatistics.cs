using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>
/// The M-step's sums of <see cref="GaussianMixtureKernels.StatisticsKernel"/> as the body of a loop unrolled over
/// them (<see cref="IUnrolled"/>): sum e adds rₖ z_a z_b for <c>codes[first + e]</c> = (k, a, b)
/// (<see cref="GaussianMixtureRow.Code"/>), from the row's values and responsibilities in local memory, while e is
/// below the launch's count. With e a constant in each copy, every sum is its own register.
/// </summary>
public struct MixtureStatistics<TSums> : IUnrolledBody where TSums : unmanaged, ITermVector<TSums>
{
    private readonly ArrayView<int> _codes;
    private readonly int _first, _count, _dimensions;
    private readonly ArrayView<double> _x, _responsibilities;

    /// <summary>The thread's sums.</summary>
    public TSums Sums;

    /// <summary>Sums of <c>codes[first … first + count − 1]</c> over the row <paramref name="x"/> (d values) and its responsibilities.</summary>
    public MixtureStatistics(ArrayView<int> codes, int first, int count, int dimensions, ArrayView<double> x, ArrayView<double> responsibilities)
    {
        _codes = codes;
        _first = first;
        _count = count;
        _dimensions = dimensions;
        _x = x;
        _responsibilities = responsibilities;
        Sums = default;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void At(int e)
    {
        if (e >= _count)
            return;
        int code = _codes[_first + e];
        Sums.Add(e, _responsibilities[GaussianMixtureRow.Component(code)]
            * GaussianMixtureRow.Factor(_x, GaussianMixtureRow.A(code), _dimensions)
            * GaussianMixtureRow.Factor(_x, GaussianMixtureRow.B(code), _dimensions));
    }
}
