using GpuEstimation.Backends;

namespace GpuEstimation.Engine;

/// <summary>
/// A likelihood engine seen without its model type: one model's log-likelihood over one dataset on one device, so
/// that estimation code can hold any engine. Implemented by <see cref="LikelihoodEngine{TModel}"/>.
/// </summary>
public interface ILikelihoodEngine : IDisposable
{
    /// <summary>The number of parameters, P.</summary>
    int ParameterCount { get; }

    /// <summary>The number of observations.</summary>
    int Rows { get; }

    /// <summary>The device that runs the evaluations.</summary>
    ComputeDevice Device { get; }

    /// <summary>The data's row blocks streamed through the device because they do not fit there, and all of them (none by default).</summary>
    (int Streamed, int Count) RowBlocks => (0, 0);

    /// <summary>
    /// The total log-likelihood at <paramref name="parameters"/> (natural scale, P values); its gradient is written to
    /// <paramref name="gradient"/> (room for P values).
    /// </summary>
    double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);

    /// <summary>Whether <see cref="EvaluateHessian"/> is offered (a model whose log-density depends on its coefficients through a linear predictor).</summary>
    bool HasExactHessian => false;

    /// <summary>
    /// The total log-likelihood at <paramref name="parameters"/> (natural scale), its gradient and its exact Hessian
    /// (P×P, row-major), from one pass over the data; only where <see cref="HasExactHessian"/>.
    /// </summary>
    double EvaluateHessian(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian) =>
        throw new NotSupportedException("this engine has no exact Hessian");

    /// <summary>
    /// Where the model's coefficients are not the coordinates its Hessian is summed in (centred features,
    /// <see cref="Kernels.ILinearPredictorModel{TSelf}.DesignMap"/>): that Hessian at <paramref name="parameters"/>,
    /// the map and the gradient, from the last <see cref="EvaluateHessian"/>'s sums where it was at these parameters,
    /// else from one pass; null for any other model.
    /// </summary>
    HessianInDesign? DesignHessian(ReadOnlySpan<double> parameters) => null;

    /// <summary>
    /// C (P×P, row-major) of the map γ = C θ from the parameters to the design's coordinates its Hessian is summed in
    /// (centred features: the intercept's row holds the features' means), where the model has one; else null.
    /// </summary>
    double[]? DesignMap => null;

    /// <summary>
    /// The normal equations of least squares, where the model is a nonlinear regression
    /// (<see cref="Kernels.Models.NonlinearRegressionModel{TMean}"/>), for the Levenberg–Marquardt search; else null.
    /// </summary>
    ILeastSquares? LeastSquares => null;

    /// <summary>The log-likelihood at each of <paramref name="points"/> (natural-scale parameter vectors of P values).</summary>
    double[] LogLikelihoods(IReadOnlyList<double[]> points);

    /// <summary>
    /// The fewest points a <see cref="LogLikelihoods"/> call should hold for the device to work at its rate: on a GPU,
    /// enough points that a point's thread per data chunk fills it (hundreds of points over 10⁷ rows); 1 where any
    /// number does. A sweep's tiles hold at least this many.
    /// </summary>
    int SweepPointsAtOnce => 1;

    /// <summary>The log-density of each observation at <paramref name="parameters"/> (natural scale).</summary>
    double[] LogDensities(ReadOnlySpan<double> parameters);

    /// <summary>
    /// Σᵢ sᵢ sᵢᵀ, the sum over observations of the outer product of each one's score sᵢ (the gradient of its
    /// log-density, natural scale) at <paramref name="parameters"/>: the "meat" of the robust (sandwich) covariance, P×P.
    /// </summary>
    double[,] ScoreProducts(ReadOnlySpan<double> parameters);

    /// <summary>
    /// Σ_g S_g S_gᵀ, where S_g sums the scores of the observations in cluster g: the meat of the cluster-robust
    /// covariance, P×P. <paramref name="clusters"/> gives each observation's cluster, 0 … <paramref name="clusterCount"/> − 1;
    /// the sums are added in row order, so the result does not depend on the backend's scheduling.
    /// </summary>
    double[,] ClusterScoreProducts(ReadOnlySpan<double> parameters, IReadOnlyList<int> clusters, int clusterCount);

    /// <summary>
    /// <see cref="ScoreProducts"/> (or, given <paramref name="clusters"/>, <see cref="ClusterScoreProducts"/>) as L R Lᵀ:
    /// L a linear map, R products of the terms the engine sums. A GLM's terms are over its centred features, so a
    /// sandwich formed as (B L) R (B L)ᵀ keeps the digits that B (L R Lᵀ) B loses where a feature's mean dwarfs its
    /// spread (~m²·10⁻¹⁶ relative for a mean m; m·10⁻¹⁶ this way). By default L is the identity.
    /// </summary>
    (double[,] L, double[,] R) ScoreProductFactors(ReadOnlySpan<double> parameters, IReadOnlyList<int>? clusters = null, int clusterCount = 0)
    {
        var r = clusters is null ? ScoreProducts(parameters) : ClusterScoreProducts(parameters, clusters, clusterCount);
        int p = r.GetLength(0);
        var identity = new double[p, p];
        for (int i = 0; i < p; i++)
            identity[i, i] = 1;
        return (identity, r);
    }

    /// <summary>
    /// Σᵢ cᵢ sᵢ sᵢᵀ, each observation's score outer product times its <paramref name="rowWeights"/>[i] (HC2 and HC3:
    /// 1/(1 − hᵢ) and 1/(1 − hᵢ)²), as <see cref="ScoreProductFactors"/>'s L R Lᵀ, the rows added in order.
    /// </summary>
    (double[,] L, double[,] R) WeightedScoreProductFactors(ReadOnlySpan<double> parameters, IReadOnlyList<double> rowWeights) =>
        throw new NotSupportedException("this engine does not weight its rows' score products");
}

/// <summary>
/// A Hessian in the design's coordinates γ = C θ (<see cref="ILikelihoodEngine.DesignHessian"/>): <see cref="Hessian"/>
/// (P×P, row-major, in γ), <see cref="Map"/> C (P×P, row-major, rows γ, columns θ), the gradient in θ, and the passes
/// over the data it took (0 where the last Hessian pass was at the same point).
/// </summary>
public sealed record HessianInDesign(double[] Hessian, double[] Map, double[] Gradient, int Passes);
