using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Mixtures;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Surfaces;
using GpuEstimation.Tests.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// The library used from C# the wrong way (a newcomer's trial of the API): each misuse an exception naming what is
/// wrong, never a process ended by ILGPU's assertion, a NullReferenceException, or a fit called converged.
/// </summary>
public class LibraryMisuseTests
{
    private static ModelSpec<MyExponentialModel> Exponential(double[] t, double start = 1.0) =>
        new("exponential", new MyExponentialModel(), [t], [new ParameterInfo("rate", ParameterDomain.Positive)], [start]);

    private static readonly double[] Times = [0.5, 1.2, 0.3, 2.2, 0.9, 1.4];

    // On ILGPU's CPU accelerator a pass on a disposed session or device ended the process (a failed assertion in
    // KernelBlocks), and on the native backend the fit simply ran.
    [Theory]
    [InlineData(Backend.Native)]
    [InlineData(Backend.Cpu)]
    public void ADisposedSessionOrDeviceIsRefusedByName(Backend backend)
    {
        using var device = ComputeDevice.Open(backend);
        var session = new EstimationSession(Exponential(Times), device);
        session.Dispose();
        Assert.Equal(typeof(EstimationSession).FullName, Assert.Throws<ObjectDisposedException>(() => session.Fit(new FitOptions())).ObjectName);
        Assert.Throws<ObjectDisposedException>(() => session.Evaluate([1.0]));

        var other = ComputeDevice.Open(backend);
        using var live = new EstimationSession(Exponential(Times), other);
        other.Dispose();
        Assert.Equal(typeof(ComputeDevice).FullName, Assert.Throws<ObjectDisposedException>(() => live.Fit(new FitOptions())).ObjectName);
        Assert.Equal(typeof(ComputeDevice).FullName, Assert.Throws<ObjectDisposedException>(() => new EstimationSession(Exponential(Times), other)).ObjectName);
    }

    // A library trial: disposing a CPU-accelerator device while a fit ran on it on another thread ended the process
    // (exit 134, ILGPU's workers on a freed accelerator). Now the fit finishes (or, where the device went first, is
    // refused as disposed), the device is freed when it returns, and later sessions on it are refused. Whenever the
    // Dispose lands, one of those outcomes; the fit is long (Student-t profile intervals) so that it mostly lands inside.
    [Theory]
    [InlineData(Backend.Native)]
    [InlineData(Backend.Cpu)]
    public async Task DisposingADeviceUnderARunningFitWaitsForTheFit(Backend backend)
    {
        var random = new Random(9);
        var x = Enumerable.Range(0, 3_000).Select(_ => MathNet.Numerics.Distributions.StudentT.Sample(random, 1, 2, 4)).ToArray();
        var model = ModelCatalog.Create("studentt", Dataset.FromColumns(("x", x)), new ModelColumns("x"));
        var device = ComputeDevice.Open(backend);
        var session = new EstimationSession(model, device);
        using var started = new ManualResetEventSlim();
        var fit = Task.Run(() =>
        {
            started.Set();
            return session.Fit(new FitOptions { Profile = ["nu", "mu", "sigma"] });
        });
        started.Wait();
        Thread.Sleep(20);
        device.Dispose();
        try
        {
            var result = await fit;
            Assert.True(result.Converged, result.Reason);
            Assert.NotNull(result.Get("nu").Profile);
        }
        catch (ObjectDisposedException e)
        {
            Assert.Equal(typeof(ComputeDevice).FullName, e.ObjectName);
        }
        Assert.True(device.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => session.Evaluate([4.0, 1.0, 2.0]));
        Assert.Throws<ObjectDisposedException>(() => new EstimationSession(model, device));
        session.Dispose();
    }

    // A review: a Dispose landing inside a fit (here from the model's own Prepare, on the fit's thread, at its first
    // pass: deterministic) let the fit run to its end and then threw ObjectDisposedException from its report. Within a
    // call the device is held: the fit returns its result, and the device is freed after it.
    [Theory]
    [InlineData(Backend.Native)]
    [InlineData(Backend.Cpu)]
    public void ADisposeInsideAFitLetsTheFitReturn(Backend backend)
    {
        var device = ComputeDevice.Open(backend);
        var spec = new ModelSpec<PrepareHook<MyExponentialModel>>("exponential", new(new MyExponentialModel()), [Times], [new ParameterInfo("rate", ParameterDomain.Positive)], [1.0]);
        var session = new EstimationSession(spec, device);
        PrepareHook<MyExponentialModel>.OnPrepare = () =>
        {
            PrepareHook<MyExponentialModel>.OnPrepare = null;
            device.Dispose();
        };
        var fit = session.Fit(new FitOptions());
        Assert.Null(PrepareHook<MyExponentialModel>.OnPrepare);
        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["rate"], Times.Length / Times.Sum()) <= 1e-10);
        Assert.True(device.IsDisposed);
        Assert.Equal(typeof(ComputeDevice).FullName, Assert.Throws<ObjectDisposedException>(() => session.Evaluate([1.0])).ObjectName);
        session.Dispose();
    }

    // A review: a call made within a held call (a mixture fit's sessions) was refused once another thread had disposed
    // the device, and the fit's work was thrown away. The holding thread may hold it again; another thread may not; the
    // device is freed when the last hold ends.
    [Fact]
    public void AThreadHoldingADisposedDeviceMayHoldItAgain()
    {
        var device = ComputeDevice.Open(Backend.Cpu);
        var outer = device.Use();
        // Other threads, joined (a hold belongs to its thread: no await between here and the release).
        Exception? elsewhere = null;
        void OnAnotherThread(Action action)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    action();
                }
                catch (Exception e)
                {
                    elsewhere = e;
                }
            });
            thread.Start();
            thread.Join();
        }
        OnAnotherThread(device.Dispose);
        Assert.Null(elsewhere);
        Assert.True(device.IsDisposed);
        using (device.Use())
            Assert.NotEmpty(device.Accelerators);
        OnAnotherThread(() => device.Use().Dispose());
        Assert.IsType<ObjectDisposedException>(elsewhere);
        outer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => device.Use());
        Assert.Throws<ObjectDisposedException>(() => device.Accelerators);
    }

    // No rows was fitted as "converged" at the start; a NaN made every log-likelihood NaN; a start outside the domain
    // ended in NaN estimates.
    [Fact]
    public void AModelsDataAndStartAreChecked()
    {
        Assert.Contains("no rows", Assert.Throws<InputException>(() => Exponential([])).Message);
        Assert.Contains("column 0, row 3: NaN is not a finite number", Assert.Throws<InputException>(() => Exponential([1, 2, double.NaN, 4])).Message);
        Assert.Contains("row 2: Infinity is not a finite number", Assert.Throws<InputException>(() => Exponential([1, double.PositiveInfinity])).Message);
        var start = Assert.Throws<InputException>(() => Exponential(Times, start: -1));
        Assert.Equal("rate", start.ParamName);
        Assert.Contains("starting value rate = -1", start.Message);
        // A start on the domain's closed edge is taken (eval evaluates there), but a fit cannot move from it: a trial's
        // rate started at 0 ... or a probability at 1 was "converged" there, far from the maximum.
        using (var device = ComputeDevice.Open(Backend.Native))
        {
            foreach (var (domain, edge) in new[] { (ParameterDomain.Positive, 0.0), (ParameterDomain.UnitInterval, 1.0) })
            {
                var spec = new ModelSpec<MyExponentialModel>("e", new MyExponentialModel(), [Times], [new ParameterInfo("rate", domain)], [edge]);
                using var session = new EstimationSession(spec, device);
                var edgeStart = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));
                Assert.Equal("rate", edgeStart.ParamName);
                Assert.StartsWith($"the model's starting value rate = {edge:R} is on the edge of its domain", edgeStart.Message);
                Assert.True(session.Fit(new FitOptions { Start = new Dictionary<string, double> { ["rate"] = 0.5 } }).Converged);
            }
        }
        // A null array as a column is an empty one (ReadOnlyMemory's conversion): no rows.
        Assert.Contains("no rows", Assert.Throws<InputException>(() => new ModelSpec<MyExponentialModel>("e", new MyExponentialModel(), [(double[])null!], [new ParameterInfo("rate", ParameterDomain.Positive)], [1.0])).Message);
        // A model that reads no column has no rows either (a library trial's was "converged" at its start, a = 0, where
        // its log-density peaks at 3); a NaN start is not a finite number, not a value outside the domain.
        Assert.Contains("reads no data columns, so it has no rows", Assert.Throws<InputException>(() => new ModelSpec<NoColumnsModel>("nc", new NoColumnsModel(), [], [new ParameterInfo("a")], [0.0])).Message);
        var nan = Assert.Throws<InputException>(() => Exponential(Times, start: double.NaN));
        Assert.Equal("starting value rate = NaN: not a finite number", nan.Message.Split(" (Parameter")[0]);
    }

    // A model of no data column: −(a − 3)²/2.
    private readonly struct NoColumnsModel : ILikelihoodModel<NoColumnsModel>
    {
        public int ParameterCount => 1;

        public int ColumnCount => 0;

        public static void Prepare(in NoColumnsModel model, ReadOnlySpan<double> parameters, Span<double> arguments) => arguments[0] = parameters[0];

        public static void Accumulate<TVec, TRows>(in NoColumnsModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double d = arguments.Get(0) - 3;
            terms.Add(0, -0.5 * d * d);
            terms.Add(1, -d);
        }
    }

    // One session on two threads gave wrong log-likelihoods on the native backend without a word (a trial: 22 of 30):
    // every call either gives the sequential value, bit for bit, or is refused as another thread's while one runs.
    [Fact]
    public void ASessionUsedFromSeveralThreadsRefusesRatherThanErr()
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 200_000).Select(_ => random.NextDouble() * 10).ToArray();
        using var device = ComputeDevice.Open(Backend.Native);
        using var session = new EstimationSession(Exponential(x), device);
        var expected = Enumerable.Range(0, 8).Select(i => session.Evaluate([0.1 + 0.01 * i]).LogLikelihood).ToArray();
        int refused = 0, right = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            for (int r = 0; r < 50; r++)
            {
                int i = (t + r) % 8;
                try
                {
                    double value = session.Evaluate([0.1 + 0.01 * i]).LogLikelihood;
                    Assert.Equal(expected[i], value);
                    Interlocked.Increment(ref right);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("one call at a time", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });
        Assert.Equal(200, right + refused);
        Assert.True(right > 0);
    }

    // A library trial: settings that no search can use were taken (MaxIterations = −5 ended "not converged", a
    // tolerance of −1 "converged"), a start for a fixed parameter and a null prior were dropped without a word, and
    // ParamName held a collinearity message, nothing for a value outside a family's support, "name" for a family.
    [Fact]
    public void SettingsStartsPriorsAndNamesAreCheckedAsTheyEnter()
    {
        Assert.Equal("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerSettings { MaxIterations = -5 }).ParamName);
        Assert.Equal("GradientTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerSettings { GradientTolerance = -1 }).ParamName);
        Assert.Equal("StepTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerSettings { StepTolerance = double.NaN }).ParamName);
        Assert.Equal("RelativeTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerSettings { RelativeTolerance = double.PositiveInfinity }).ParamName);
        Assert.Equal("Memory", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerSettings { Memory = 0 }).ParamName);
        Assert.Equal(0.0, new OptimizerSettings { GradientTolerance = 0 }.GradientTolerance);

        using var device = ComputeDevice.Open(Backend.Native);
        var data = Dataset.FromColumns(("x", [1.0, 2.0, 4.0, 3.5, 2.5]));
        using var session = new EstimationSession(ModelCatalog.Normal(data, "x"), device);
        var both = Assert.Throws<InputException>(() => session.Fit(new FitOptions
        {
            Fixed = new Dictionary<string, double> { ["mu"] = 2 },
            Start = new Dictionary<string, double> { ["mu"] = 3 },
        }));
        Assert.Equal("mu", both.ParamName);
        Assert.Contains("mu is fixed, so it has no starting value", both.Message);
        var unset = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["sigma"] = null! } }));
        Assert.Equal("sigma", unset.ParamName);

        // Collinear columns are refused at the fit, naming the column (a ridge's normal priors would let it go on).
        var collinear = Dataset.FromColumns(("y", [1.0, 2, 3, 5, 4]), ("a", [1.0, 2, 3, 4, 6]), ("b2", [2.0, 4, 6, 8, 12]));
        using (var dependent = new EstimationSession(ModelCatalog.Linear(collinear, "y", ["a", "b2"]), device))
            Assert.Contains("'b2' is a combination of 'a'", Assert.Throws<InputException>(() => dependent.Fit(new FitOptions())).Message);
        var negative = Dataset.FromColumns(("neg", [1.0, -2, 3]));
        Assert.Equal("neg", Assert.Throws<InputException>(() => ModelCatalog.Create("gamma", negative, new ModelColumns(Column: "neg"))).ParamName);
        Assert.Equal("family", Assert.Throws<InputException>(() => GlmNames.Family("binomal")).ParamName);

        // A maximum prints as its numbers (it printed "Estimates = System.Double[]"); Estimator.Fit takes a token.
        var maximum = session.Maximize(new FitOptions(), new Dictionary<string, double> { ["mu"] = 2.5 });
        Assert.Matches(@"^maximum at \(2\.5, 1\.0[0-9]*\): log-likelihood -[0-9.]+; converged \(", maximum.ToString());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => Estimator.Fit(ModelCatalog.Normal(data, "x"), backend: Backend.Native, cancellationToken: cancelled.Token));
    }

    // A library trial: Dispose on one thread while a fit ran on another threw (inside a using, masking the real
    // exception) and left the session undisposed. A fit held inside its call (its model's Prepare waits): Dispose
    // returns at once, the fit goes on to the same answer as an undisposed session's, and the session is disposed when
    // it returns.
    [Fact]
    public async Task DisposeWhileAnotherThreadsCallRunsFreesTheSessionWhenItReturns()
    {
        using var device = ComputeDevice.Open(Backend.Native);
        ModelSpec<HeldExponential> Spec() =>
            new("exponential", new HeldExponential(), [Times], [new ParameterInfo("rate", ParameterDomain.Positive)], [1.0]);
        double expected;
        using (var first = new EstimationSession(Spec(), device))
            expected = first.Fit(new FitOptions()).Parameters[0].Estimate;
        var session = new EstimationSession(Spec(), device);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        HeldExponential.Hold = (inside, release);
        try
        {
            var fit = Task.Run(() => session.Fit(new FitOptions()));
            Assert.True(inside.Wait(TimeSpan.FromSeconds(60)), "the fit did not start");
            session.Dispose();
            release.Set();
            Assert.Equal(expected, (await fit).Parameters[0].Estimate);
        }
        finally
        {
            HeldExponential.Hold = null;
            release.Set();
        }
        Assert.Throws<ObjectDisposedException>(() => session.Evaluate([0.2]));

        // Dispose from code the call itself runs (a review: on the same thread it freed the buffers mid-call, a
        // NullReferenceException natively, a process abort on the CPU accelerator): left to the call's end too.
        var own = new EstimationSession(Spec(), device);
        HeldExponential.During = own.Dispose;
        try
        {
            Assert.Equal(expected, own.Fit(new FitOptions()).Parameters[0].Estimate);
        }
        finally
        {
            HeldExponential.During = null;
        }
        Assert.Throws<ObjectDisposedException>(() => own.Evaluate([0.2]));
    }

    // The README's exponential model, whose Prepare (host side, inside a session's call) waits while Hold is set and
    // runs During once where it is set.
    private readonly struct HeldExponential : ILikelihoodModel<HeldExponential>
    {
        public static (ManualResetEventSlim Inside, ManualResetEventSlim Release)? Hold;

        public static Action? During;

        public int ParameterCount => 1;

        public int ColumnCount => 1;

        public static void Prepare(in HeldExponential model, ReadOnlySpan<double> parameters, Span<double> arguments)
        {
            if (Hold is var (inside, release))
            {
                inside.Set();
                release.Wait();
            }
            if (Interlocked.Exchange(ref During, null) is { } once)
                once();
            MyExponentialModel.Prepare(default, parameters, arguments);
        }

        public static void Accumulate<TVec, TRows>(in HeldExponential model, in TVec arguments, in TRows data, long row, ref TVec terms)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows =>
            MyExponentialModel.Accumulate(default, arguments, data, row, ref terms);
    }

    // From a library trial: a null dataset was a NullReferenceException; an empty parameter name was taken; a
    // Gaussian-mixture fitter ran after Dispose.
    [Fact]
    public void LibraryArgumentsAreCheckedWhereTheyEnter()
    {
        Assert.Throws<ArgumentNullException>(() => ModelCatalog.Normal(null!, "x"));
        // Null names said as the argument's, not as 'key' from inside a dictionary (a second trial).
        var xy = Dataset.FromColumns(("x", [1.0, 2, 3]), ("y", [2.0, 4.5, 5.5]));
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => ModelCatalog.Create(null!, xy, new ModelColumns("x"))).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => NonlinearRegression.FromExpression("a*x", xy, null!, new Dictionary<string, double> { ["a"] = 1 })).ParamName);
        Assert.Equal("columns", Assert.Throws<ArgumentNullException>(() => Dataset.FromColumns((null!, [1.0]))).ParamName);
        Assert.Throws<ArgumentException>(() => new ParameterInfo(" "));
        Assert.Throws<ArgumentNullException>(() => new ParameterInfo(null!));
        Assert.Throws<ArgumentException>(() => new ParameterInfo("rate") with { Name = "" });
        using var device = ComputeDevice.Open(Backend.Native);
        // A fit printed as a summary, not as the record's member types.
        using (var session = new EstimationSession(Exponential(Times), device))
        {
            var fit = session.Fit(new FitOptions());
            Assert.Matches(@"^exponential \(mle, n = 6\): rate = [0-9.]+ \(se [0-9.]+\); log-likelihood -[0-9.]+; converged \(", fit.ToString());
        }
        var a = Enumerable.Range(0, 50).Select(i => (double)(i % 7)).ToArray();
        var b = Enumerable.Range(0, 50).Select(i => (double)(i % 5)).ToArray();
        var fitter = new GaussianMixtureFitter(["a", "b"], [a, b], device);
        fitter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => fitter.Fit(new GaussianMixtureOptions { Starts = 1, Seed = 0, Components = 2 }));
    }

    // Null collections in the options were a NullReferenceException deep in the fit.
    [Fact]
    public void NullOptionsAndColumnsAreNamed()
    {
        using var device = ComputeDevice.Open(Backend.Native);
        using var session = new EstimationSession(Exponential(Times), device);
        Assert.Equal("options.Priors", Assert.Throws<ArgumentNullException>(() => session.Fit(new FitOptions { Priors = null! })).ParamName);
        Assert.Equal("options.Fixed", Assert.Throws<ArgumentNullException>(() => session.Fit(new FitOptions { Fixed = null! })).ParamName);
        Assert.Equal("options.Optimizer", Assert.Throws<ArgumentNullException>(() => session.Fit(new FitOptions { Optimizer = null! })).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => Dataset.FromColumns(("y", null!))).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => ModelCatalog.Linear(null!, "y", ["x"])).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => DataFile.Read(null!, ["x"])).ParamName);
        Assert.Contains("no columns asked for", Assert.Throws<InputException>(() => DataFile.Read("any.csv", [])).Message);
    }

    // The README promises ParamName carries the column concerned; data errors left it null.
    [Fact]
    public void DataErrorsNameTheirColumn()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gpuest-misuse-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "x,y\n1,2\n2,oops\n");
        try
        {
            Assert.Equal("z", Assert.Throws<InputException>(() => DataFile.Read(path, ["z"])).ParamName);
            Assert.Equal("y", Assert.Throws<InputException>(() => DataFile.Read(path, ["x", "y"])).ParamName);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal("x", Assert.Throws<InputException>(() => Dataset.FromColumns(("x", [1.0, double.NaN]))).ParamName);
        Assert.Equal("w", Assert.Throws<InputException>(() => Dataset.FromColumns(("x", [1.0, 2.0])).Column("w")).ParamName);
    }

    // A constant feature and an exact multiple of another were fitted ("converged", a split of no meaning); the
    // formula path refused them naming the columns, and so does ModelCatalog.Linear now.
    [Fact]
    public void ALinearModelOnCollinearColumnsIsRefused()
    {
        double[] y = [1.0, 2.1, 2.9, 4.2, 5.1, 5.8];
        double[] x = [1, 2, 3, 4, 5, 6];
        using var device = ComputeDevice.Open(Backend.Native);
        string Refused(IModelSpec model, FitOptions options)
        {
            using var session = new EstimationSession(model, device);
            return Assert.Throws<InputException>(() => session.Fit(options)).Message;
        }
        var constant = Refused(ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("c", [3.0, 3, 3, 3, 3, 3])), "y", ["c"]), new FitOptions());
        Assert.Contains("collinear", constant);
        var doubled = ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("x", x), ("z", x.Select(v => 2 * v).ToArray())), "y", ["x", "z"]);
        var multiple = Refused(doubled, new FitOptions());
        Assert.Contains("collinear", multiple);
        Assert.Contains("'z' is a combination of 'x'", multiple);
        // A lasso's mode is a set along the combination (|x| + |z| trade off): refused too, with a prior named.
        Assert.Contains("'z' is a combination of 'x'", Refused(doubled, new FitOptions { Map = true, CoefficientPrior = new GpuEstimation.Priors.LaplacePrior(0, 1) }));
    }

    [Fact]
    public void AGaussianMixturesInputsAndOptionsAreChecked()
    {
        var random = new Random(3);
        var a = Enumerable.Range(0, 200).Select(_ => random.NextDouble() + (random.Next(2) == 0 ? 0 : 5)).ToArray();
        var b = Enumerable.Range(0, 200).Select(_ => random.NextDouble()).ToArray();
        using var device = ComputeDevice.Open(Backend.Native);

        Assert.Contains("given twice", Assert.Throws<InputException>(() => new GaussianMixtureFitter(["a", "a"], [a, a], device)).Message);
        Assert.Contains("hold the same values", Assert.Throws<InputException>(() => new GaussianMixtureFitter(["a", "a2"], [a, a.ToArray()], device)).Message);
        // A constant column, or one the others determine: the covariances would be singular (a trial's fits of such
        // columns reported log-likelihoods of +800 to +1,400, set by the covariance floor).
        Assert.Contains("column 'k' is constant (3 in every row)", Assert.Throws<InputException>(() => new GaussianMixtureFitter(["a", "k"], [a, [.. a.Select(_ => 3.0)]], device)).Message);
        Assert.Contains("each less its mean, are linearly dependent: 't' is a combination of 'a'", Assert.Throws<InputException>(() => new GaussianMixtureFitter(["a", "t"], [a, [.. a.Select(v => 2 * v)]], device)).Message);
        // Values too large to square (a trial's 1e169 ended in an internal error): said, naming the column.
        Assert.Contains("column 'h': its values, up to", Assert.Throws<InputException>(() => new GaussianMixtureFitter(["a", "h"], [a, [.. b.Select(v => v * 1e169)]], device)).Message);
        Assert.Contains("'s' is a combination of 'a', 'b'",
            Assert.Throws<InputException>(() => new GaussianMixtureFitter(["a", "b", "s"], [a, b, [.. a.Select((v, i) => v + b[i] + 1)]], device)).Message);
        // Far from zero with a small spread (1e8 ± 1e-3: a trial's columns were called combinations of the constant) the
        // columns are independent, and a column the others determine there is still named.
        double[] farA = [.. a.Select(v => 1e8 + 1e-3 * v)], farB = [.. b.Select(v => 1e8 + 1e-3 * v)];
        using (var far = new GaussianMixtureFitter(["a", "b"], [farA, farB], device))
            Assert.Equal(200, far.Rows);
        var farMessage = Assert.Throws<InputException>(() => new GaussianMixtureFitter(["a", "b", "t"], [farA, farB, [.. farA.Select((v, i) => 2 * v - farB[i])]], device)).Message;
        Assert.Contains("'t' is a combination of", farMessage);
        Assert.Contains("'a', 'b'", farMessage);
        Assert.Throws<ArgumentNullException>(() => new GaussianMixtureFitter(null!, [a], device));
        Assert.Throws<ArgumentNullException>(() => new GaussianMixtureFitter(["a"], [null!], device));

        using var fitter = new GaussianMixtureFitter(["a", "b"], [a, b], device);
        var two = new GaussianMixtureOptions { Starts = 1, Seed = 0, Components = 2 };
        Assert.Equal(nameof(GaussianMixtureOptions.Regularization), Assert.Throws<InputException>(() => fitter.Fit(two with { Regularization = -1 })).ParamName);
        Assert.Equal(nameof(GaussianMixtureOptions.Regularization), Assert.Throws<InputException>(() => fitter.Fit(two with { Regularization = double.NaN })).ParamName);
        Assert.Equal(nameof(GaussianMixtureOptions.Tolerance), Assert.Throws<InputException>(() => fitter.Fit(two with { Tolerance = -1 })).ParamName);
        Assert.Equal(nameof(GaussianMixtureOptions.MaxIterations), Assert.Throws<InputException>(() => fitter.Fit(two with { MaxIterations = 0 })).ParamName);
        // As the one-column mixture's options say it (a trial: an ArgumentOutOfRangeException here, an InputException there).
        Assert.Equal(nameof(GaussianMixtureOptions.Starts), Assert.Throws<InputException>(() => fitter.Fit(two with { Starts = 0 })).ParamName);
        Assert.Equal(nameof(GaussianMixtureOptions.Covariance), Assert.Throws<InputException>(() => fitter.Fit(two with { Covariance = (GaussianMixtureCovariance)42 })).ParamName);
        Assert.Throws<ArgumentNullException>(() => fitter.Fit(null!));

        using var oneColumn = new GaussianMixtureFitter(["a"], [a], device);
        var fit = oneColumn.Fit(two);
        Assert.Contains("1 dimensions", Assert.Throws<ArgumentException>(() => fitter.Responsibilities(fit)).Message);
    }

    // A second library trial: options that no fit can use were taken without a word (a mixture's EM limit of −1 and
    // tolerances of NaN or −1 ran; a one-point grid axis from 1 to 2 swept 1 alone; an optimizer kind of 99 ran as auto;
    // a device for −1 rows opened), the linear model built from no features by ModelCatalog.Linear where Create refused
    // it, and the learning example of −5 points overflowed. Each is refused, naming the option.
    [Fact]
    public void MixtureGridOptimizerDeviceAndExampleOptionsAreCheckedAsTheyEnter()
    {
        using var device = ComputeDevice.Open(Backend.Native);
        var x = NormalSamples.Draw(300, 3, 0, 1).Concat(NormalSamples.Draw(300, 4, 5, 1)).ToArray();
        var spec = MixtureSpec.Create(Dataset.FromColumns(("x", x)), "x", ["normal", "normal"]);
        Assert.Equal(nameof(MixtureOptions.MaxEmIterations), Assert.Throws<InputException>(() => MixtureEstimator.Fit(spec, device, new MixtureOptions { MaxEmIterations = -1 })).ParamName);
        Assert.Equal(nameof(MixtureOptions.EmTolerance), Assert.Throws<InputException>(() => MixtureEstimator.Fit(spec, device, new MixtureOptions { EmTolerance = double.NaN })).ParamName);
        Assert.Equal(nameof(MixtureOptions.EmTolerance), Assert.Throws<InputException>(() => MixtureEstimator.Fit(spec, device, new MixtureOptions { EmTolerance = -1 })).ParamName);
        Assert.Equal(nameof(MixtureOptions.Starts), Assert.Throws<InputException>(() => MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 0 })).ParamName);
        // A mixture fit reads as one in a line: its components, log-likelihood and starts.
        var mixture = MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 2 });
        Assert.Matches(@"^mixture of 2 \(n = 600\): normal 0\.\d+ \(mu1 = .*, sigma1 = .*\) \+ normal .*; log-likelihood -\d+\.\d+; best of 2 starts; converged", mixture.ToString());

        Assert.Contains("a one-point axis sweeps its low end alone", Assert.Throws<InputException>(() => new GridAxis("mu", 1, 2, 1)).Message);
        Assert.Equal(1.0, new GridAxis("mu", 1, 1, 1)[0]);
        Assert.Equal(nameof(OptimizerSettings.Kind), Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerSettings { Kind = (OptimizerKind)99 }).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => ComputeDevice.Open(Backend.Native, null, rows: -1)).ParamName);
        var data = Dataset.FromColumns(("y", [1.0, 2, 4, 3]), ("x", [1.0, 2, 3, 4]));
        Assert.Contains("needs at least one feature column", Assert.Throws<InputException>(() => ModelCatalog.Linear(data, "y", [])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GpuEstimation.Demo.LearningExample.Generate(-5));
    }

    // A library trial: a Poisson GLM built from columns (ModelColumns, no design matrix) could not predict, the error
    // pointing at a design matrix that was never there. FittedDesign.FromColumns gives the design it was built from; the
    // predicted mean is exp(b0 + b1 x + offset) row by row.
    [Fact]
    public void ARegressionBuiltFromColumnsPredictsWithItsColumnsDesign()
    {
        var random = new Random(12);
        var x = Enumerable.Range(0, 500).Select(_ => random.NextDouble() * 2).ToArray();
        var o = Enumerable.Range(0, 500).Select(_ => Math.Log(1 + random.NextDouble())).ToArray();
        var y = x.Select((v, i) => (double)MathNet.Numerics.Distributions.Poisson.Sample(random, Math.Exp(0.3 + 0.7 * v + o[i]))).ToArray();
        var model = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x", x), ("o", o)), new ModelColumns(Y: "y", X: ["x"]) { Family = "poisson", Offset = "o" });
        using var device = ComputeDevice.Open(Backend.Native);
        using var session = new EstimationSession(model, device);
        var fit = GpuEstimation.Results.RegressionReport.Complete(session.Fit(new FitOptions()), model, device);
        Assert.Contains("FittedDesign.FromColumns", Assert.Throws<ArgumentException>(() => GpuEstimation.Results.FittedRegression.Of(fit)).Message);
        var design = GpuEstimation.Design.FittedDesign.FromColumns("y", ["x"], intercept: true, offset: "o");
        Assert.Equal("y ~ x + offset(o)", design.Formula);
        var complete = GpuEstimation.Results.RegressionReport.Complete(fit, model, device, design);
        var prediction = GpuEstimation.Results.FittedRegression.Of(complete).Predict(Dataset.FromColumns(("x", [0.0, 1.5]), ("o", [0.0, 0.25])));
        double[] expected = [Math.Exp(fit["intercept"]), Math.Exp(fit["intercept"] + 1.5 * fit["x"] + 0.25)];
        for (int i = 0; i < 2; i++)
            Assert.True(Numerics.Relative(prediction.Mean[i], expected[i]) <= 1e-12, $"{i}: {prediction.Mean[i]:R} vs {expected[i]:R}");
    }

    // A fit's line says what its standard errors are where they are robust, and a MAP fit's log-posterior (a trial saw
    // an HC0 fit and a non-robust one print alike).
    [Fact]
    public void AFitsLineNamesRobustErrorsAndTheLogPosterior()
    {
        using var device = ComputeDevice.Open(Backend.Native);
        var x = NormalSamples.Draw(500, 8, 2, 1.5);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), device);
        var plain = session.Fit(new FitOptions()).ToString();
        Assert.DoesNotContain("standard errors", plain);
        Assert.DoesNotContain("log-posterior", plain);
        Assert.Contains("; standard errors HC0;", session.Fit(new FitOptions { Covariance = CovarianceType.HC0 }).ToString());
        var map = session.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["mu"] = new GpuEstimation.Priors.NormalPrior(0, 10) } });
        Assert.Contains($"; log-posterior {map.LogPosterior!.Value.ToString("G12", System.Globalization.CultureInfo.InvariantCulture)};", map.ToString());
    }

    // A scipy trial: a Gaussian mixture of data ×1e100 said its information was singular; its entries for the
    // covariances (1/variance²) are beyond the doubles, and the note now says so, with what to do.
    [Fact]
    public void AGaussianMixtureOfHugeDataSaysWhyItHasNoStandardErrors()
    {
        using var device = ComputeDevice.Open(Backend.Native);
        var a = NormalSamples.Draw(300, 31, 0, 1).Concat(NormalSamples.Draw(300, 32, 5, 1)).Select(v => v * 1e100).ToArray();
        var b = NormalSamples.Draw(600, 33, 0, 1).Select(v => v * 1e100).ToArray();
        using var fitter = new GaussianMixtureFitter(["a", "b"], [a, b], device);
        var fit = fitter.Fit(new GaussianMixtureOptions { Components = 2, Starts = 2 });
        Assert.True(fit.Converged);
        Assert.Contains(fit.Notes, note => note.StartsWith("no standard errors: the columns' variances are too large or too small", StringComparison.Ordinal));
        Assert.DoesNotContain(fit.Notes, note => note.Contains("singular", StringComparison.Ordinal));
    }

    // A library user's long fit can be cancelled (a trial: there was no CancellationToken anywhere). A token cancelled
    // before the call stops each entry point before its first pass; a sweep cancelled from its progress report stops
    // before its next tile; the session takes its next call as if nothing had happened.
    [Fact]
    public void FitsSweepsAndMixturesCanBeCancelled()
    {
        using var device = ComputeDevice.Open(Backend.Native);
        var x = NormalSamples.Draw(20_000, 5, 2, 1.5);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), device);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => session.Fit(new FitOptions(), cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => session.Maximize(new FitOptions(), null, cancelled.Token));
        var grid = new GpuEstimation.Surfaces.SweepOptions { Axes = [new GpuEstimation.Surfaces.GridAxis("mu", 1, 3, 2000)], At = new Dictionary<string, double> { ["sigma"] = 1.5 } };
        Assert.Throws<OperationCanceledException>(() => GpuEstimation.Surfaces.Sweeper.Sweep(session, grid, null, cancelled.Token));

        // Cancelled after its first tile: the sweep stops there (the grid's tiles are of 5,000 points at 20,000 rows).
        using var midway = new CancellationTokenSource();
        int reports = 0;
        var progress = new Progress(_ => { reports++; midway.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => GpuEstimation.Surfaces.Sweeper.Sweep(session, grid with { Axes = [new GpuEstimation.Surfaces.GridAxis("mu", 1, 3, 200_000)] }, progress, midway.Token));
        Assert.Equal(1, reports);

        var fit = session.Fit(new FitOptions());
        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal(x.Average(), fit["mu"], 12);

        var mixture = MixtureSpec.Create(Dataset.FromColumns(("x", x)), "x", ["normal", "normal"]);
        Assert.Throws<OperationCanceledException>(() => MixtureEstimator.Fit(mixture, device, new MixtureOptions { Starts = 1 }, cancelled.Token));
        using var fitter = new GaussianMixtureFitter(["a", "b"], [x, [.. x.Select((v, i) => v * v + i % 7)]], device);
        Assert.Throws<OperationCanceledException>(() => fitter.Fit(new GaussianMixtureOptions { Components = 2, Starts = 1 }, cancelled.Token));
    }

    // Reports synchronously, on the reporting thread (System.Progress posts to the thread pool).
    private sealed class Progress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}

/// <summary>
/// <typeparamref name="TModel"/> with a hook run at each Prepare while set (a test's Dispose inside a fit, on the fit's
/// thread); everything else is the inner model's.
/// </summary>
public readonly struct PrepareHook<TModel>(TModel inner) : ILikelihoodModel<PrepareHook<TModel>>
    where TModel : unmanaged, ILikelihoodModel<TModel>
{
    /// <summary>Run at the next Prepare (the test clears it).</summary>
    public static Action? OnPrepare;

    private readonly TModel _inner = inner;

    public int ParameterCount => _inner.ParameterCount;

    public int ColumnCount => _inner.ColumnCount;

    public static int ArgumentCount(in PrepareHook<TModel> model) => TModel.ArgumentCount(model._inner);

    public static void Prepare(in PrepareHook<TModel> model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        OnPrepare?.Invoke();
        TModel.Prepare(model._inner, parameters, arguments);
    }

    public static void Finish(in PrepareHook<TModel> model, ReadOnlySpan<double> parameters, Span<double> gradient) =>
        TModel.Finish(model._inner, parameters, gradient);

    public static void Accumulate<TVec, TRows>(in PrepareHook<TModel> model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows =>
        TModel.Accumulate(model._inner, arguments, data, row, ref terms);
}
