using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>
/// A linear-predictor model too wide for a term vector (more than 63 parameters; docs/design.md, "Wide designs"),
/// on any backend: every pass is a list of <see cref="HessianLayout"/> sums from the backend's
/// <see cref="ILinearSums"/>, with the coefficients in memory. Value and gradient are the first-order sums; the
/// Hessian all of them; the robust covariance's meat the second-order sums over score products; a sweep one value sum
/// per point; per-row values and scores come from the rows' derivatives.
/// </summary>
internal sealed class WideEvaluator<TModel> : Evaluator<TModel, Vec4> where TModel : unmanaged, ILinearPredictorModel<TModel>
{
    private readonly ILinearSums _sums;
    private readonly LinearHessianPass<TModel> _pass;

    /// <param name="owner">The engine.</param>
    /// <param name="sums">The backend's sums; owned (disposed here).</param>
    /// <param name="columns">The engine's columns, kept for the design values of per-row scores.</param>
    public WideEvaluator(LikelihoodEngine<TModel> owner, ILinearSums sums, IReadOnlyList<ReadOnlyMemory<double>> columns) : base(owner)
    {
        var model = owner.Model;
        _sums = sums;
        _pass = new LinearHessianPass<TModel>(model, sums, columns);
        Hessian = _pass;
    }

    public override (int Streamed, int Count) RowBlocks => _sums.RowBlocks;

    public override double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient) => _pass.Evaluate(parameters, gradient);

    public override void Pointwise(ReadOnlySpan<double> parameters, double[] output) =>
        _pass.Rows(parameters, HessianEntry.Value, 0, output.Length, output);

    public override void Sweep(IReadOnlyList<double[]> points, double[] output)
    {
        for (int p = 0; p < points.Count; p++)
            output[p] = _pass.Value(points[p]);
    }

    protected override void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle) => _pass.ScoreTriangle(parameters, triangle);

    protected override void Scores(ReadOnlySpan<double> parameters, long first, int count, double[] output) =>
        _pass.Scores(parameters, first, count, output);

    public override void Dispose() => _sums.Dispose();
}
