using ILGPU;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>The device side of Gaussian-mixture EM.</summary>
public static class GaussianMixtureKernels
{
    /// <summary>
    /// One EM pass: each row's E-step (<see cref="GaussianMixtureRow.Responsibilities"/>) and the sums of the statistics
    /// <c>codes[first … first + count − 1]</c> (<see cref="GaussianMixtureRow.Code"/>: Σ rₖ z_a z_b), with the
    /// log-likelihood Σ log f(xᵢ). The shape of <c>LikelihoodKernels.ValueAndGradientKernel</c>: explicitly grouped,
    /// grid-stride loop, each thread's sums in registers (<typeparamref name="TSums"/>, at most its capacity per launch:
    /// more statistics take several launches, each re-running the E-step), reduced per group in a fixed order by
    /// <typeparamref name="TSum"/> and written as <c>partials[group · (count + 1) + e]</c>, the log-likelihood at e = 0,
    /// for the host to add in group order. <typeparamref name="TX"/> holds the row (d values) and
    /// <typeparamref name="TK"/> the K responsibilities.
    /// </summary>
    public static void StatisticsKernel<TX, TK, TSums, TSum>(
        ArrayView<double> values, long rows, int dimensions, int components, int diagonal, ArrayView<double> parameters,
        ArrayView<int> codes, int first, int count, ArrayView<double> partials)
        where TX : unmanaged, ITermVector<TX>
        where TK : unmanaged, ITermVector<TK>
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var data = new DeviceRows(values, rows);
        var packed = new DeviceValues(parameters);
        bool isDiagonal = diagonal != 0;
        var sums = default(TSums);
        double logLikelihood = 0;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long row = (long)Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
        {
            var x = default(TX);
            var r = default(TK);
            logLikelihood += GaussianMixtureRow.Responsibilities(data, row, packed, dimensions, components, isDiagonal, ref x, ref r);
            for (int e = 0; e < count; e++)
            {
                int code = codes[first + e];
                sums.Add(e, r.Get(GaussianMixtureRow.Component(code))
                    * GaussianMixtureRow.Factor(x, GaussianMixtureRow.A(code), dimensions)
                    * GaussianMixtureRow.Factor(x, GaussianMixtureRow.B(code), dimensions));
            }
        }

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
