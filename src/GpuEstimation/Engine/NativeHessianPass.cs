using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>
/// The Hessian pass on the native backend: the same chunks of rows as the native evaluator, shared among the worker
/// threads, each chunk's sums added in chunk order, so the result does not depend on the thread count. Within a
/// chunk, blocks of <see cref="BlockRows"/> rows: the model's derivatives for the block's rows first (one call per
/// row), then each sum of <see cref="HessianLayout"/> as a dot product over the block's rows of contiguous columns,
/// in 256-bit vectors with four accumulators in a fixed order (the same bits on any x64 or Arm machine). Per entry
/// of the Hessian's triangle that is two loads and a fused multiply-add per four rows, from the core's cache.
/// </summary>
internal sealed unsafe class NativeHessianPass<TModel, TVec> : IHessianPass
    where TModel : unmanaged, ILinearPredictorModel<TModel>
    where TVec : unmanaged, ITermVector<TVec>
{
    /// <summary>Rows per block: the block's design columns and derivatives stay in the first-level cache.</summary>
    private const int BlockRows = 512;

    private static readonly double[] Ones = Enumerable.Repeat(1.0, BlockRows).ToArray();

    private readonly LikelihoodEngine<TModel> _owner;
    private readonly double* _data;
    private readonly ParallelOptions _parallel;
    private readonly HessianLayout _layout;
    private readonly int _chunks;
    private readonly double[] _partials;
    private readonly double[] _sums;
    private readonly double[] _arguments = new double[TVec.Capacity];

    public NativeHessianPass(LikelihoodEngine<TModel> owner, nint data, ParallelOptions parallel, int chunks)
    {
        _owner = owner;
        _data = (double*)data;
        _parallel = parallel;
        _chunks = chunks;
        _layout = new HessianLayout(owner.Model.DesignWidth, owner.Model.ExtraParameters);
        _sums = new double[_layout.Entries.Length];
        _partials = new double[(long)chunks * _sums.Length];
    }

    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian)
    {
        var model = _owner.Model;
        var arguments = ModelArguments.Of<TModel, TVec>(model, parameters, _arguments);
        long rows = _owner.Rows;
        var data = new HostRows(_data, rows);
        var partials = _partials;
        var entries = _layout.Entries;
        int terms = entries.Length;
        double* values = _data;
        void Chunk(int c)
        {
            var (begin, end) = NativeEvaluator<TModel, TVec>.ChunkRange(c, rows);
            SumChunk(model, arguments, data, values, entries, begin, end, partials.AsSpan(c * terms, terms));
        }
        if (_chunks == 1 || _parallel.MaxDegreeOfParallelism == 1)
        {
            for (int c = 0; c < _chunks; c++)
                Chunk(c);
        }
        else
        {
            Parallel.For(0, _chunks, _parallel, Chunk);
        }
        Array.Clear(_sums);
        for (int c = 0; c < _chunks; c++)
        {
            for (int e = 0; e < terms; e++)
                _sums[e] += partials[c * terms + e];
        }
        double value = _layout.Assemble(_sums, gradient, hessian);
        TModel.Finish(model, parameters, gradient);
        TModel.FinishHessian(model, hessian);
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumChunk(TModel model, TVec arguments, HostRows data, double* values, int[] entries, long begin, long end, Span<double> sums)
    {
        int width = model.DesignWidth;
        long rows = data.Rows;
        sums.Clear();
        // The block's derivatives, one row of 6 × BlockRows per kind (HessianEntry's numbering), and the product
        // ∂²/∂η² · z_a for the current a.
        var derivatives = new double[6 * BlockRows + 2 * BlockRows];
        var columns = new double*[width + 1];
        fixed (double* d = derivatives, ones = Ones)
        {
            double* scaled = d + 6 * BlockRows, design = d + 7 * BlockRows;
            for (long first = begin; first < end; first += BlockRows)
            {
                int n = (int)Math.Min(BlockRows, end - first);
                for (int j = 0; j < width; j++)
                {
                    int column = model.DesignColumn(j);
                    columns[j] = column < 0 ? ones : values + column * rows + first;
                }
                columns[width] = ones;
                // The design part of η for the block, column by column in vectors (the row order of the kernel's sum).
                LinearPredictor(model, arguments, columns, width, design, n);
                for (int i = 0; i < n; i++)
                {
                    TModel.Curvature(model, arguments, data, first + i, design[i], out var row);
                    d[i] = row.Value;
                    d[BlockRows + i] = row.Eta;
                    d[2 * BlockRows + i] = row.Extra;
                    d[3 * BlockRows + i] = row.EtaEta;
                    d[4 * BlockRows + i] = row.EtaExtra;
                    d[5 * BlockRows + i] = row.ExtraExtra;
                }
                int scaledFor = -1;
                for (int e = 0; e < entries.Length; e++)
                {
                    int entry = entries[e], kind = HessianEntry.Kind(entry), a = HessianEntry.A(entry), b = HessianEntry.B(entry);
                    double* derivative = d + kind * BlockRows;
                    if (kind == HessianEntry.EtaEta)
                    {
                        if (scaledFor != a)
                        {
                            Multiply(derivative, columns[a], scaled, n);
                            scaledFor = a;
                        }
                        sums[e] += Dot(scaled, columns[b], n);
                    }
                    else
                    {
                        // b is D (the constant 1) for every other kind.
                        sums[e] += Dot(derivative, columns[a], n);
                    }
                }
            }
        }
    }

    // design[i] = Σⱼ γⱼ zⱼ[i], j in order, four rows per vector.
    private static void LinearPredictor(in TModel model, in TVec arguments, double*[] columns, int width, double* design, int n)
    {
        var first = Vector256.Create(arguments.Get(model.DesignArgument(0)));
        int i = 0;
        for (; i + 3 < n; i += 4)
            Vector256.Store(first * Vector256.Load(columns[0] + i), design + i);
        for (; i < n; i++)
            design[i] = arguments.Get(model.DesignArgument(0)) * columns[0][i];
        for (int j = 1; j < width; j++)
        {
            double coefficient = arguments.Get(model.DesignArgument(j));
            var vector = Vector256.Create(coefficient);
            double* z = columns[j];
            i = 0;
            for (; i + 3 < n; i += 4)
                Vector256.Store(Vector256.Load(design + i) + vector * Vector256.Load(z + i), design + i);
            for (; i < n; i++)
                design[i] += coefficient * z[i];
        }
    }

    private static void Multiply(double* x, double* y, double* product, int n)
    {
        int i = 0;
        for (; i + 3 < n; i += 4)
            Vector256.Store(Vector256.Load(x + i) * Vector256.Load(y + i), product + i);
        for (; i < n; i++)
            product[i] = x[i] * y[i];
    }

    // Σ x[i] y[i]: four vector accumulators over 16 rows a step, combined in a fixed order, then the tail.
    private static double Dot(double* x, double* y, int n)
    {
        var s0 = Vector256<double>.Zero;
        var s1 = Vector256<double>.Zero;
        var s2 = Vector256<double>.Zero;
        var s3 = Vector256<double>.Zero;
        int i = 0;
        for (; i + 15 < n; i += 16)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 4), Vector256.Load(y + i + 4), s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8), Vector256.Load(y + i + 8), s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 12), Vector256.Load(y + i + 12), s3);
        }
        var s = (s0 + s1) + (s2 + s3);
        double sum = (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));
        for (; i < n; i++)
            sum += x[i] * y[i];
        return sum;
    }
}
