using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>What the derivative slots of a <see cref="ILinearSums.Sum"/> hold.</summary>
internal enum LinearSumMode
{
    /// <summary>The row's derivatives in (η, α), as the model gives them.</summary>
    Curvature,

    /// <summary>The second-order slots hold the score products (<see cref="RowCurvature.ScoreProducts"/>).</summary>
    ScoreProducts,
}

/// <summary>
/// The one primitive of a linear-predictor model's passes that a backend supplies: sums Σ rows derivative · z_a · z_b
/// for a list of <see cref="HessianEntry"/> entries (index D, one past the design, is the constant 1), at the
/// coefficients γ (any number: they live in memory, not in a term vector) and the model's own arguments, in a fixed
/// order. Value, gradient, Hessian and score products are each a list of entries (<see cref="HessianLayout"/>).
/// </summary>
internal interface ILinearSums : IDisposable
{
    /// <summary>The sums of <paramref name="entries"/> into <paramref name="sums"/> (at least as long).</summary>
    void Sum(ReadOnlySpan<double> coefficients, Vec4 own, LinearSumMode mode, int[] entries, double[] sums);

    /// <summary>Row blocks of the data streamed through the device, and all of them (none on the native backend).</summary>
    (int Streamed, int Count) RowBlocks => (0, 0);

    /// <summary>Derivative <paramref name="kind"/> (<see cref="HessianEntry"/>) of rows [first, first + count), into <paramref name="output"/>.</summary>
    void Rows(ReadOnlySpan<double> coefficients, Vec4 own, int kind, long first, int count, double[] output);
}

/// <summary>A linear-predictor model's arguments for a parameter vector, as <see cref="ILinearSums"/> takes them.</summary>
internal sealed class LinearArguments<TModel> where TModel : unmanaged, ILinearPredictorModel<TModel>
{
    private readonly TModel _model;
    private readonly double[] _arguments;

    public LinearArguments(TModel model)
    {
        _model = model;
        _arguments = new double[Math.Max(RowCurvature.OwnArguments, TModel.ArgumentCount(model))];
        Coefficients = new double[model.DesignWidth];
    }

    /// <summary>γⱼ in design order, after <see cref="Prepare"/>.</summary>
    public double[] Coefficients { get; }

    /// <summary>The model's own arguments, after <see cref="Prepare"/>.</summary>
    public Vec4 Own { get; private set; }

    /// <summary>Runs the model's Prepare for <paramref name="parameters"/> and splits its arguments.</summary>
    public void Prepare(ReadOnlySpan<double> parameters)
    {
        Array.Clear(_arguments);
        TModel.Prepare(_model, parameters, _arguments);
        var own = default(Vec4);
        for (int k = 0; k < RowCurvature.OwnArguments; k++)
            own.Set(k, _arguments[k]);
        Own = own;
        for (int j = 0; j < Coefficients.Length; j++)
            Coefficients[j] = _arguments[_model.DesignArgument(j)];
    }
}

/// <summary>
/// A linear-predictor model's value and gradient alone from its <see cref="ILinearSums"/>: the first-order sums of
/// <see cref="HessianLayout"/>, the Hessian pass's own first entries, so at any point the same bits as that pass's value
/// and gradient.
/// </summary>
internal interface ILinearGradient
{
    /// <summary>D, the design values per row (1 for a family's constant design).</summary>
    int DesignWidth { get; }

    /// <summary>The log-likelihood at <paramref name="parameters"/>; the gradient (P) into <paramref name="gradient"/>.</summary>
    double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);

    /// <summary>The log-likelihood alone at <paramref name="parameters"/> (a sweep's point): the value sum of the same pass.</summary>
    double Value(ReadOnlySpan<double> parameters);
}

/// <summary>
/// A linear-predictor model's score passes from its <see cref="ILinearSums"/> (the robust covariance's meat and the
/// per-row scores of clustered errors), as <see cref="Evaluator{TModel, TVec}"/>'s protected passes take them: the
/// raw terms' triangle and rows, before the model's <c>Finish</c>.
/// </summary>
internal interface ILinearScores
{
    /// <summary>The upper triangle of Σ sᵢ sᵢᵀ over the P raw terms, row by row.</summary>
    void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle);

    /// <summary>Rows [first, first + count)'s raw scores, P per row.</summary>
    void Scores(ReadOnlySpan<double> parameters, long first, int count, double[] output);
}

/// <summary>
/// The value, gradient and Hessian of a linear-predictor model from a backend's <see cref="ILinearSums"/>: the
/// native backend's pass at every width, and every backend's for wide designs; on an accelerator also the score
/// passes (<see cref="ILinearScores"/>), from the same sums.
/// </summary>
internal sealed class LinearHessianPass<TModel> : IHessianPass, ILinearGradient, ILinearScores where TModel : unmanaged, ILinearPredictorModel<TModel>
{
    private readonly TModel _model;
    private readonly ILinearSums _sums;
    private readonly HessianLayout _layout;
    private readonly LinearArguments<TModel> _arguments;
    private readonly IReadOnlyList<ReadOnlyMemory<double>> _columns;
    private readonly double[] _values;
    private readonly int[] _valueOnly;

    /// <param name="model">The model.</param>
    /// <param name="sums">The backend's sums (not disposed here).</param>
    /// <param name="columns">The engine's columns, for the design values of per-row scores.</param>
    public LinearHessianPass(TModel model, ILinearSums sums, IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        _model = model;
        _sums = sums;
        _columns = columns;
        _layout = new HessianLayout(model.DesignWidth, model.ExtraParameters);
        _arguments = new LinearArguments<TModel>(model);
        _values = new double[_layout.Entries.Length];
        _valueOnly = [_layout.Entries[0]];
        DesignMap = DesignCoordinates.MapOf(model);
    }

    public double[]? DesignMap { get; }

    /// <summary>The sums' layout.</summary>
    public HessianLayout Layout => _layout;

    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian)
    {
        Sum(parameters, LinearSumMode.Curvature, _layout.Entries);
        double value = _layout.Assemble(_values, gradient, hessian);
        TModel.Finish(_model, parameters, gradient);
        return value;
    }

    public int DesignWidth => _layout.Width;

    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        var entries = _layout.FirstOrder;
        Sum(parameters, LinearSumMode.Curvature, entries);
        // FirstOrder: the value, then the gradient in the design's coordinates (and α's).
        for (int k = 1; k < entries.Length; k++)
            gradient[k - 1] = _values[k];
        TModel.Finish(_model, parameters, gradient);
        return _values[0];
    }

    public double Value(ReadOnlySpan<double> parameters)
    {
        Sum(parameters, LinearSumMode.Curvature, _valueOnly);
        return _values[0];
    }

    /// <summary>The sums of <paramref name="entries"/> at <paramref name="parameters"/>, into <see cref="Values"/>.</summary>
    public void Sum(ReadOnlySpan<double> parameters, LinearSumMode mode, int[] entries)
    {
        _arguments.Prepare(parameters);
        _sums.Sum(_arguments.Coefficients, _arguments.Own, mode, entries, _values);
    }

    /// <summary>The last <see cref="Sum"/>'s sums, in its entries' order.</summary>
    public double[] Values => _values;

    public void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle)
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

    /// <summary>Derivative <paramref name="kind"/> (<see cref="HessianEntry"/>) of rows [first, first + count) at <paramref name="parameters"/>.</summary>
    public void Rows(ReadOnlySpan<double> parameters, int kind, long first, int count, double[] output)
    {
        _arguments.Prepare(parameters);
        _sums.Rows(_arguments.Coefficients, _arguments.Own, kind, first, count, output);
    }

    public void Scores(ReadOnlySpan<double> parameters, long first, int count, double[] output)
    {
        int d = _layout.Width, p = _layout.Parameters;
        var eta = new double[count];
        Rows(parameters, HessianEntry.Eta, first, count, eta);
        for (int j = 0; j < d; j++)
        {
            int column = _model.DesignColumn(j);
            var values = column < 0 ? default : _columns[column].Span;
            for (int i = 0; i < count; i++)
                output[(long)i * p + j] = eta[i] * (column < 0 ? 1.0 : values[(int)first + i]);
        }
        if (_layout.Extra == 1)
        {
            _sums.Rows(_arguments.Coefficients, _arguments.Own, HessianEntry.Extra, first, count, eta);
            for (int i = 0; i < count; i++)
                output[(long)i * p + d] = eta[i];
        }
    }
}
