using System.Runtime.CompilerServices;
using GpuEstimation.Backends;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Engine;

/// <summary>
/// The least-squares pass on the native backend: the native evaluator's chunks of rows, shared among the worker
/// threads, each chunk's (P + 1)(P + 2)/2 sums of the augmented Gram matrix kept in order and the chunks added in
/// chunk order, so the result does not depend on the thread count, nor on the number of MPI ranks (each its run of the
/// chunks, <see cref="RowCollective"/>).
/// </summary>
internal sealed unsafe class NativeLeastSquaresPass<TMean, TVec> : ILeastSquares
    where TMean : unmanaged, IMeanFunction<TMean>
    where TVec : unmanaged, ITermVector<TVec>
{
    private readonly TMean _mean;
    private readonly long _rows;
    private readonly double** _data;
    private readonly ParallelOptions _parallel;
    private readonly int _chunks;
    private readonly int _entries;
    private readonly double[] _partials;
    private readonly double[] _triangle;
    private readonly double[] _arguments = new double[TVec.Capacity];
    private readonly RowCollective _ranks = RowCollective.Current;

    public NativeLeastSquaresPass(NonlinearRegressionModel<TMean> model, int rows, nint data, ParallelOptions parallel, int chunks)
    {
        var mean = model.Mean;
        _mean = mean;
        _rows = rows;
        _data = (double**)data;
        _parallel = parallel;
        _chunks = chunks;
        _entries = UpperTriangle.Entries(mean.ParameterCount + 1);
        _partials = new double[(long)chunks * _entries];
        _triangle = new double[_entries];
    }

    public int MeanParameterCount => _mean.ParameterCount;

    public double Evaluate(ReadOnlySpan<double> theta, Span<double> jacobianResidual, Span<double> gram)
    {
        var arguments = ModelArguments.OfMean<TMean, TVec>(_mean, theta, _arguments);
        var mean = _mean;
        var data = new HostRows(_data, _rows);
        long rows = _rows;
        int entries = _entries;
        var partials = _partials;
        void Chunk(int c)
        {
            var (begin, end) = ChunkRange(c, rows);
            SumChunk(mean, arguments, data, begin, end, partials.AsSpan(c * entries, entries));
        }
        var (first, last) = _ranks.MineChunks(rows, NativeEvaluator<NonlinearRegressionModel<TMean>, TVec>.ChunkRows);
        if (last - first == 1 || _parallel.MaxDegreeOfParallelism == 1)
        {
            for (int c = first; c < last; c++)
                Chunk(c);
        }
        else
        {
            Parallel.For(first, last, _parallel, Chunk);
        }
        _ranks.ExchangeChunks(partials, rows, NativeEvaluator<NonlinearRegressionModel<TMean>, TVec>.ChunkRows, entries, partials.Length);
        Array.Clear(_triangle);
        for (int c = 0; c < _chunks; c++)
        {
            for (int e = 0; e < entries; e++)
                _triangle[e] += partials[c * entries + e];
        }
        return LeastSquaresSums.Unpack(_triangle, mean.ParameterCount, jacobianResidual, gram);
    }

    private static (long Begin, long End) ChunkRange(int chunk, long rows) => NativeEvaluator<NonlinearRegressionModel<TMean>, TVec>.ChunkRange(chunk, rows);

    // Each row's augmented vector copied once into a plain array, then the triangle's products into sums kept on
    // the stack (row order within the chunk, as the kernel's thread-local sums).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumChunk(TMean mean, TVec arguments, HostRows data, long begin, long end, Span<double> sums)
    {
        int p = mean.ParameterCount, size = p + 1;
        Span<double> row = stackalloc double[size];
        Span<double> local = stackalloc double[sums.Length];
        local.Clear();
        for (long i = begin; i < end; i++)
        {
            var v = default(TVec);
            double mu = TMean.Evaluate(mean, arguments, data, 1, i, ref v);
            for (int k = 0; k < p; k++)
                row[k] = v.Get(k);
            row[p] = data[0, i] - mu;
            for (int a = 0, e = 0; a < size; a++)
            {
                double left = row[a];
                for (int b = a; b < size; b++, e++)
                    local[e] += left * row[b];
            }
        }
        local.CopyTo(sums);
    }
}
