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
        return Pack<TVec>(scratch);
    }

    /// <summary>The arguments a nonlinear regression's mean <typeparamref name="TMean"/> prepares for <paramref name="theta"/>; <paramref name="scratch"/> has the vector's capacity.</summary>
    public static TVec OfMean<TMean, TVec>(in TMean mean, ReadOnlySpan<double> theta, double[] scratch)
        where TMean : unmanaged, IMeanFunction<TMean>
        where TVec : unmanaged, ITermVector<TVec>
    {
        Array.Clear(scratch);
        TMean.Prepare(mean, theta, scratch);
        return Pack<TVec>(scratch);
    }

    // The prepared values, one per slot of the term vector.
    private static TVec Pack<TVec>(double[] values)
        where TVec : unmanaged, ITermVector<TVec>
    {
        var arguments = default(TVec);
        for (int k = 0; k < values.Length; k++)
            arguments.Set(k, values[k]);
        return arguments;
    }
}
