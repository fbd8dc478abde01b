namespace GpuEstimation.Engine;

/// <summary>
/// One engine's work on one backend, behind the engine's argument checks: value and gradient, per-point
/// log-densities, and log-likelihoods at many points. The engine picks the implementation once, by backend and by the
/// term vector the model needs.
/// </summary>
internal interface IEvaluator : IDisposable
{
    /// <summary>The total log-likelihood at <paramref name="parameters"/>; the gradient goes to <paramref name="gradient"/>.</summary>
    double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);

    /// <summary>The log-density of each observation, into <paramref name="output"/> (one per row).</summary>
    void Pointwise(ReadOnlySpan<double> parameters, double[] output);

    /// <summary>The log-likelihood at each of <paramref name="points"/>, into <paramref name="output"/>.</summary>
    void Sweep(IReadOnlyList<double[]> points, double[] output);

    /// <summary>The fewest points a <see cref="Sweep"/> should hold to run at the device's rate (<see cref="ILikelihoodEngine.SweepPointsAtOnce"/>).</summary>
    int SweepPointsAtOnce { get; }

    /// <summary>
    /// Σᵢ tᵢ tᵢᵀ over the rows' raw gradient terms (before the model's Finish) at <paramref name="parameters"/>: P×P, row
    /// by row. The scores' products are L R Lᵀ, L the <see cref="FinishMap"/>.
    /// </summary>
    double[] RawScoreProducts(ReadOnlySpan<double> parameters);

    /// <summary>
    /// Σ_g S_g S_gᵀ where S_g is the sum of the raw gradient terms of the rows in cluster g (<paramref name="clusters"/>:
    /// each row's cluster, 0 … <paramref name="clusterCount"/> − 1), added in row order: P×P, row by row.
    /// </summary>
    double[] RawClusterScoreProducts(ReadOnlySpan<double> parameters, IReadOnlyList<int> clusters, int clusterCount);

    /// <summary>Σᵢ cᵢ tᵢ tᵢᵀ over the rows' raw gradient terms, row i's times <paramref name="rowWeights"/>[i], added in row order: P×P, row by row.</summary>
    double[] RawWeightedScoreProducts(ReadOnlySpan<double> parameters, IReadOnlyList<double> rowWeights);

    /// <summary>The model's Finish at <paramref name="parameters"/> as a P×P matrix L, row by row: a row's score is L times its raw terms.</summary>
    double[] FinishMap(ReadOnlySpan<double> parameters);

    /// <summary>Row blocks of the data streamed through the device because it does not fit there, and all of them.</summary>
    (int Streamed, int Count) RowBlocks { get; }

    /// <summary>The value, gradient and Hessian in one pass, where the model is a linear-predictor model; else null.</summary>
    IHessianPass? Hessian { get; }

    /// <summary>The normal equations of least squares in one pass, where the model is a nonlinear regression; else null.</summary>
    ILeastSquares? LeastSquares { get; }
}
