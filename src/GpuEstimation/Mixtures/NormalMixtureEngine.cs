using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Mixtures;

/// <summary>
/// The exact log-likelihood of a one-column mixture of normal components and its gradient on any backend, from one
/// statistics pass (<see cref="NormalMixtureStatistics"/>): with Sₘ = Σᵢ rᵢₖ zᵢᵐ (z = x − μₖ),
/// ∂/∂wⱼ = S₀ⱼ/wⱼ − S₀_K/w_K, ∂/∂μₖ = S₁/σₖ², ∂/∂σₖ = S₂/σₖ³ − S₀/σₖ, which is
/// the generic model's gradient (Σ rₖ ∂ log fₖ) summed in another order. The finish of a normal mixture makes dozens of
/// such evaluations. Sweeps, pointwise densities and score products go to the generic engine, made at the first of them.
/// </summary>
internal sealed class NormalMixtureEngine : ILikelihoodEngine
{
    private readonly MixtureSpec _spec;
    private readonly NormalMixtureStatistics _statistics;
    private readonly double[] _sums;
    // Made on first use (another copy of the data on a device): a fit asks only for values and gradients.
    private LikelihoodEngine<MixtureModel>? _generic;

    private NormalMixtureEngine(MixtureSpec spec, ComputeDevice device, NormalMixtureStatistics statistics)
    {
        _spec = spec;
        _statistics = statistics;
        Device = device;
        _sums = new double[MixtureModel.StatisticsPerComponent * spec.Components];
    }

    /// <summary>The engine for <paramref name="spec"/> where every component is normal; else null.</summary>
    public static ILikelihoodEngine? For(MixtureSpec spec, ComputeDevice device) =>
        NormalMixtureStatistics.For(spec, device) is { } statistics ? new NormalMixtureEngine(spec, device, statistics) : null;

    public int ParameterCount => _spec.Model.ParameterCount;

    public int Rows => _spec.X.Length;

    public ComputeDevice Device { get; }

    /// <inheritdoc/>
    public (int Streamed, int Count) RowBlocks => _statistics.RowBlocks;

    private LikelihoodEngine<MixtureModel> Generic => _generic ??= new LikelihoodEngine<MixtureModel>(Device, _spec.Model, _spec.Columns, MixtureSpec.ModelName);

    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        var point = parameters.ToArray();
        double value = _statistics.Evaluate(point, _sums);
        int k = _spec.Components;
        var weights = MixtureEstimator.Weights(_spec, point);
        double last = _sums[MixtureModel.StatisticsPerComponent * (k - 1)] / weights[k - 1];
        for (int j = 0; j < k - 1; j++)
            gradient[j] = _sums[MixtureModel.StatisticsPerComponent * j] / weights[j] - last;
        for (int c = 0; c < k; c++)
        {
            int at = _spec.Model.FirstParameter(c);
            // Centred on μₖ (the uncentred S₂ − 2d S₁ + d² S₀ lost digits as (d/σ)²: σ 3.7·10⁻⁴ off, "converged", for
            // two clusters 1.9·10⁶ of their σ apart; a hunt).
            double s0 = _sums[3 * c], s1 = _sums[3 * c + 1], s2 = _sums[3 * c + 2];
            double inverse = 1 / point[at + 1];
            gradient[at] = s1 * inverse * inverse;
            gradient[at + 1] = s2 * inverse * inverse * inverse - s0 * inverse;
        }
        return value;
    }

    public double[] LogLikelihoods(IReadOnlyList<double[]> points) => Generic.LogLikelihoods(points);

    public int SweepPointsAtOnce => Generic.SweepPointsAtOnce;

    public double[] LogDensities(ReadOnlySpan<double> parameters) => Generic.LogDensities(parameters);

    public double[,] ScoreProducts(ReadOnlySpan<double> parameters) => Generic.ScoreProducts(parameters);

    public double[,] ClusterScoreProducts(ReadOnlySpan<double> parameters, IReadOnlyList<int> clusters, int clusterCount) =>
        Generic.ClusterScoreProducts(parameters, clusters, clusterCount);

    public void Dispose()
    {
        _statistics.Dispose();
        _generic?.Dispose();
    }
}
