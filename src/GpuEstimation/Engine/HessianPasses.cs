using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// Creates an evaluator's Hessian pass where the model type is an <see cref="ILinearPredictorModel{TSelf}"/>, and
/// none otherwise. The engine is generic over any <see cref="ILikelihoodModel{TSelf}"/>, so the pass, whose kernel
/// needs the narrower constraint, is made for the model type once here, when the engine is built.
/// </summary>
internal static class HessianPasses
{
    /// <summary>The native pass over the evaluator's host copy of the data, or null.</summary>
    public static IHessianPass? Native<TModel, TVec>(LikelihoodEngine<TModel> owner, nint data, ParallelOptions parallel, int chunks)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec> =>
        IsLinearPredictor<TModel>()
            ? (IHessianPass)Activator.CreateInstance(typeof(NativeHessianPass<,>).MakeGenericType(typeof(TModel), typeof(TVec)), owner, data, parallel, chunks)!
            : null;

    /// <summary>The kernel pass over the evaluator's device data, launched with its configuration, or null.</summary>
    public static IHessianPass? Kernel<TModel, TVec, TSum>(LikelihoodEngine<TModel> owner, ArrayView<double> data, KernelConfig config)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum
    {
        if (!IsLinearPredictor<TModel>())
            return null;
        try
        {
            return (IHessianPass)Activator.CreateInstance(
                typeof(KernelHessianPass<,,>).MakeGenericType(typeof(TModel), typeof(TVec), typeof(TSum)), owner, data, config)!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is KernelException inner)
        {
            throw inner;
        }
    }

    private static bool IsLinearPredictor<TModel>() where TModel : unmanaged, ILikelihoodModel<TModel> =>
        typeof(TModel).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILinearPredictorModel<>));
}
