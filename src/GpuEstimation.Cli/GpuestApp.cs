using System.Diagnostics;
using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Demo;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Priors;
using GpuEstimation.Results;
using GpuEstimation.Surfaces;
using GpuEstimation.Plots;
using Spectre.Console;

namespace GpuEstimation.Cli;

/// <summary>
/// The <c>gpuest</c> command line. Exit codes: 0 success, 2 bad input (one line on stderr, no stack trace), 3 a fit
/// that did not converge, 1 an unexpected failure (also one line).
/// </summary>
public static class GpuestApp
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int NotConverged = 3;

    // Options that take no value; --profile is one for sweep (fit's --profile takes parameter names).
    private static readonly IReadOnlySet<string> Flags = new HashSet<string> { "map", "help" };
    private static readonly IReadOnlySet<string> SweepFlags = new HashSet<string> { "map", "help", "profile" };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                output.Write(Usage);
                return Ok;
            }
            var arguments = new Arguments(args.Skip(1), args[0] == "sweep" ? SweepFlags : Flags);
            return args[0] switch
            {
                "fit" => Fit(arguments, output),
                "eval" => Eval(arguments, output),
                "demo" => RunDemo(arguments, output),
                "sweep" => Sweep(arguments, output),
                "plot" => Plot(arguments, output),
                "devices" => Devices(arguments, output),
                "models" => Models(arguments, output),
                _ => throw new InputException($"unknown command '{args[0]}' (commands: fit, eval, sweep, plot, demo, devices, models, help)"),
            };
        }
        catch (InputException e)
        {
            error.WriteLine($"gpuest: {e.Message}");
            return BadInput;
        }
        catch (Exception e)
        {
            error.WriteLine($"gpuest: internal error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return Failure;
        }
    }

    private static int Fit(Arguments arguments, TextWriter output)
    {
        var model = LoadModel(arguments);
        var options = FitOptionsFrom(arguments, model);
        options = options with
        {
            Level = arguments.Single("level") is { } level ? Arguments.ParseNumber("--level", level) : 0.95,
            Profile = ParseProfile(arguments.Single("profile"), model, options.Fixed),
        };
        var (backend, threads) = DeviceOptions(arguments);
        int repeat = arguments.Int("repeat", 0, 1);
        var json = arguments.Single("json");
        arguments.RejectUnknown("fit");

        using var device = ComputeDevice.Open(backend, threads);
        using var session = new EstimationSession(model, device);
        var fit = session.Fit(options);
        // Warm timing: the same fit again with the data on the device and the code compiled.
        double? fitMs = repeat > 0 ? WarmTiming.MedianMs(repeat, () => fit = session.Fit(options)) : null;
        WriteFit(output, fit);
        if (fitMs is { } ms)
            output.WriteLine($"fit time {ms.ToString("0.000", CultureInfo.InvariantCulture)} ms (median of {repeat} repeated fits, data on the device)");
        if (json is not null)
            WriteFile(json, JsonReport.Fit(fit, fitMs));
        return fit.Converged ? Ok : NotConverged;
    }

    private static int Sweep(Arguments arguments, TextWriter output)
    {
        var model = LoadModel(arguments);
        var options = new SweepOptions
        {
            Axes = arguments.Values("grid").Select(CliParsers.GridAxis).ToArray(),
            At = arguments.Numbers("at"),
            Profile = arguments.Flag("profile"),
            Fit = FitOptionsFrom(arguments, model),
            Estimates = arguments.Single("png") is not null,
        };
        var (backend, threads) = DeviceOptions(arguments);
        var csv = arguments.Single("out");
        var json = arguments.Single("json");
        var png = arguments.Single("png");
        int repeat = arguments.Int("repeat", 0, 1);
        arguments.RejectUnknown("sweep");

        using var device = ComputeDevice.Open(backend, threads);
        using var session = new EstimationSession(model, device);
        var sweep = SweepWithProgress(session, options, output);
        // Warm timing: the same sweep again with the data on the device and the kernels compiled.
        double? sweepMs = repeat > 0 ? WarmTiming.MedianMs(repeat, () => sweep = Sweeper.Sweep(session, options)) : null;

        var values = sweep.LogPosterior ?? sweep.LogLikelihood;
        output.WriteLine($"model {sweep.Model}, {sweep.N:N0} observations, device {sweep.Device}");
        output.WriteLine($"{(sweep.Profile ? "profile" : "sweep")} over {string.Join(" x ", sweep.Axes.Select(a => $"{a.Name} {Format(a.Low, 6)}..{Format(a.High, 6)} ({a.Count})"))}: " +
            $"{sweep.Points.Length:N0} points in {sweep.ElapsedMs.ToString("0.0", CultureInfo.InvariantCulture)} ms " +
            $"({(sweep.PointEvaluationsPerSecond / 1e9).ToString("0.###", CultureInfo.InvariantCulture)} G point-evaluations/s)");
        output.WriteLine($"largest {(sweep.LogPosterior is null ? "log-likelihood" : "log-posterior")} on the grid {Format(values.Max())} at " +
            string.Join(", ", sweep.Parameters.Select((name, k) => $"{name} = {Format(sweep.Points[Array.IndexOf(values, values.Max())][k], 8)}")));
        if (sweep.Base is { } fit)
            output.WriteLine($"off-grid parameters from the {fit.Method.ToUpperInvariant()}: log-likelihood there {Format(fit.LogLikelihood)}");
        if (sweepMs is { } ms)
            output.WriteLine($"sweep time {ms.ToString("0.000", CultureInfo.InvariantCulture)} ms (median of {repeat} repeated sweeps, data on the device: " +
                $"{((double)sweep.Points.Length * sweep.N / ms / 1e6).ToString("0.###", CultureInfo.InvariantCulture)} G point-evaluations/s)");
        if (sweep.NotConverged > 0)
            output.WriteLine($"note: {sweep.NotConverged} profile fits did not converge; their rows hold the last point reached");
        if (csv is not null)
            WriteFile(csv, SurfaceReport.Csv(sweep), "--out");
        if (png is not null)
        {
            if (sweep.Axes.Count == 2)
                SurfacePlots.Heatmap(sweep, png);
            else if (sweep.Axes.Count == 1)
                SurfacePlots.Curve(sweep, png);
            else
                throw new InputException($"--png: pictures are drawn for one- or two-axis grids, this one has {sweep.Axes.Count}");
            output.WriteLine($"picture: {png}");
        }
        if (json is not null)
            WriteFile(json, SurfaceReport.Json(sweep, sweepMs));
        return sweep.NotConverged == 0 ? Ok : NotConverged;
    }

    /// <summary>
    /// Runs the sweep; once it has taken a second and is not done, shows a progress bar (on a terminal; piped output
    /// gets no bar) for the rest.
    /// </summary>
    private static SweepResult SweepWithProgress(EstimationSession session, SweepOptions options, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        using var done = new ManualResetEventSlim();
        double fraction = 0;
        Task? bar = null;
        var reporter = new SynchronousProgress(value =>
        {
            Volatile.Write(ref fraction, value);
            if (bar is null && value < 1 && clock.Elapsed.TotalSeconds > 1 && output == Console.Out && !Console.IsOutputRedirected)
            {
                bar = Task.Run(() => AnsiConsole.Progress().Start(context =>
                {
                    var task = context.AddTask("sweeping", maxValue: 1);
                    while (!done.IsSet)
                    {
                        task.Value = Volatile.Read(ref fraction);
                        done.Wait(100);
                    }
                    task.Value = 1;
                }));
            }
        });
        try
        {
            return Sweeper.Sweep(session, options, reporter);
        }
        finally
        {
            done.Set();
            bar?.Wait();
        }
    }

    /// <summary>An IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    private static int Eval(Arguments arguments, TextWriter output)
    {
        var model = LoadModel(arguments);
        var at = arguments.Numbers("at");
        var missing = model.Parameters.Where(p => !at.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        var unknown = at.Keys.Where(k => model.Parameters.All(p => p.Name != k)).ToList();
        if (unknown.Count > 0)
            throw new InputException($"--at {unknown[0]}: model '{model.Name}' has no parameter '{unknown[0]}' (parameters: {string.Join(", ", model.Parameters.Select(p => p.Name))})");
        if (missing.Count > 0)
            throw new InputException($"--at: missing value for {string.Join(", ", missing)}");
        int repeat = arguments.Int("repeat", 0, 1);
        var (backend, threads) = DeviceOptions(arguments);
        var json = arguments.Single("json");
        arguments.RejectUnknown("eval");

        var point = model.Parameters.Select(p => at[p.Name]).ToArray();
        using var device = ComputeDevice.Open(backend, threads);
        using var session = new EstimationSession(model, device);
        var evaluation = session.Evaluate(point);
        double? evalMs = repeat > 0 ? session.TimeEvaluation(point, repeat) : null;

        output.WriteLine($"model {model.Name}, {evaluation.N:N0} observations, device {evaluation.Device}");
        output.WriteLine($"{"parameter",-16} {"value",22} {"d logL / d param",22}");
        for (int k = 0; k < point.Length; k++)
            output.WriteLine($"{evaluation.Names[k],-16} {Format(point[k]),22} {Format(evaluation.Gradient[k]),22}");
        output.WriteLine($"log-likelihood   {Format(evaluation.LogLikelihood)}");
        if (evalMs is { } ms)
            output.WriteLine($"evaluation time  {ms.ToString("0.000", CultureInfo.InvariantCulture)} ms (median of {repeat}, data on the device)");
        if (json is not null)
            WriteFile(json, JsonReport.Evaluation(model.Name, evaluation, evalMs));
        return Ok;
    }

    /// <summary>The learning example as a picture: data, MLE and MAP lines, and for small data each point's likelihood.</summary>
    private static int Plot(Arguments arguments, TextWriter output)
    {
        int points = arguments.Int("points", 30, 2);
        var png = arguments.Single("png") ?? "learning-example.png";
        // With few points a prior must be wider than the demo's (set for 10⁶ points) to leave the data a say.
        double priorSd = arguments.Single("prior-sd") is { } text ? Arguments.ParseNumber("--prior-sd", text) : 0.04;
        if (!(priorSd > 0))
            throw new InputException($"--prior-sd {priorSd}: must be positive");
        var (backend, threads) = DeviceOptions(arguments);
        arguments.RejectUnknown("plot");
        var (data, mle, map, logDensities) = FitLearningExample(points, priorSd, backend, threads);
        SurfacePlots.LearningExample(data.Column("x"), data.Column("y"), mle, map, logDensities, png);
        output.WriteLine($"picture: {png} ({points:N0} points, MLE and MAP (slope prior Normal(0, {priorSd})) lines" +
            $"{(points <= 40 ? ", each point labelled with its log-likelihood" : "")})");
        return mle.Converged && map.Converged ? Ok : NotConverged;
    }

    private static (Dataset Data, FitResult Mle, FitResult Map, double[] LogDensities) FitLearningExample(int points, double priorSd, Backend backend, int? threads)
    {
        var data = LearningExample.Generate(points);
        var spec = ModelCatalog.Linear(data, "y", ["x"]);
        using var device = ComputeDevice.Open(backend, threads);
        using var session = new EstimationSession(spec, device);
        var mle = session.Fit(new FitOptions());
        var map = session.Fit(new FitOptions
        {
            Map = true,
            Priors = new Dictionary<string, Prior> { ["x"] = new NormalPrior(0, priorSd) },
        });
        return (data, mle, map, session.LogDensities(mle.Parameters.Select(p => p.Estimate).ToArray()));
    }

    private static int RunDemo(Arguments arguments, TextWriter output)
    {
        int points = arguments.Int("points", LearningExample.DefaultPoints, 10);
        var pictures = arguments.Single("pictures") ?? ".";
        var (backend, threads) = DeviceOptions(arguments);
        arguments.RejectUnknown("demo");

        var data = LearningExample.Generate(points);
        output.WriteLine($"Learning example: {points:N0} points of y = {LearningExample.Slope}·x + {LearningExample.Intercept} + Normal(0, {LearningExample.NoiseSd}),");
        output.WriteLine($"x uniform on [0, 10), every {LearningExample.OutlierEvery:N0}th point lifted by {LearningExample.OutlierShift} (outliers).");
        output.WriteLine();

        var spec = ModelCatalog.Linear(data, "y", ["x"]);
        using var device = ComputeDevice.Open(backend, threads);
        using var session = new EstimationSession(spec, device);
        var mle = session.Fit(new FitOptions());
        var priorSd = LearningExample.DemoSlopePriorSd;
        var map = session.Fit(new FitOptions
        {
            Map = true,
            Priors = new Dictionary<string, Prior> { ["x"] = new NormalPrior(0, priorSd) },
        });

        var x = data.Column("x");
        var y = data.Column("y");
        var (ls, lsSigma) = LinearClosedForm.LeastSquares(y, [x]);
        var ridge = LinearClosedForm.Ridge(y, [x], map["sigma"], priorSd);

        output.WriteLine($"MLE (Gaussian noise: the least-squares line), device {mle.Device}");
        WriteComparison(output, mle, [ls[0], ls[1], lsSigma], "least squares (QR)");
        output.WriteLine();
        output.WriteLine($"MAP with prior x ~ Normal(0, {priorSd}) on the slope, flat on the intercept and sigma (the ridge solution)");
        WriteComparison(output, map, [ridge[0], ridge[1], double.NaN], "ridge closed form at MAP sigma");
        output.WriteLine();
        output.WriteLine($"Each point's likelihood under the MLE line: f(y | x) = Normal(y; {Format(mle["intercept"])} + {Format(mle["x"])}·x, {Format(mle["sigma"])}).");
        output.WriteLine($"{"x",12} {"y",12} {"log f(y|x)",14}");
        var logDensities = session.LogDensities(mle.Parameters.Select(p => p.Estimate).ToArray());
        foreach (int i in new[] { 0, 1, 2, LearningExample.OutlierEvery - 1 })
        {
            if (i >= points)
                continue;
            output.WriteLine($"{x[i],12:F4} {y[i],12:F4} {logDensities[i],14:F4}{(i % LearningExample.OutlierEvery == LearningExample.OutlierEvery - 1 ? "   (an outlier)" : "")}");
        }

        // Pictures: the data with both lines, and the (intercept, slope) surface around the MLE with its regions.
        Directory.CreateDirectory(pictures);
        var linePicture = Path.Combine(pictures, "gpuest-demo-fit.png");
        var surfacePicture = Path.Combine(pictures, "gpuest-demo-surface.png");
        SurfacePlots.LearningExample(x, y, mle, map, logDensities, linePicture);
        var se = (mle.Get("intercept").StdError ?? 0.01, mle.Get("x").StdError ?? 0.01);
        var surface = Sweeper.Sweep(session, new SweepOptions
        {
            Axes =
            [
                new GridAxis("intercept", mle["intercept"] - 4 * se.Item1, mle["intercept"] + 4 * se.Item1, 48),
                new GridAxis("x", mle["x"] - 4 * se.Item2, mle["x"] + 4 * se.Item2, 48),
            ],
            At = new Dictionary<string, double> { ["sigma"] = mle["sigma"] },
        });
        // The ridge solution sits off the likelihood's peak, towards the prior's centre: both are marked.
        SurfacePlots.Heatmap(surface with { Estimates = [new("MLE", mle.Parameters.Select(p => p.Estimate).ToArray()), new("MAP", map.Parameters.Select(p => p.Estimate).ToArray())] },
            surfacePicture);
        output.WriteLine();
        output.WriteLine($"pictures: {linePicture}, {surfacePicture}");
        return mle.Converged && map.Converged ? Ok : NotConverged;
    }

    private static int Devices(Arguments arguments, TextWriter output)
    {
        arguments.RejectUnknown("devices");
        foreach (var device in ComputeDevice.List())
            output.WriteLine(device.ToString());
        return Ok;
    }

    private static int Models(Arguments arguments, TextWriter output)
    {
        arguments.RejectUnknown("models");
        foreach (var line in ModelCatalog.Models.Select(m => $"{m.Name,-12} parameters: {m.Parameters}; support: {m.Support}"))
            output.WriteLine(line);
        return Ok;
    }

    private static (Backend Backend, int? Threads) DeviceOptions(Arguments arguments)
    {
        var backend = CliParsers.Backend(arguments.Single("device") ?? "auto");
        int threads = arguments.Int("threads", 0, 1);
        return (backend, threads > 0 ? threads : null);
    }

    private static IModelSpec LoadModel(Arguments arguments)
    {
        var name = arguments.Required("model", $"one of {string.Join(", ", ModelCatalog.Names)}");
        var path = arguments.Required("data", "a CSV file with a header row, or a NumPy .npy array");
        var columns = new ModelColumns(
            arguments.Single("column"),
            arguments.Single("y"),
            arguments.Single("x")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            arguments.Single("trials") is { } trials ? Arguments.ParseNumber("--trials", trials) : null,
            arguments.Single("trials-column"));
        if (!ModelCatalog.Names.Contains(name))
            throw new InputException($"--model: unknown model '{name}' (available: {string.Join(", ", ModelCatalog.Names)})");
        var wanted = new List<string>();
        if (columns.Column is not null)
            wanted.Add(columns.Column);
        if (columns.Y is not null)
            wanted.Add(columns.Y);
        wanted.AddRange(columns.X ?? []);
        if (columns.TrialsColumn is not null)
            wanted.Add(columns.TrialsColumn);
        var data = DataFile.Read(path, wanted.Distinct().ToList());
        return ModelCatalog.Create(name, data, columns);
    }

    private static OptimizerKind ParseOptimizer(string? text) => text switch
    {
        null or "lbfgs" => OptimizerKind.Lbfgs,
        "gradient" => OptimizerKind.GradientAscent,
        _ => throw new InputException($"--optimizer: unknown optimizer '{text}' (expected lbfgs or gradient)"),
    };

    /// <summary>MLE or MAP, priors, fixed parameters, starts and the optimizer: what fit and sweep share.</summary>
    private static FitOptions FitOptionsFrom(Arguments arguments, IModelSpec model) => new()
    {
        Map = arguments.Flag("map"),
        Priors = arguments.Pairs("prior").ToDictionary(p => p.Name, p => CliParsers.Prior(p.Value, p.Name), StringComparer.Ordinal),
        Fixed = arguments.Numbers("fix"),
        Start = arguments.Numbers("start"),
        Optimizer = new OptimizerSettings
        {
            Kind = ParseOptimizer(arguments.Single("optimizer")),
            MaxIterations = arguments.Int("max-iter", 1000, 1),
        },
    };

    // "all" means every estimated parameter: a fixed one has no interval (naming it explicitly is an error).
    private static IReadOnlyList<string> ParseProfile(string? text, IModelSpec model, IReadOnlyDictionary<string, double> fixes)
    {
        if (text is null)
            return [];
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names is ["all"] ? model.Parameters.Select(p => p.Name).Where(name => !fixes.ContainsKey(name)).ToArray() : names;
    }

    /// <summary>A summary like statsmodels': estimate, standard error, z, p-value, Wald interval, profile interval.</summary>
    private static void WriteFit(TextWriter output, FitResult fit)
    {
        output.WriteLine($"model {fit.Model} ({fit.Method.ToUpperInvariant()}), {fit.N:N0} observations, device {fit.Device}");
        string lo = ((1 - fit.Level) / 2).ToString("0.###", CultureInfo.InvariantCulture);
        string hi = ((1 + fit.Level) / 2).ToString("0.###", CultureInfo.InvariantCulture);
        bool profiles = fit.Parameters.Any(p => p.Profile is not null);
        output.WriteLine($"{"parameter",-14} {"estimate",16} {"std err",12} {"z",9} {"P>|z|",8} {"[" + lo,13} {hi + "]",13}" +
            (profiles ? $" {"profile [" + lo,17} {hi + "]",13}" : ""));
        foreach (var p in fit.Parameters)
        {
            var line = $"{p.Name,-14} {Format(p.Estimate, 10),16} ";
            if (p.Fixed)
                line += $"{"(fixed)",12}";
            else
                line += $"{Format(p.StdError, 5),12} {Fixed(p.Z, "0.00"),9} {Fixed(p.PValue, "0.000"),8} {Format(p.Wald?.Lower, 6),13} {Format(p.Wald?.Upper, 6),13}";
            if (profiles && p.Profile is { } profile)
                line += $" {Format(profile.Lower, 6, "open"),17} {Format(profile.Upper, 6, "open"),13}";
            output.WriteLine(line.TrimEnd());
        }
        output.WriteLine($"log-likelihood {Format(fit.LogLikelihood)}" + (fit.LogPosterior is { } lp ? $", log-posterior {Format(lp)}" : "") +
            $"; k = {fit.FreeParameters} estimated, n = {fit.N}; AIC {Format(fit.Aic, 10)}, BIC {Format(fit.Bic, 10)}");
        WriteConvergence(output, fit);
        output.WriteLine($"Hessian at the optimum: {fit.Diagnostics.Hessian}; gradient {Format(fit.Diagnostics.GradientNorm, 3)} (standard-error units), EDM {Format(fit.Diagnostics.Edm, 3)}");
        foreach (var note in fit.Diagnostics.Notes)
            output.WriteLine($"note: {note}");
    }

    private static void WriteComparison(TextWriter output, FitResult fit, double[] reference, string referenceName)
    {
        output.WriteLine($"{"parameter",-12} {"estimate",20} {referenceName,32} {"relative difference",20}");
        for (int k = 0; k < fit.Parameters.Count; k++)
        {
            var p = fit.Parameters[k];
            string exact = double.IsNaN(reference[k]) ? "" : Format(reference[k]);
            string diff = double.IsNaN(reference[k]) ? "" : (Math.Abs(p.Estimate - reference[k]) / Math.Abs(reference[k])).ToString("0.0e+00", CultureInfo.InvariantCulture);
            output.WriteLine($"{p.Name,-12} {Format(p.Estimate),20} {exact,32} {diff,20}");
        }
        output.WriteLine($"log-likelihood {Format(fit.LogLikelihood)}{(fit.LogPosterior is { } lp ? $", log-posterior {Format(lp)}" : "")}");
        WriteConvergence(output, fit);
    }

    private static void WriteConvergence(TextWriter output, FitResult fit) =>
        output.WriteLine(
            $"{(fit.Converged ? "converged" : "NOT CONVERGED")} ({fit.Reason}); {fit.Optimizer}, {fit.Iterations} iterations, " +
            $"{fit.Evaluations} evaluations, {fit.ElapsedMs.ToString("0.0", CultureInfo.InvariantCulture)} ms");

    private static string Format(double value) => value.ToString("G12", CultureInfo.InvariantCulture);

    private static string Format(double? value, int digits, string missing = "-") =>
        value is { } v ? v.ToString("G" + digits, CultureInfo.InvariantCulture) : missing;

    private static string Fixed(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static void WriteFile(string path, string text, string option = "--json")
    {
        try
        {
            File.WriteAllText(path, text.EndsWith('\n') ? text : text + Environment.NewLine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{option} {path}: {e.Message}");
        }
    }

    private const string Usage = """
        gpuest: maximum-likelihood and MAP estimation on the GPU (CUDA, OpenCL) or on all CPU cores (native).

        Commands
          gpuest demo [--points N] [--pictures DIR] [--device D]
              The learning example: y = 0.5·x + 0.4 + noise, fitted by MLE and MAP beside the closed forms.
          gpuest fit --model FAMILY --data FILE.csv --column x [options]     (gpuest models lists the families)
          gpuest fit --model binomial --data FILE.csv --column k --trials N | --trials-column n
          gpuest fit --model linear --data FILE.csv --y y --x x1,x2,... [options]
              --data FILE.npy reads a NumPy array instead: a 1-D array is column 0, a 2-D array's columns are
              0, 1, ... (e.g. --column 0, or --y 0 --x 1,2).
              Options: --map, --prior NAME=normal(m,s)|laplace(l,b)|halfnormal(s)|gamma(a,b)|flat,
                       --fix NAME=VALUE, --start NAME=VALUE, --optimizer lbfgs|gradient, --max-iter N,
                       --level 0.95, --profile NAME,...|all (profile-likelihood intervals),
                       --device auto|cuda|opencl|native|cpu, --threads N (native), --json OUT.json,
                       --repeat N (time N more fits, median, as fitMs)
          gpuest eval --model M --data FILE.csv ... --at NAME=VALUE,... [--repeat N] [--device D] [--json OUT.json]
              The log-likelihood and its gradient at given parameters; --repeat times one evaluation (median).
          gpuest sweep --model M --data FILE.csv ... --grid NAME=LOW:HIGH:COUNT [--grid ...] [--at NAME=V,...]
                       [--profile] [--map --prior ...] [--out surface.csv] [--json surface.json] [--png surface.png]
                       [--repeat N]
              The log-likelihood (log-posterior for MAP) over a grid; the other parameters at --at values or at
              the fit's estimate, or re-optimized at every point with --profile; --repeat times N more sweeps
              (median, as sweepMs).
          gpuest plot [--points N] [--prior-sd A] [--png FILE]
              The learning example as a picture: the data, the MLE and MAP lines, and for 40 points or fewer
              each point labelled with its log-likelihood.
          gpuest models     the models and their parameters
          gpuest devices    the accelerators found, and why any is unusable

        Exit codes: 0 ok, 2 bad input, 3 the fit did not converge, 1 internal error.

        """;
}
