using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Nonlinear regression with Gaussian noise over columns (y, the mean's predictors), parameters (θ₀ … θ_{P−1}, σ):
/// <c>log f(y | row) = −log σ − ½ log 2π − ½ ((y − μ(row; θ))/σ)²</c>, μ a <typeparamref name="TMean"/> with its exact
/// gradient. R: <c>nls(y ~ μ(x, θ))</c> (same θ; σ here is the MLE, √(RSS/n)).
/// Support: y real; σ &gt; 0.
/// </summary>
/// <remarks>
/// The maximum in θ does not depend on σ: it is the least-squares fit, which the engine finds with
/// <see cref="LeastSquaresKernels.NormalEquationsKernel"/> (Levenberg–Marquardt) rather than with the generic search.
/// </remarks>
public readonly struct NonlinearRegressionModel<TMean> : ILikelihoodModel<NonlinearRegressionModel<TMean>>
    where TMean : unmanaged, IMeanFunction<TMean>
{
    /// <summary>The model over mean <paramref name="mean"/>.</summary>
    public NonlinearRegressionModel(TMean mean)
    {
        Mean = mean;
        MeanParameters = mean.ParameterCount;
        MeanArguments = TMean.ArgumentCount(mean);
    }

    /// <summary>The mean function.</summary>
    public TMean Mean { get; }

    /// <summary>The mean's parameter count, P (σ is parameter P).</summary>
    public int MeanParameters { get; }

    /// <summary>How many arguments the mean's Prepare writes; σ's follow them.</summary>
    public int MeanArguments { get; }

    /// <inheritdoc/>
    public int ParameterCount => MeanParameters + 1;

    /// <inheritdoc/>
    public int ColumnCount => Mean.ColumnCount + 1;

    /// <inheritdoc/>
    public static int ArgumentCount(in NonlinearRegressionModel<TMean> model) => model.MeanArguments + 2;

    /// <summary>Arguments: the mean's, then 1/σ and −log σ − ½ log 2π.</summary>
    public static void Prepare(in NonlinearRegressionModel<TMean> model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        int p = model.MeanParameters, a = model.MeanArguments;
        TMean.Prepare(model.Mean, parameters[..p], arguments[..a]);
        double sigma = parameters[p];
        arguments[a] = 1.0 / sigma;
        arguments[a + 1] = -DeviceMath.Log(sigma) - KernelConstants.HalfLogTwoPi;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in NonlinearRegressionModel<TMean> model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        int p = model.MeanParameters, a = model.MeanArguments;
        var gradient = default(TVec);
        double mean = TMean.Evaluate(model.Mean, arguments, data, 1, row, ref gradient);
        double inverseSigma = arguments.Get(a);
        double z = (data[0, row] - mean) * inverseSigma;
        double zz = z * z;
        double w = z * inverseSigma;
        terms.Add(0, arguments.Get(a + 1) - 0.5 * zz);
        for (int k = 0; k < p; k++)
            terms.Add(1 + k, w * gradient.Get(k));
        terms.Add(p + 1, (zz - 1.0) * inverseSigma);
    }
}
