using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Results;
using GpuEstimation.Surfaces;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Data;

/// <summary>
/// Rows spread over MPI ranks (<see cref="RowSpread"/>, simulated in this process by <see cref="SimulatedRanks"/>): each
/// rank reads only its own rows. Each rank here gets a copy of the columns whose other ranks' rows are NaN, so that a
/// statistic, a check or a pass that read a row not its own would change the result; every result must have the bits
/// of one process over the clean columns. 100,003 rows are four of the ranks' units of 32,768 rows (the last one
/// ragged), so two and three ranks each hold rows and five ranks leave one without any.
/// </summary>
public sealed class SpreadRowsTests
{
    private const int Rows = 3 * RowCollective.RowAlignment + 1_699;

    private static readonly int[] Sizes = [2, 3, 5];

    [Fact]
    public void RanksTakeRunsOfWholeUnitsOfRowsThatEveryChunkDivides()
    {
        var bounds = SimulatedRanks.Run(3, ranks => ranks.MyRows(Rows));
        Assert.Equal([(0L, 32_768L), (32_768L, 65_536L), (65_536L, (long)Rows)], bounds);
        // The native backend's chunks of 2^15 rows: each rank its own, none shared; the last rank's end is the last chunk.
        var chunks = SimulatedRanks.Run(3, ranks => ranks.MineChunks(Rows, 1 << 15));
        Assert.Equal([(0, 1), (1, 2), (2, 4)], chunks);
        // Five ranks over four units: one rank has no rows and no chunks (not the last ragged chunk).
        var five = SimulatedRanks.Run(5, ranks => (ranks.MyRows(Rows), ranks.MineChunks(Rows, 4096)));
        Assert.Equal(Rows, five.Sum(f => f.Item1.End - f.Item1.First));
        Assert.Equal(1, five.Count(f => f.Item1.First == f.Item1.End && f.Item2.First == f.Item2.End));
        Assert.Throws<ArgumentOutOfRangeException>(() => RowCollective.Single.MineChunks(Rows, 3000));
    }

    [Fact]
    public void StatisticsOfASpreadColumnHaveTheBitsOfOneProcess()
    {
        var random = new Random(5);
        // Heavy tails with repeated values (order statistics among ties), and a column near the largest double (the
        // sums past it taken again scaled).
        // An even number of rows (the middle two), and an odd one.
        var odd = Enumerable.Range(0, Rows).Select(_ => Math.Round(Math.Tan(Math.PI * (random.NextDouble() - 0.5)) * 100) / 10).ToArray();
        var x = odd[..^1];
        var huge = x.Select(v => 1.7e308 * Math.Tanh(v)).ToArray();
        var expected = Statistics(x, huge, odd);
        foreach (int size in Sizes)
        {
            foreach (var actual in SimulatedRanks.Run(size, _ =>
            {
                var spread = RowSpread.Over(x.Length)!;
                var own = Poisoned(x, spread);
                var ownHuge = Poisoned(huge, spread);
                // A column of another length: its own spread.
                var oddSpread = RowSpread.Over(odd.Length)!;
                using (Moments.Spread(spread))
                {
                    var result = Statistics(own, ownHuge, null);
                    Assert.Throws<InvalidOperationException>(() => Moments.Mean(odd));
                    using (Moments.Spread(oddSpread))
                        return result.Concat(Statistics(null, null, Poisoned(odd, oddSpread))).ToArray();
                }
            }))
            {
                Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
            }
        }
    }

    // The statistics a family's start takes, of each column given.
    private static double[] Statistics(double[]? x, double[]? huge, double[]? odd)
    {
        var result = new List<double>();
        if (x is not null)
        {
            result.AddRange([Moments.Sum(x), Moments.Mean(x), Moments.StandardDeviation(x), Moments.Variance(x)]);
            result.AddRange(Moments.Quantiles(x, [0, 0.1, 0.25, 0.5, 0.75, 1]));
            var (low, high) = Moments.MiddleTwo(x)!.Value;
            double median = Moments.Quantile(x, 0.5);
            result.AddRange([low, high, Moments.Mean(Moments.Map(x, v => Math.Abs(v - median)).Span), Moments.Sum(Moments.Map(x, x, (a, b) => a * b).Span)]);
            // A statistic of f(x) a block at a time, without the column of f(x) (a start's log x, |x − median|).
            Func<double, double> deviation = v => Math.Abs(v - median), log = v => Math.Log(1 + v * v);
            result.AddRange([Moments.Mean(x, deviation), Moments.StandardDeviation(x, log), Moments.Quantile(x, deviation, 0.5)]);
        }
        if (huge is not null)
            result.AddRange([Moments.Mean(huge), Moments.StandardDeviation(huge)]);
        if (odd is not null)
            result.AddRange([Moments.Mean(odd), Moments.Quantile(odd, 0.5), Moments.MiddleTwo(odd) is null ? 1 : 0]);
        return [.. result];
    }

    [Fact]
    public void AStatisticOfMappedValuesHasTheBitsOfOneOverTheirColumn()
    {
        var random = new Random(17);
        // Across several blocks, a ragged last one, and values near the largest double (the scaled sums).
        foreach (var x in new[]
        {
            Enumerable.Range(0, 3 * Moments.SumBlock + 123).Select(_ => random.NextDouble() * 10 - 3).ToArray(),
            Enumerable.Range(0, 5000).Select(_ => 1.7e308 * (random.NextDouble() - 0.5)).ToArray(),
        })
        {
            double median = Moments.Quantile(x, 0.5);
            foreach (var f in new Func<double, double>[] { v => Math.Abs(v - median), v => Math.Log(1 + Math.Abs(v)), v => 2 * v })
            {
                var column = Moments.Map(x, f).Span;
                Assert.Equal(BitConverter.DoubleToInt64Bits(Moments.Mean(column)), BitConverter.DoubleToInt64Bits(Moments.Mean(x, f)));
                Assert.Equal(BitConverter.DoubleToInt64Bits(Moments.StandardDeviation(column)), BitConverter.DoubleToInt64Bits(Moments.StandardDeviation(x, f)));
                Assert.Equal(BitConverter.DoubleToInt64Bits(Moments.Quantile(column, 0.3)), BitConverter.DoubleToInt64Bits(Moments.Quantile(x, f, 0.3)));
            }
        }
    }

    [Fact]
    public void FamilyFitsProfilesAndSweepsOverSpreadRowsHaveTheBitsOfOneProcess()
    {
        var random = new Random(11);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var t = Enumerable.Range(0, Rows).Select(_ => 1.5 + 2 * Normal() / Math.Sqrt(0.6 + 0.4 * Math.Pow(Normal(), 2))).ToArray();
        var positive = t.Select(v => Math.Exp(0.3 * v)).ToArray();
        var trials = Enumerable.Range(0, Rows).Select(i => (double)(5 + i % 7)).ToArray();
        var successes = trials.Select(n => Math.Floor(n * random.NextDouble() * 0.8)).ToArray();
        // (model, column, trials column, covariance): quantile starts and another start (Student-t), a kink at the
        // median (Laplace), a derived column (gamma's log x), a trials column; the sandwich's per-row scores.
        var cases = new (string Model, string Column, string? Trials, CovarianceType Covariance)[]
        {
            ("studentt", "t", null, CovarianceType.HC0), ("laplace", "t", null, CovarianceType.NonRobust),
            ("gamma", "positive", null, CovarianceType.NonRobust), ("binomial", "k", "n", CovarianceType.HC0),
            ("normal", "t", null, CovarianceType.NonRobust),
        };
        var columns = new Dictionary<string, double[]> { ["t"] = t, ["positive"] = positive, ["k"] = successes, ["n"] = trials };
        foreach (var (model, column, trialsColumn, covariance) in cases)
        {
            var options = new FitOptions { Covariance = covariance, Profile = model == "laplace" ? [] : [Spec(model, column, trialsColumn, columns, null).Parameters[0].Name] };
            var expected = Outcome(Spec(model, column, trialsColumn, columns, null), options);
            foreach (int size in Sizes)
            {
                foreach (var actual in SimulatedRanks.Run(size, _ =>
                {
                    var spread = RowSpread.Over(Rows)!;
                    return Outcome(Spec(model, column, trialsColumn, columns, spread), options);
                }))
                {
                    Assert.True(expected.SequenceEqual(actual), $"{model} on {size} ranks: [{string.Join(", ", actual.Select(v => v.ToString("R")))}] vs one process [{string.Join(", ", expected.Select(v => v.ToString("R")))}]");
                }
            }
        }
    }

    [Fact]
    public void LinearFitsTheirStatisticsProfilesAndSweepsOverSpreadRowsHaveTheBitsOfOneProcess()
    {
        var random = new Random(23);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var x1 = Enumerable.Range(0, Rows).Select(_ => 3 + 2 * Normal()).ToArray();
        var x2 = Enumerable.Range(0, Rows).Select(i => Math.Sin(i * 0.001) + 0.5 * Normal()).ToArray();
        var y = x1.Zip(x2, (a, b) => 1.5 - 0.7 * a + 2.2 * b + 0.9 * Normal()).ToArray();
        // A response far from zero against its spread (centred exactly, ExactCentre), and one that is not.
        var far = y.Select(v => 1e12 + v).ToArray();
        var columns = new Dictionary<string, double[]> { ["y"] = y, ["far"] = far, ["x1"] = x1, ["x2"] = x2 };
        foreach (var (response, covariance) in new[] { ("y", CovarianceType.NonRobust), ("far", CovarianceType.HC1) })
        {
            var options = new FitOptions { Covariance = covariance, Profile = ["x1"] };
            var expected = LinearOutcome(Linear(columns, response, null), options);
            foreach (int size in Sizes)
            {
                foreach (var actual in SimulatedRanks.Run(size, _ => LinearOutcome(Linear(columns, response, RowSpread.Over(Rows)!), options)))
                    Assert.True(expected.SequenceEqual(actual), $"linear on {response}, {size} ranks: [{string.Join(", ", actual.Select(v => v.ToString("R")))}] vs one process [{string.Join(", ", expected.Select(v => v.ToString("R")))}]");
            }
        }
        // The start's reduction (Householder, by runs of rows) still gives least squares: the fit's coefficients agree
        // with MathNet's QR to 1e-9 relative.
        var (coefficients, _) = LinearClosedForm.LeastSquares(y, [x1, x2]);
        var one = LinearOutcome(Linear(columns, "y", null), new FitOptions());
        for (int j = 0; j < 3; j++)
            Assert.Equal(coefficients[j], one[3 + 4 * j], Math.Abs(coefficients[j]) * 1e-9);
    }

    [Fact]
    public void ACollinearOrExactLinearDesignOverSpreadRowsIsRefusedAlikeOnEveryRank()
    {
        var x1 = Enumerable.Range(0, Rows).Select(i => (double)(i % 97)).ToArray();
        var x2 = x1.Select(v => 2 * v - 3).ToArray();
        var y = x1.Select((v, i) => v + (i % 5)).ToArray();
        var collinear = new Dictionary<string, double[]> { ["y"] = y, ["x1"] = x1, ["x2"] = x2 };
        // Refused at the fit (a ridge's normal priors would let it go on), with the same words on every rank.
        string[] all = ["intercept", "x1", "x2", "sigma"];
        string? expected = ModelCatalog.Refusal(Linear(collinear, "y", null), all, new Dictionary<string, double>(), []);
        Assert.Contains("collinear", expected);
        Assert.All(SimulatedRanks.Run(3, _ => ModelCatalog.Refusal(Linear(collinear, "y", RowSpread.Over(Rows)!), all, new Dictionary<string, double>(), [])), m => Assert.Equal(expected, m));
        // An exact fit: the same refusal of sigma on every rank.
        var exact = new Dictionary<string, double[]> { ["y"] = x1.Select(v => 4 - 0.5 * v).ToArray(), ["x1"] = x1 };
        string? refusal = ModelCatalog.Refusal(Linear(exact, "y", null), ["intercept", "x1", "sigma"], new Dictionary<string, double>(), []);
        Assert.Contains("exactly", refusal);
        Assert.All(SimulatedRanks.Run(2, _ => ModelCatalog.Refusal(Linear(exact, "y", RowSpread.Over(Rows)!), ["intercept", "x1", "sigma"], new Dictionary<string, double>(), [])),
            r => Assert.Equal(refusal, r));
        // Models whose set-up reads every row refuse spread data rather than read rows the rank does not hold; HC2 needs every row's leverage.
        Assert.All(SimulatedRanks.Run(2, _ =>
        {
            var spread = RowSpread.Over(Rows)!;
            var data = new Dataset(collinear.Select(c => KeyValuePair.Create(c.Key, (ReadOnlyMemory<double>)Poisoned(c.Value, spread))), "data.npy", i => $"row {i + 1}", spread: spread);
            Assert.Throws<ArgumentException>(() => ModelCatalog.Create("glm", data, new ModelColumns(null, "y", ["x1"]) { Family = "poisson" }));
            Assert.Throws<ArgumentException>(() => GpuEstimation.Design.DesignMatrix.Build(data, GpuEstimation.Design.Formula.Parse("y ~ x1:x2")));
            // A factor's levels are the whole column's: refused before they are read.
            Assert.Contains("design", Assert.Throws<ArgumentException>(() => GpuEstimation.Design.DesignMatrix.Build(data, GpuEstimation.Design.Formula.Parse("y ~ C(x1)"))).Message);
            var linear = Linear(new() { ["y"] = y, ["x1"] = x1 }, "y", spread);
            using var device = ComputeDevice.Open(Backend.Native);
            using var session = new EstimationSession(linear, device);
            return Assert.Throws<InputException>(() => session.Fit(new FitOptions { Covariance = CovarianceType.HC2 })).Message;
        }), m => Assert.Contains("leverage", m));
    }

    [Fact]
    public void OnAcceleratorsALinearModelsRanksEvaluateTheBlocksOfTheirOwnRuns()
    {
        // Blocks of 1,024 rows on ILGPU's CPU accelerator; the ranks' rows in units of the host passes' runs (32,768 rows).
        const int BlockRows = 1024;
        var random = new Random(29);
        int rows = 2 * RowSpread.RunRows + 77;
        var x1 = Enumerable.Range(0, rows).Select(_ => random.NextDouble() * 4).ToArray();
        var y = x1.Select(v => 0.5 + 1.5 * v + (random.NextDouble() - 0.5)).ToArray();
        var columns = new Dictionary<string, double[]> { ["y"] = y, ["x1"] = x1 };
        var options = new FitOptions { Covariance = CovarianceType.HC0 };
        double[] expected;
        using (KernelBlocks.Override(BlockRows))
            expected = LinearOutcome(Linear(columns, "y", null), options, Backend.Cpu);
        Assert.All(SimulatedRanks.Run(2, _ =>
        {
            using var blocks = KernelBlocks.Override(BlockRows);
            return LinearOutcome(Linear(columns, "y", RowSpread.Over(rows, RowSpread.RunRows)!), options, Backend.Cpu);
        }), actual => Assert.Equal(expected, actual));
        // A spread in units the runs do not divide is refused by the host passes.
        Assert.All(SimulatedRanks.Run(2, _ => Assert.Throws<ArgumentException>(() => Linear(columns, "y", RowSpread.Over(rows, 4096)!)).Message),
            m => Assert.Contains("runs of 32768", m));
    }

    // The linear model over the columns: read whole (no spread), or spread with the other ranks' rows NaN.
    private static IModelSpec Linear(Dictionary<string, double[]> columns, string response, RowSpread? spread)
    {
        var memories = columns.Select(c => KeyValuePair.Create(c.Key, (ReadOnlyMemory<double>)(spread is null ? c.Value : Poisoned(c.Value, spread))));
        var data = new Dataset(memories, "data.npy", index => $"row {index + 1}", spread: spread);
        return ModelCatalog.Create(ModelCatalog.LinearName, data, new ModelColumns(null, response, [.. columns.Keys.Where(k => k.StartsWith('x'))]));
    }

    // Outcome's numbers and the linear model's statistics (R², F).
    private static double[] LinearOutcome(IModelSpec spec, FitOptions options, Backend backend = Backend.Native)
    {
        using var device = ComputeDevice.Open(backend);
        using var session = new EstimationSession(spec, device);
        var fit = RegressionReport.Complete(session.Fit(options), spec, device);
        Assert.True(fit.Converged, fit.Reason);
        var stats = fit.Linear!;
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("x1", fit.Parameters[1].Estimate - 0.01, fit.Parameters[1].Estimate + 0.01, 5)] });
        return [fit.LogLikelihood, fit.Evaluations, fit.N,
            .. fit.Parameters.SelectMany(p => new[] { p.Estimate, p.StdError ?? double.NaN, p.Profile?.Lower ?? double.NaN, p.Profile?.Upper ?? double.NaN }),
            stats.ResidualSumOfSquares, stats.TotalSumOfSquares, stats.RSquared, stats.FStatistic, .. stats.StdErrorNist.Values,
            .. sweep.LogLikelihood];
    }

    [Fact]
    public void AValueOutsideTheSupportOnAnotherRanksRowsIsNamedOnEveryRank()
    {
        var x = Enumerable.Range(0, Rows).Select(i => 1.0 + i % 5).ToArray();
        x[70_000] = -2;
        x[90_000] = -3;
        string expected = Assert.Throws<InputException>(() => Spec("gamma", "x", null, new() { ["x"] = x }, null)).Message;
        Assert.Contains("row 70001", expected);
        var messages = SimulatedRanks.Run(3, _ =>
            Assert.Throws<InputException>(() => Spec("gamma", "x", null, new() { ["x"] = x }, RowSpread.Over(Rows)!)).Message);
        Assert.All(messages, m => Assert.Equal(expected, m));
        // Constant data: the same refusal, with the first value, on every rank.
        var constant = Enumerable.Repeat(2.5, Rows).ToArray();
        var spec = Spec("normal", "x", null, new() { ["x"] = constant }, null);
        string? refusal = ModelCatalog.Refusal(spec, ["mu", "sigma"], new Dictionary<string, double>(), []);
        Assert.Contains("all 100003 values equal 2.5", refusal);
        var refusals = SimulatedRanks.Run(2, _ =>
            ModelCatalog.Refusal(Spec("normal", "x", null, new() { ["x"] = constant }, RowSpread.Over(Rows)!), ["mu", "sigma"], new Dictionary<string, double>(), []));
        Assert.All(refusals, r => Assert.Equal(refusal, r));
    }

    [Fact]
    public void AParquetFileSpreadOverRanksIsReadByTheRowGroupsThatHoldEachRanksRows()
    {
        var directory = Directory.CreateTempSubdirectory("gpuest-spread-");
        try
        {
            var random = new Random(7);
            var x = Enumerable.Range(0, Rows).Select(_ => 2 + random.NextDouble()).ToArray();
            var k = Enumerable.Range(0, Rows).Select(i => (long)(i % 9)).ToArray();
            // Row groups of 10,000 rows: the ranks' bounds fall inside groups, which both neighbours then read.
            string path = ColumnarFiles.Parquet(Path.Combine(directory.FullName, "x.parquet"), 10_000, ("x", x), ("k", k));
            var whole = ParquetData.Read(path, ["x", "k"]);
            Assert.Null(whole.Spread);
            var expected = Outcome(ModelCatalog.Create("gamma", whole, new ModelColumns("x")), new FitOptions());
            foreach (int size in Sizes)
            {
                foreach (var (outcome, read, first, end) in SimulatedRanks.Run(size, _ =>
                {
                    var data = ParquetData.Read(path, ["x", "k"], spread: RowCollective.RowAlignment);
                    var spread = data.Spread!;
                    var values = data.Column("x").ToArray();
                    // The rows read: those of the groups that hold the rank's own rows (the rest never written: 0).
                    long read = values.Count(v => v != 0);
                    Assert.Equal(x[(int)spread.First..(int)spread.End], values[(int)spread.First..(int)spread.End]);
                    return (Outcome(ModelCatalog.Create("gamma", data, new ModelColumns("x")), new FitOptions()), read, spread.First, spread.End);
                }))
                {
                    Assert.Equal(expected, outcome);
                    long groupsFirst = first / 10_000 * 10_000, groupsEnd = Math.Min(Rows, (end + 9_999) / 10_000 * 10_000);
                    Assert.Equal(first == end ? 0 : groupsEnd - groupsFirst, read);
                }
            }
            // A null in the last rank's rows: the same error, naming its row, on every rank.
            var holed = x.Select((v, i) => i == 90_001 ? null : (double?)v).ToArray();
            string holedPath = ColumnarFiles.Parquet(Path.Combine(directory.FullName, "holed.parquet"), 10_000, ("x", holed));
            string message = Assert.Throws<InputException>(() => ParquetData.Read(holedPath, ["x"])).Message;
            Assert.Contains("row 90002, column 'x'", message);
            Assert.All(SimulatedRanks.Run(3, _ => Assert.Throws<InputException>(() => ParquetData.Read(holedPath, ["x"], spread: RowCollective.RowAlignment)).Message),
                m => Assert.Equal(message, m));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void ANpyFileIsSpreadOnlyWhereRanksReadTheSameFileMappedWithoutRowsToDrop()
    {
        var directory = Directory.CreateTempSubdirectory("gpuest-spread-");
        try
        {
            var x = Enumerable.Range(0, Rows).Select(i => 1.0 + i % 13).ToArray();
            string path = Path.Combine(directory.FullName, "x.npy"), other = Path.Combine(directory.FullName, "other.npy");
            NpyFile.Write(path, x);
            NpyFile.Write(other, [.. x[..^1], 99]);
            Assert.Null(DataFile.Read(path, ["0"], spread: RowCollective.RowAlignment).Spread);
            var spreads = SimulatedRanks.Run(3, _ => (
                DataFile.Read(path, ["0"], spread: RowCollective.RowAlignment).Spread is { } s ? (s.First, s.End) : default,
                DataFile.Read(path, ["0"], spread: null).Spread,
                DataFile.Read(path, ["0"], missing: MissingValues.Drop, spread: RowCollective.RowAlignment).Spread,
                DataFile.Read(path, ["0"], ["0"], spread: RowCollective.RowAlignment).Spread));
            Assert.Equal([(0L, 32_768L), (32_768L, 65_536L), (65_536L, (long)Rows)], spreads.Select(s => s.Item1));
            Assert.All(spreads, s => Assert.True(s.Item2 is null && s.Item3 is null && s.Item4 is null));
            // Rank 1 opened another file (its last value differs): named, on every rank, before anything reads rows.
            var messages = SimulatedRanks.Run(2, ranks =>
                Assert.Throws<InputException>(() => DataFile.Read(ranks.Rank == 1 ? other : path, ["0"], spread: RowCollective.RowAlignment)).Message);
            Assert.All(messages, m => Assert.Contains("MPI rank 1 read another file than rank 0", m));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void ACsvFileSpreadOverRanksIsParsedByEachRankForItsOwnRowsOrWholeWhereItIsNotPlain()
    {
        var directory = Directory.CreateTempSubdirectory("gpuest-spread-");
        try
        {
            var random = new Random(9);
            var x = Enumerable.Range(0, Rows).Select(_ => Math.Round(2 + random.NextDouble(), 6)).ToArray();
            string Write(string name, Func<int, string> line, string end = "\n", string header = "i;x")
            {
                string path = Path.Combine(directory.FullName, name);
                File.WriteAllText(path, header + end + string.Concat(Enumerable.Range(0, Rows).Select(i => line(i) + end)));
                return path;
            }
            // Semicolons (the separator found from the header), \r\n line ends.
            string plain = Write("plain.csv", i => $"{i};{x[i]:R}", "\r\n");
            var whole = DataFile.Read(plain, ["x"]);
            var expected = Outcome(ModelCatalog.Create("gamma", whole, new ModelColumns("x")), new FitOptions());
            foreach (int size in Sizes)
            {
                foreach (var (outcome, written, first, end) in SimulatedRanks.Run(size, _ =>
                {
                    var data = DataFile.Read(plain, ["x"], spread: RowCollective.RowAlignment);
                    var spread = data.Spread!;
                    var values = data.Column("x").ToArray();
                    // The columns, and the model's derived ones (log x), are memory taken only where written, which
                    // no managed-heap limit counts whole, and which the native backend reads where it lies.
                    var spec = (ModelSpec<GpuEstimation.Kernels.Models.GammaModel>)ModelCatalog.Create("gamma", data, new ModelColumns("x"));
                    Assert.All(spec.Columns, c => Assert.False(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(c, out ArraySegment<double> segment)));
                    Assert.Equal(x[(int)spread.First..(int)spread.End], values[(int)spread.First..(int)spread.End]);
                    Assert.Equal($"line {spread.End + 1}", spread.End > spread.First ? data.DescribeRow((int)spread.End - 1) : $"line {spread.End + 1}");
                    return (Outcome(ModelCatalog.Create("gamma", data, new ModelColumns("x")), new FitOptions()), values.Count(v => v != 0), spread.First, spread.End);
                }))
                {
                    Assert.Equal(expected, outcome);
                    // Only the rank's own rows were parsed.
                    Assert.Equal(end - first, written);
                }
            }
            // Not plain: a quoted cell on the last rank's rows, a blank line at the end, a header ended by a lone \r
            // (a line end to the reader, so that the rest of that line is a row), UTF-16. Read whole on every rank.
            string quoted = Write("quoted.csv", i => i == 90_000 ? $"\"{i}\";{x[i]:R}" : $"{i};{x[i]:R}");
            string blank = Write("blank.csv", i => $"{i};{x[i]:R}") + "";
            File.AppendAllText(blank, "\n");
            string carriage = Path.Combine(directory.FullName, "carriage.csv");
            File.WriteAllText(carriage, "x\r" + string.Concat(x.Select(v => $"{v:R}\n")));
            Assert.Equal(Rows, DataFile.Read(carriage, ["x"]).Rows);
            // UTF-16 text, whose line ends are two bytes.
            string wide = Path.Combine(directory.FullName, "wide.csv");
            File.WriteAllText(wide, "x\n" + string.Concat(x.Select(v => $"{v:R}\n")), System.Text.Encoding.Unicode);
            foreach (var path in new[] { quoted, blank, carriage, wide })
            {
                var one = DataFile.Read(path, ["x"]).Column("x").ToArray();
                Assert.All(SimulatedRanks.Run(3, _ =>
                {
                    var data = DataFile.Read(path, ["x"], spread: RowCollective.RowAlignment);
                    return (data.Spread, data.Column("x").ToArray());
                }), r =>
                {
                    Assert.Null(r.Spread);
                    Assert.Equal(one, r.Item2);
                });
            }
            // A cell that is not a number on the last rank's rows: every rank reads the file whole and names it as one process does.
            string bad = Write("bad.csv", i => i == 90_000 ? $"{i};abc" : $"{i};{x[i]:R}");
            string message = Assert.Throws<InputException>(() => DataFile.Read(bad, ["x"])).Message;
            Assert.Contains("line 90002, column 'x': 'abc'", message);
            Assert.All(SimulatedRanks.Run(3, _ => Assert.Throws<InputException>(() => DataFile.Read(bad, ["x"], spread: RowCollective.RowAlignment)).Message),
                m => Assert.Equal(message, m));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void OnAcceleratorsEachRankEvaluatesTheBlocksOfItsOwnRows()
    {
        // Blocks of 1,024 rows on ILGPU's CPU accelerator, one per rank; the ranks' rows in units of 4,096 (four blocks).
        const int BlockRows = 1024, Unit = 4 * BlockRows;
        var random = new Random(13);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        int rows = 5 * Unit + 77;
        var t = Enumerable.Range(0, rows).Select(_ => 1.5 + 2 * Normal() / Math.Sqrt(0.6 + 0.4 * Math.Pow(Normal(), 2))).ToArray();
        var columns = new Dictionary<string, double[]> { ["t"] = t };
        var options = new FitOptions { Covariance = CovarianceType.HC0 };
        double[] expected;
        using (KernelBlocks.Override(BlockRows))
            expected = Outcome(Spec("studentt", "t", null, columns, null), options, Backend.Cpu);
        // Two ranks, and seven over six units (one rank without rows).
        foreach (int size in new[] { 2, 7 })
        {
            Assert.All(SimulatedRanks.Run(size, _ =>
            {
                using var blocks = KernelBlocks.Override(BlockRows);
                return Outcome(Spec("studentt", "t", null, columns, RowSpread.Over(rows, Unit)!), options, Backend.Cpu);
            }), actual => Assert.Equal(expected, actual));
        }
        // The native backend evaluates by its own chunks: a spread in other units is refused.
        Assert.All(SimulatedRanks.Run(2, _ =>
        {
            var spec = Spec("normal", "t", null, columns, RowSpread.Over(rows, Unit)!);
            using var device = ComputeDevice.Open(Backend.Native);
            return Assert.Throws<ArgumentException>(() => spec.CreateEngine(device)).Message;
        }), m => Assert.Contains("units of 4096", m));
    }

    // The family over the columns: read whole (no spread), or spread with the other ranks' rows NaN.
    private static IModelSpec Spec(string model, string column, string? trials, Dictionary<string, double[]> columns, RowSpread? spread)
    {
        var memories = columns.Select(c => KeyValuePair.Create(c.Key, (ReadOnlyMemory<double>)(spread is null ? c.Value : Poisoned(c.Value, spread))));
        var data = new Dataset(memories, "data.npy", index => $"row {index + 1}", spread: spread);
        Assert.Equal(spread is not null, data.Spread is not null);
        return ModelCatalog.Create(model, data, new ModelColumns(column) { TrialsColumn = trials });
    }

    // A fit with its errors and profile intervals, and a sweep, on the backend: every number, as doubles.
    private static double[] Outcome(IModelSpec spec, FitOptions options, Backend backend = Backend.Native)
    {
        using var device = ComputeDevice.Open(backend);
        using var session = new EstimationSession(spec, device);
        var fit = session.Fit(options);
        Assert.True(fit.Converged, fit.Reason);
        var first = fit.Parameters[0];
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis(first.Name, first.Estimate * 0.9, first.Estimate * 1.1, 5)] });
        return [fit.LogLikelihood, fit.Evaluations, fit.N,
            .. fit.Parameters.SelectMany(p => new[] { p.Estimate, p.StdError ?? double.NaN, p.Profile?.Lower ?? double.NaN, p.Profile?.Upper ?? double.NaN }),
            .. sweep.LogLikelihood];
    }

    // The column as a rank of the spread holds it for this test: its own rows, the others NaN.
    private static double[] Poisoned(double[] column, RowSpread spread)
    {
        var own = new double[column.Length];
        Array.Fill(own, double.NaN);
        Array.Copy(column, spread.First, own, spread.First, spread.End - spread.First);
        return own;
    }
}
