using GpuEstimation.Data;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Mixtures;

/// <summary>
/// Each row's responsibilities and mixture density on the host, from the model's own statistics-mode code (the
/// kernels' per-row arithmetic, run by a plain loop): for each row's component assignments and for drawing densities on a grid.
/// </summary>
internal static class MixtureRows
{
    // Wide enough for any mixture's arguments (at most 128) and its 3K + 1 sums.
    private struct Wide : ITermVector<Wide>
    {
#pragma warning disable CS0649
        private Twice<Twice<Twice<Twice<Twice<Vec4>>>>> _inner;
#pragma warning restore CS0649

        public static int Capacity => 128;

        public readonly double Get(int index) => _inner.Get(index);

        public void Set(int index, double value) => _inner.Set(index, value);

        public void Add(int index, double value) => _inner.Add(index, value);

        public void AddValue(double shared, double own) => _inner.AddValue(shared, own);

        public void FinishRows(long rows)
        {
        }

        public readonly void ReadLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafReader => _inner.ReadLeaves(ref body, first);

        public void AddToLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafWriter => _inner.AddToLeaves(ref body, first);
    }

    private readonly struct ColumnRows(IReadOnlyList<ReadOnlyMemory<double>> memories) : IDataRows
    {
        private readonly double[][] _columns = [.. memories.Select(c => c.AsArray())];

        public long Rows => _columns[0].Length;

        public double this[int column, long row] => _columns[column][row];

        public static double Exp(double x) => Math.Exp(x);

        public static double Log1p(double x) => DeviceMath.Log1p(x);

        public static double LogGamma(double x) => DeviceMath.LogGamma(x);

        public static double Digamma(double x) => DeviceMath.Digamma(x);
    }

    /// <summary>
    /// For each row of <paramref name="columns"/> (laid out as <paramref name="model"/> reads them): the log mixture
    /// density, and the K responsibilities (row by row, K per row).
    /// </summary>
    public static (double[] LogDensity, double[] Responsibilities) Evaluate(MixtureModel model, IReadOnlyList<ReadOnlyMemory<double>> columns, IReadOnlyList<double> parameters)
    {
        var statistics = model.WithStatistics(true);
        var padded = new double[statistics.ParameterCount];
        for (int j = 0; j < parameters.Count; j++)
            padded[j] = parameters[j];
        var prepared = new double[MixtureModel.ArgumentCount(statistics)];
        MixtureModel.Prepare(statistics, padded, prepared);
        var arguments = default(Wide);
        for (int j = 0; j < prepared.Length; j++)
            arguments.Set(j, prepared[j]);
        int n = columns[0].Length, k = model.Components;
        var density = new double[n];
        var responsibilities = new double[(long)n * k];
        var rows = new ColumnRows(columns);
        Parallel.For(0, (n + 4095) / 4096, block =>
        {
            for (int i = block * 4096; i < Math.Min(n, (block + 1) * 4096); i++)
            {
                var terms = default(Wide);
                MixtureModel.Accumulate(statistics, arguments, rows, i, ref terms);
                density[i] = terms.Get(0);
                for (int c = 0; c < k; c++)
                    responsibilities[(long)i * k + c] = terms.Get(1 + MixtureModel.StatisticsPerComponent * c);
            }
        });
        return (density, responsibilities);
    }
}
