using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>A model's per-evaluation arguments for a parameter vector, in a term vector: what every pass hands the model.</summary>
internal static class ModelArguments
{
    /// <summary>The arguments <typeparamref name="TModel"/>'s Prepare writes for <paramref name="parameters"/>; <paramref name="scratch"/> has the vector's capacity.</summary>
    public static TVec Of<TModel, TVec>(in TModel model, ReadOnlySpan<double> parameters, double[] scratch)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
    {
        Array.Clear(scratch);
        TModel.Prepare(model, parameters, scratch);
        var arguments = default(TVec);
        for (int k = 0; k < scratch.Length; k++)
            arguments.Set(k, scratch[k]);
        return arguments;
    }
}
