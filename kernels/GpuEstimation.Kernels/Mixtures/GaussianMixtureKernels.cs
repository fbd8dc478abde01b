using ILGPU;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>The device side of Gaussian-mixture EM.</summary>
public static class GaussianMixtureKernels
{
    /// <summary>The most dimensions of a row the kernels hold.</summary>
    public const int MaxDimensions = 32;

    /// <summary>The most components the kernels hold.</summary>
    public const int MaxComponents = 16;

    /// <summary>
    /// One EM pass: each row's E-step (<see cref="GaussianMixtureRow.Responsibilities"/>) and the sums of the statistics
    /// <c>codes[first … first + count − 1]</c> (<see cref="GaussianMixtureRow.Code"/>: Σ rₖ z_a z_b), with the
    /// log-likelihood Σ log f(xᵢ). The shape of <c>LikelihoodKernels.ValueAndGradientKernel</c>: explicitly grouped,
    /// grid-stride loop, each thread's sums in registers (<typeparamref name="TSums"/>, at most its capacity per launch:
    /// more statistics take several launches, each re-running the E-step), reduced per group in a fixed order by
    /// <typeparamref name="TSum"/> and written as <c>partials[group · (count + 1) + e]</c>, the log-likelihood at e = 0,
    /// for the host to add in group order. The row's d values and its K responsibilities, which the statistics index by
    /// their codes, are in per-thread local memory; the sums are indexed by the loop over the statistics, unrolled
    /// (<typeparamref name="TUnroll"/>: <typeparamref name="TSums"/>' capacity, the statistics past
    /// <paramref name="count"/> skipped), so each stays in its own register on a GPU (docs/design.md, "Kernel shapes").
    /// </summary>
    public static void StatisticsKernel<TUnroll, TSums, TSum>(
        ArrayView<double> values, long rows, int dimensions, int components, int diagonal, ArrayView<double> parameters,
        ArrayView<int> codes, int first, int count, ArrayView<double> partials)
        where TUnroll : struct, IUnrolled
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var data = new DeviceRows(values, rows);
        var packed = new DeviceValues(parameters);
        bool isDiagonal = diagonal != 0;
        var x = LocalMemory.Allocate<double>(MaxDimensions);
        var r = LocalMemory.Allocate<double>(MaxComponents);
        var statistics = new MixtureStatistics<TSums>(codes, first, count, dimensions, x, r);
        double logLikelihood = 0;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long row = (long)Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
        {
            logLikelihood += GaussianMixtureRow.Responsibilities(data, row, packed, dimensions, components, isDiagonal, x, r);
            TUnroll.Run(ref statistics, 0);
        }

        WritePartials<TSums, TSum>(logLikelihood, statistics.Sums, count, partials);
    }

    /// <summary>
    /// <see cref="StatisticsKernel"/> for one dimension, diagonal, and the statistics of a mixture of normals: codes
    /// (k, 1, 1), (k, 0, 1), (k, 0, 0) for k = 0 … K − 1, in that order (Σ rₖ, Σ rₖ x, Σ rₖ x²; the host checks the list),
    /// so <paramref name="count"/> = 3K in one launch. The same operations in the same order as that kernel (the same
    /// bits on the CPU accelerator, tested; a GPU's compiler may fuse a multiply and an add differently in the two), but
    /// the components' loops are unrolled too (<typeparamref name="TUnroll"/>, at least K iterations, the
    /// ones past K skipped): every responsibility stays in a register of <typeparamref name="TK"/>, not in local memory,
    /// and each row reads no codes. The unused parameters keep the general kernel's signature, so that one pass
    /// launches either.
    /// </summary>
    public static void NormalStatisticsKernel<TUnroll, TK, TSums, TSum>(
        ArrayView<double> values, long rows, int dimensions, int components, int diagonal, ArrayView<double> parameters,
        ArrayView<int> codes, int first, int count, ArrayView<double> partials)
        where TUnroll : struct, IUnrolled
        where TK : unmanaged, ITermVector<TK>
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var row = new NormalComponents<TK, TSums>(new DeviceValues(parameters), components);
        double logLikelihood = 0;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long i = (long)Grid.IdxX * Group.DimX + Group.IdxX; i < rows; i += stride)
        {
            row.X = values[i];
            row.Largest = double.NegativeInfinity;
            row.Phase = NormalComponents<TK, TSums>.LogDensities;
            TUnroll.Run(ref row, 0);
            row.Sum = 0;
            row.Phase = NormalComponents<TK, TSums>.Terms;
            TUnroll.Run(ref row, 0);
            row.Inverse = 1.0 / row.Sum;
            row.Phase = NormalComponents<TK, TSums>.Statistics;
            TUnroll.Run(ref row, 0);
            // Sum ≥ 1 (the largest term is exactly 1), so log(sum) = log1p(sum − 1) with sum − 1 exact.
            logLikelihood += row.Largest + DeviceRows.Log1p(row.Sum - 1.0);
        }
        WritePartials<TSums, TSum>(logLikelihood, row.Sums, count, partials);
    }

    // The group's sums of the log-likelihood and each statistic: partials[group · (count + 1) + e], the log-likelihood at e = 0.
    private static void WritePartials<TSums, TSum>(double logLikelihood, in TSums sums, int count, ArrayView<double> partials)
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var shared = TSum.Shared();
        int terms = count + 1;
        double total = TSum.GroupSum(logLikelihood, shared);
        if (Group.IsFirstThread)
            partials[(long)Grid.IdxX * terms] = total;
        for (int e = 0; e < count; e++)
        {
            total = TSum.GroupSum(sums.Get(e), shared);
            if (Group.IsFirstThread)
                partials[(long)Grid.IdxX * terms + 1 + e] = total;
        }
    }
}
