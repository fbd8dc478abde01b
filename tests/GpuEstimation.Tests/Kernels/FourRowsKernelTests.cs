using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// The GPUs' kernel shapes against the ones the CPU accelerator runs, both launched here on ILGPU's CPU accelerator (the
/// engine loads the GPU ones only on a GPU or an OpenCL device): <see cref="LikelihoodKernels.ValueAndGradientFourRowsKernel"/>
/// against <see cref="LikelihoodKernels.ValueAndGradientKernel"/> (the same bits for a model that keeps
/// <see cref="ILikelihoodModel{TSelf}.AccumulateFour"/>'s default, the same sums to rounding for Student-t, whose four
/// rows share one log1p), and <see cref="LikelihoodKernels.SweepPointsKernel"/> (a point per thread) against
/// <see cref="LikelihoodKernels.SweepKernel"/> (four points per group, summed in the group), on data that reach
/// Student-t's edges.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class FourRowsKernelTests(DeviceFixture devices)
{
    private const int Groups = 3;
    private const long ChunkRows = 1000;

    public static TheoryData<string> StudentTData => new() { "t draws", "tiny deviations", "huge outliers", "asymptotic shape", "tiny shape" };

    // Value and gradient: the value to 1e-13 of itself, each derivative to 1e-13 of n + its size (a row's share is of
    // order one, or the log of a huge outlier's t, ~370; its rounding ~1e-16 of that; a lost or doubled row would be off
    // by order one).
    [Theory]
    [MemberData(nameof(StudentTData))]
    public void StudentTsFourRowsGiveTheOneRowSumsToRounding(string data)
    {
        var (x, parameters) = Case(data);
        var one = ValueAndGradient<StudentTModel>(x, parameters, fourRows: false);
        var four = ValueAndGradient<StudentTModel>(x, parameters, fourRows: true);
        Assert.True(double.IsFinite(one[0]), $"{data}: log L {one[0]}");
        Assert.True(Math.Abs(four[0] - one[0]) <= 1e-13 * Math.Abs(one[0]), $"{data}: log L {four[0]:R} against {one[0]:R}");
        for (int k = 1; k < one.Length; k++)
            Assert.True(Math.Abs(four[k] - one[k]) <= 1e-13 * (x.Length + Math.Abs(one[k])), $"{data}: term {k} {four[k]:R} against {one[k]:R}");

        // The override is what ran: the log1p of four rows at once rounds differently from four.
        if (data == "t draws")
            Assert.NotEqual(one[0], four[0]);
    }

    // The point-per-thread sweep against the group-summed one: every point's log-likelihood to 1e-13 of itself (the
    // rows added in another order), for Student-t's edges and the Normal, over more points than one group holds (the
    // last group padded with the last point).
    [Theory]
    [MemberData(nameof(StudentTData))]
    public void APointPerThreadSweepsAsTheGroupSummedKernel(string data)
    {
        var (x, parameters) = Case(data);
        var points = Points(parameters, 2 * LikelihoodKernels.SweepPointsGroupSize);
        var grouped = Sweep<StudentTModel>(x, points, pointPerThread: false);
        var perThread = Sweep<StudentTModel>(x, points, pointPerThread: true);
        for (int p = 0; p < points.Length; p++)
            Assert.True(Math.Abs(perThread[p] - grouped[p]) <= 1e-13 * Math.Abs(grouped[p]), $"{data}: point {p} {perThread[p]:R} against {grouped[p]:R}");
        double[] normal = [1.4, 2.1];
        var normalPoints = Points(normal, LikelihoodKernels.SweepPointsGroupSize);
        var normalGrouped = Sweep<NormalModel>(x.Select(v => Math.Clamp(v, -1e6, 1e6)).ToArray(), normalPoints, pointPerThread: false);
        var normalPerThread = Sweep<NormalModel>(x.Select(v => Math.Clamp(v, -1e6, 1e6)).ToArray(), normalPoints, pointPerThread: true);
        for (int p = 0; p < normalPoints.Length; p++)
            Assert.True(Math.Abs(normalPerThread[p] - normalGrouped[p]) <= 1e-13 * Math.Abs(normalGrouped[p]), $"{data}: Normal point {p}");
    }

    // A model without a four-row form of its own: the default adds the four rows in the thread's order, the same bits.
    [Fact]
    public void TheDefaultFourRowsGiveTheOneRowBits()
    {
        var random = new MersenneTwister(7);
        var x = Enumerable.Range(0, 10_003).Select(_ => Normal.Sample(random, 1.5, 2.0)).ToArray();
        double[] parameters = [1.4, 2.1];
        Assert.Equal(ValueAndGradient<NormalModel>(x, parameters, fourRows: false), ValueAndGradient<NormalModel>(x, parameters, fourRows: true));
    }

    // x and Student-t's (μ, σ, ν). Tiny deviations give t ~ 1e-18 (the path runs; their log1p's few digits are too
    // small to show in log L against these tolerances, and are tested in VectorMathTests' SumOfLog1p); huge outliers
    // (1e80, four to a thread's step) overflow the product of the (1 + t), which falls back to four logs; ν = 150 takes
    // the asymptotic form row by row. ν = 1e-100 with deviations of 1e-90 puts each ν + z² near 1e-100 (weights ~1e100;
    // a reciprocal shared by four rows, tried on 2026-11-30, overflows there: 1/(ab·cd) of four values ~1e-100).
    private static (double[] X, double[] Parameters) Case(string data)
    {
        var random = new MersenneTwister(11);
        const int n = 10_003;
        return data switch
        {
            "t draws" => (Draws(random, n, 4), [1.4, 2.1, 3.5]),
            "tiny deviations" => (Enumerable.Range(0, n).Select(_ => 1.5 + 1e-9 * Normal.Sample(random, 0, 1)).ToArray(), [1.5, 1.0, 4.0]),
            "huge outliers" => (Enumerable.Range(0, n).Select(i => i % 3 == 0 ? (i % 2 == 0 ? 1e80 : -1e80) : StudentT.Sample(random, 1.5, 2.0, 4)).ToArray(), [1.4, 2.1, 3.5]),
            "asymptotic shape" => (Draws(random, n, 150), [1.4, 2.1, 150.0]),
            "tiny shape" => (Enumerable.Range(0, n).Select(_ => 1.5 + 1e-90 * Normal.Sample(random, 0, 1)).ToArray(), [1.5, 1.0, 1e-100]),
            _ => throw new ArgumentException(data),
        };
    }

    private static double[] Draws(Random random, int n, double nu) =>
        Enumerable.Range(0, n).Select(_ => StudentT.Sample(random, 1.5, 2.0, nu)).ToArray();

    // Points around the parameters, a whole number of groups of either sweep kernel.
    private static double[][] Points(double[] parameters, int count) =>
        Enumerable.Range(0, count)
            .Select(p => parameters.Select((v, k) => k == 0 ? v + 0.01 * p : v * (1 + 0.005 * p)).ToArray()).ToArray();

    private double[] ValueAndGradient<TModel>(double[] x, double[] parameters, bool fourRows)
        where TModel : unmanaged, IDistribution<TModel>
    {
        var accelerator = devices.Cpu.Accelerator;
        int terms = TModel.Parameters.Count + 1;
        var kernel = accelerator.LoadStreamKernel<ArrayView<double>, long, long, int, int, TModel, Twice<Vec4>, int, ArrayView<double>>(fourRows
            ? LikelihoodKernels.ValueAndGradientFourRowsKernel<TModel, Twice<Vec4>, WarpShuffleSum>
            : LikelihoodKernels.ValueAndGradientKernel<TModel, Twice<Vec4>, WarpShuffleSum>);
        int groupSize = devices.Cpu.GroupSize;
        using var values = accelerator.Allocate1D(x);
        using var partials = accelerator.Allocate1D<double>(Groups * terms);
        var shared = SharedMemoryConfig.RequestDynamic<double>(WarpShuffleSum.DynamicDoubles(groupSize, accelerator.WarpSize));
        kernel(new KernelConfig(Groups, groupSize, shared), values.View, x.Length, x.Length, 1, Groups, default, Arguments<TModel>(parameters), terms, partials.View);
        accelerator.Synchronize();
        var host = partials.GetAsArray1D();
        var sums = new double[terms];
        for (int g = 0; g < Groups; g++)
        {
            for (int k = 0; k < terms; k++)
                sums[k] += host[g * terms + k];
        }
        return sums;
    }

    private double[] Sweep<TModel>(double[] x, double[][] points, bool pointPerThread)
        where TModel : unmanaged, IDistribution<TModel>
    {
        var accelerator = devices.Cpu.Accelerator;
        var kernel = accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, ArrayView<ValueOnly<Twice<Vec4>>>, long, long, long, ArrayView<double>>(pointPerThread
            ? LikelihoodKernels.SweepPointsKernel<TModel, ValueOnly<Twice<Vec4>>>
            : LikelihoodKernels.SweepKernel<TModel, ValueOnly<Twice<Vec4>>, WarpShuffleSum>);
        // The point-per-thread kernel takes any group size: here the CPU accelerator's largest (the engine's 64 on a GPU).
        int groupSize = pointPerThread ? Math.Min(LikelihoodKernels.SweepPointsGroupSize, accelerator.MaxNumThreadsPerGroup) : devices.Cpu.GroupSize;
        int perGroup = pointPerThread ? groupSize : LikelihoodKernels.SweepPointsPerGroup;
        int chunks = (int)((x.Length + ChunkRows - 1) / ChunkRows);
        using var values = accelerator.Allocate1D(x);
        using var arguments = accelerator.Allocate1D(points.Select(p => new ValueOnly<Twice<Vec4>>(Arguments<TModel>(p))).ToArray());
        using var partials = accelerator.Allocate1D<double>(points.Length * chunks);
        var shared = pointPerThread ? default : SharedMemoryConfig.RequestDynamic<double>(WarpShuffleSum.DynamicDoubles(groupSize, accelerator.WarpSize));
        kernel(new KernelConfig(new Index2D(points.Length / perGroup, chunks), new Index2D(groupSize, 1), shared),
            values.View, x.Length, default, arguments.View, ChunkRows, 0, chunks, partials.View);
        accelerator.Synchronize();
        var host = partials.GetAsArray1D();
        return Enumerable.Range(0, points.Length).Select(p =>
        {
            double sum = 0;
            for (int c = 0; c < chunks; c++)
                sum += host[p * chunks + c];
            return sum;
        }).ToArray();
    }

    private static Twice<Vec4> Arguments<TModel>(double[] parameters) where TModel : unmanaged, IDistribution<TModel>
    {
        var scratch = new double[Twice<Vec4>.Capacity];
        TModel.Prepare(default, parameters, scratch);
        var arguments = default(Twice<Vec4>);
        for (int k = 0; k < scratch.Length; k++)
            arguments.Set(k, scratch[k]);
        return arguments;
    }
}
