using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>What both evaluators share: the model's arguments for a point, and the ordered sum of partials.</summary>
internal abstract class Evaluator<TModel, TVec> : IEvaluator
    where TModel : unmanaged, ILikelihoodModel<TModel>
    where TVec : unmanaged, ITermVector<TVec>
{
    private readonly double[] _arguments = new double[TVec.Capacity];

    protected Evaluator(LikelihoodEngine<TModel> owner)
    {
        Owner = owner;
        Terms = owner.ParameterCount + 1;
    }

    protected LikelihoodEngine<TModel> Owner { get; }

    /// <summary>P + 1: the log-density and one gradient term per parameter.</summary>
    protected int Terms { get; }

    public abstract double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);

    public abstract void Pointwise(ReadOnlySpan<double> parameters, double[] output);

    public abstract void Sweep(IReadOnlyList<double[]> points, double[] output);

    /// <summary>The value, gradient and Hessian in one pass, where the model is a linear-predictor model; else null.</summary>
    public IHessianPass? Hessian { get; protected init; }

    public abstract void Dispose();

    protected TVec Arguments(ReadOnlySpan<double> parameters) => ModelArguments.Of<TModel, TVec>(Owner.Model, parameters, _arguments);

    /// <summary>Sums the partials in their fixed order (group or chunk 0, 1, 2, ...), so the result does not depend on scheduling.</summary>
    protected double Reduce(ReadOnlySpan<double> parameters, ReadOnlySpan<double> partials, Span<double> gradient)
    {
        double value = 0;
        gradient.Clear();
        for (int offset = 0; offset < partials.Length; offset += Terms)
        {
            value += partials[offset];
            for (int k = 1; k < Terms; k++)
                gradient[k - 1] += partials[offset + k];
        }
        TModel.Finish(Owner.Model, parameters, gradient);
        return value;
    }
}
