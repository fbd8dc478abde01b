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
/// The value, gradient and Hessian of a linear-predictor model from a backend's <see cref="ILinearSums"/>: the
/// native backend's pass at every width, and every backend's for wide designs.
/// </summary>
internal sealed class LinearHessianPass<TModel> : IHessianPass where TModel : unmanaged, ILinearPredictorModel<TModel>
{
    private readonly TModel _model;
    private readonly ILinearSums _sums;
    private readonly HessianLayout _layout;
    private readonly LinearArguments<TModel> _arguments;
    private readonly double[] _values;

    public LinearHessianPass(TModel model, ILinearSums sums)
    {
        _model = model;
        _sums = sums;
        _layout = new HessianLayout(model.DesignWidth, model.ExtraParameters);
        _arguments = new LinearArguments<TModel>(model);
        _values = new double[_layout.Entries.Length];
    }

    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian)
    {
        _arguments.Prepare(parameters);
        _sums.Sum(_arguments.Coefficients, _arguments.Own, LinearSumMode.Curvature, _layout.Entries, _values);
        double value = _layout.Assemble(_values, gradient, hessian);
        TModel.Finish(_model, parameters, gradient);
        TModel.FinishHessian(_model, hessian);
        return value;
    }
}
