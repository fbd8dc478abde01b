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
    public static IHessianPass? Native<TModel>(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns, nint data, ParallelOptions parallel, int chunks)
        where TModel : unmanaged, ILikelihoodModel<TModel> =>
        IsLinearPredictor<TModel>()
            ? (IHessianPass)Activator.CreateInstance(typeof(NativeHessianPasses<>).MakeGenericType(typeof(TModel)), owner, columns, data, parallel, chunks)!
            : null;

    /// <summary>
    /// The evaluator of a model too wide for a term vector (<see cref="WideEvaluator{TModel}"/>), on the engine's
    /// backend; null where the model is not a linear-predictor model (no wide passes).
    /// </summary>
    public static IEvaluator? Wide<TModel>(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns, Type? groupSum)
        where TModel : unmanaged, ILikelihoodModel<TModel>
    {
        if (!IsLinearPredictor<TModel>())
            return null;
        try
        {
            var type = groupSum is null
                ? typeof(NativeWide<>).MakeGenericType(typeof(TModel))
                : typeof(KernelWide<,>).MakeGenericType(typeof(TModel), groupSum);
            return ((IWideFactory)Activator.CreateInstance(type)!).Create(owner, columns);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is KernelException inner)
        {
            throw inner;
        }
    }

    /// <summary>
    /// The kernel pass over the evaluator's row blocks (one run per device; borrowed, not disposed by the pass), or
    /// null. A design of at most one value (the families, a one-column GLM: at most 6 sums) takes the register kernel
    /// (<see cref="KernelHessianPass{TModel, TVec, TSum}"/>: one launch, one read of the data); a wider one
    /// <see cref="KernelLinearSums{TModel, TSum}"/>'s tiles, as wide designs do, which serve the evaluator's score passes
    /// too (<see cref="ILinearScores"/>; <paramref name="columns"/>: the engine's, for per-row scores).
    /// </summary>
    public static IHessianPass? Kernel<TModel, TVec, TSum>(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns, KernelBlocks[] blocks)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum
    {
        if (!IsLinearPredictor<TModel>())
            return null;
        try
        {
            return (IHessianPass)typeof(HessianPasses).GetMethod(nameof(KernelPass), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(typeof(TModel), typeof(TVec), typeof(TSum)).Invoke(null, [owner, columns, blocks])!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is KernelException inner)
        {
            throw inner;
        }
    }

    // Kernel's choice, made where the model type is known to be a linear-predictor model.
    private static IHessianPass KernelPass<TModel, TVec, TSum>(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns, KernelBlocks[] blocks)
        where TModel : unmanaged, ILinearPredictorModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum =>
        owner.Model.DesignWidth <= 1
            ? new KernelHessianPass<TModel, TVec, TSum>(owner, blocks)
            : new KernelHessianPasses<TModel, TSum>(owner, columns, blocks);

    private interface IWideFactory
    {
        IEvaluator Create(object owner, IReadOnlyList<ReadOnlyMemory<double>> columns);
    }

    private sealed class NativeWide<TModel> : IWideFactory where TModel : unmanaged, ILinearPredictorModel<TModel>
    {
        public IEvaluator Create(object owner, IReadOnlyList<ReadOnlyMemory<double>> columns)
        {
            var engine = (LikelihoodEngine<TModel>)owner;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = engine.Device.Threads };
            return new WideEvaluator<TModel>(engine, new NativeLinearSums<TModel>(engine.Model, columns, parallel), columns);
        }
    }

    private sealed class KernelWide<TModel, TSum> : IWideFactory
        where TModel : unmanaged, ILinearPredictorModel<TModel>
        where TSum : struct, IGroupSum
    {
        public IEvaluator Create(object owner, IReadOnlyList<ReadOnlyMemory<double>> columns)
        {
            var engine = (LikelihoodEngine<TModel>)owner;
            return new WideEvaluator<TModel>(engine, new KernelLinearSums<TModel, TSum>(engine, columns), columns);
        }
    }

    /// <summary>A <see cref="LinearHessianPass{TModel}"/> over sums of its own, released with it.</summary>
    private class OwningHessianPass<TModel> : IHessianPass, ILinearGradient, ILinearScores, IDisposable
        where TModel : unmanaged, ILinearPredictorModel<TModel>
    {
        private readonly ILinearSums _sums;
        private readonly LinearHessianPass<TModel> _pass;

        protected OwningHessianPass(TModel model, ILinearSums sums, IReadOnlyList<ReadOnlyMemory<double>> columns)
        {
            _sums = sums;
            _pass = new LinearHessianPass<TModel>(model, sums, columns);
        }

        public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian) =>
            _pass.Evaluate(parameters, gradient, hessian);

        public double[]? DesignMap => _pass.DesignMap;

        public int DesignWidth => _pass.DesignWidth;

        public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient) => _pass.Evaluate(parameters, gradient);

        public double Value(ReadOnlySpan<double> parameters) => _pass.Value(parameters);

        public void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle) => _pass.ScoreTriangle(parameters, triangle);

        public void Scores(ReadOnlySpan<double> parameters, long first, int count, double[] output) =>
            _pass.Scores(parameters, first, count, output);

        public void Dispose() => _sums.Dispose();
    }

    private sealed class NativeHessianPasses<TModel>(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns, nint data, ParallelOptions parallel, int chunks)
        : OwningHessianPass<TModel>(owner.Model, new NativeLinearSums<TModel>(owner.Model, owner.Rows, data, parallel, chunks), columns)
        where TModel : unmanaged, ILinearPredictorModel<TModel>;

    private sealed class KernelHessianPasses<TModel, TSum>(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns, KernelBlocks[] blocks)
        : OwningHessianPass<TModel>(owner.Model, new KernelLinearSums<TModel, TSum>(owner, blocks, ownsBlocks: false), columns)
        where TModel : unmanaged, ILinearPredictorModel<TModel>
        where TSum : struct, IGroupSum;

    private static bool IsLinearPredictor<TModel>() where TModel : unmanaged, ILikelihoodModel<TModel> =>
        typeof(TModel).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILinearPredictorModel<>));
}
