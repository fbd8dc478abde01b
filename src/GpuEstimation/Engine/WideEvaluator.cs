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
    private readonly HessianLayout _layout;
    private readonly LinearArguments<TModel> _arguments;
    private readonly IReadOnlyList<double[]> _columns;
    private readonly double[] _values;
    private readonly int[] _valueOnly;

    /// <param name="owner">The engine.</param>
    /// <param name="sums">The backend's sums; owned (disposed here).</param>
    /// <param name="columns">The engine's columns, kept for the design values of per-row scores.</param>
    public WideEvaluator(LikelihoodEngine<TModel> owner, ILinearSums sums, IReadOnlyList<double[]> columns) : base(owner)
    {
        var model = owner.Model;
        _sums = sums;
        _columns = columns;
        _layout = new HessianLayout(model.DesignWidth, model.ExtraParameters);
        _arguments = new LinearArguments<TModel>(model);
        _values = new double[_layout.Entries.Length];
        _valueOnly = [_layout.Entries[0]];
        Hessian = new LinearHessianPass<TModel>(model, sums);
    }

    public override (int Streamed, int Count) RowBlocks => _sums.RowBlocks;

    public override double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        var entries = _layout.FirstOrder;
        Sum(parameters, LinearSumMode.Curvature, entries);
        // FirstOrder: the value, then the gradient in the design's coordinates (and α's).
        for (int k = 1; k < entries.Length; k++)
            gradient[k - 1] = _values[k];
        TModel.Finish(Owner.Model, parameters, gradient);
        return _values[0];
    }

    public override void Pointwise(ReadOnlySpan<double> parameters, double[] output)
    {
        _arguments.Prepare(parameters);
        _sums.Rows(_arguments.Coefficients, _arguments.Own, HessianEntry.Value, 0, output.Length, output);
    }

    public override void Sweep(IReadOnlyList<double[]> points, double[] output)
    {
        for (int p = 0; p < points.Count; p++)
        {
            Sum(points[p], LinearSumMode.Curvature, _valueOnly);
            output[p] = _values[0];
        }
    }

    protected override void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle)
    {
        var entries = _layout.SecondOrder;
        Sum(parameters, LinearSumMode.ScoreProducts, entries);
        // The raw terms are the design values' (D of them) and then α's: entry (a, b) of the P×P triangle, row by row.
        int p = _layout.Parameters;
        for (int e = 0; e < entries.Length; e++)
        {
            int a = HessianEntry.A(entries[e]), b = HessianEntry.B(entries[e]);
            triangle[a * p - a * (a - 1) / 2 + (b - a)] = _values[e];
        }
    }

    protected override void Scores(ReadOnlySpan<double> parameters, long first, int count, double[] output)
    {
        var model = Owner.Model;
        int d = _layout.Width, p = _layout.Parameters;
        var eta = new double[count];
        _arguments.Prepare(parameters);
        _sums.Rows(_arguments.Coefficients, _arguments.Own, HessianEntry.Eta, first, count, eta);
        for (int j = 0; j < d; j++)
        {
            int column = model.DesignColumn(j);
            var values = column < 0 ? null : _columns[column];
            for (int i = 0; i < count; i++)
                output[(long)i * p + j] = eta[i] * (values is null ? 1.0 : values[first + i]);
        }
        if (_layout.Extra == 1)
        {
            _sums.Rows(_arguments.Coefficients, _arguments.Own, HessianEntry.Extra, first, count, eta);
            for (int i = 0; i < count; i++)
                output[(long)i * p + d] = eta[i];
        }
    }

    private void Sum(ReadOnlySpan<double> parameters, LinearSumMode mode, int[] entries)
    {
        _arguments.Prepare(parameters);
        _sums.Sum(_arguments.Coefficients, _arguments.Own, mode, entries, _values);
    }

    public override void Dispose() => _sums.Dispose();
}
