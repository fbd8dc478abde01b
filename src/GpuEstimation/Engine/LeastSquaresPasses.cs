using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// Creates an evaluator's least-squares pass (<see cref="ILeastSquares"/>) where the model type is a
/// <see cref="NonlinearRegressionModel{TMean}"/>, and none otherwise: the pass is generic over the mean, which is
/// read off the model type once here, when the engine is built (as <see cref="HessianPasses"/> does for linear predictors).
/// </summary>
internal static class LeastSquaresPasses
{
    /// <summary>The native pass over the evaluator's host copy of the data, or null.</summary>
    public static ILeastSquares? Native<TModel, TVec>(LikelihoodEngine<TModel> owner, nint data, ParallelOptions parallel, int chunks)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec> =>
        MeanOf<TModel>() is { } mean
            ? (ILeastSquares)Activator.CreateInstance(typeof(NativeLeastSquaresPass<,>).MakeGenericType(mean, typeof(TVec)),
                owner.Model, owner.Rows, data, parallel, chunks)!
            : null;

    /// <summary>The kernel pass over the evaluator's row blocks (one run per device), or null.</summary>
    public static ILeastSquares? Kernel<TModel, TVec, TSum>(LikelihoodEngine<TModel> owner, KernelBlocks[] blocks)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum
    {
        if (MeanOf<TModel>() is not { } mean)
            return null;
        try
        {
            return (ILeastSquares)Activator.CreateInstance(typeof(KernelLeastSquaresPass<,,>).MakeGenericType(mean, typeof(TVec), typeof(TSum)),
                owner.Model, owner.Device, owner.ModelName, blocks)!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is KernelException or InputException)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static Type? MeanOf<TModel>() =>
        typeof(TModel).IsGenericType && typeof(TModel).GetGenericTypeDefinition() == typeof(NonlinearRegressionModel<>)
            ? typeof(TModel).GetGenericArguments()[0]
            : null;
}

/// <summary>What both least-squares passes share: the triangle of sums unpacked.</summary>
internal static class LeastSquaresSums
{
    /// <summary>The summed triangle of the augmented Gram matrix ([J r]ᵀ[J r], size P + 1) into Jᵀr, JᵀJ; returns rᵀr.</summary>
    public static double Unpack(ReadOnlySpan<double> triangle, int p, Span<double> jacobianResidual, Span<double> gram)
    {
        int e = 0;
        double rss = 0;
        for (int a = 0; a <= p; a++)
        {
            for (int b = a; b <= p; b++, e++)
            {
                if (a == p)
                    rss = triangle[e];
                else if (b == p)
                    jacobianResidual[a] = triangle[e];
                else
                    gram[a * p + b] = gram[b * p + a] = triangle[e];
            }
        }
        return rss;
    }
}
