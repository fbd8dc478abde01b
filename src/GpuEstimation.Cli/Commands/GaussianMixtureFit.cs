using System.CommandLine;
using System.Globalization;
using GpuEstimation.Cli.Options;
using GpuEstimation.Cli.Output;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Mixtures;
using GpuEstimation.Plots;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest fit --model gaussian-mixture --x a,b,... --components K</c>: EM on the device, the table, JSON and picture.</summary>
internal static class GaussianMixtureFit
{
    /// <summary>The model name that routes a fit here.</summary>
    public const string ModelName = "gaussian-mixture";

    public static int Run(ParseResult parse, DataOptions data, MixtureCliOptions mixture, DeviceOptions deviceOptions,
        int? maxSteps, bool standardErrors, int? repeat, string? json)
    {
        var output = parse.InvocationConfiguration.Output;
        var columns = parse.GetValue(data.X) is { Length: > 0 } named ? named : throw new InputException("--model gaussian-mixture needs --x NAME,...: the columns of the points");
        var components = parse.GetValue(mixture.Components) ?? throw new InputException("--model gaussian-mixture needs --components K (or a range A:B, chosen by BIC)");
        if (components.Families is not null || components.Family is not null)
            throw new InputException($"--components: --model gaussian-mixture takes a number K or a range A:B of Gaussian components, not families");
        var png = parse.GetValue(mixture.Png);
        var assign = parse.GetValue(mixture.Assign);
        foreach (var (flag, path) in new[] { ("--json", json), ("--assign", assign), ("--png", png) })
        {
            if (path is not null)
                OutputFile.Check(flag, path, data.DataPath(parse));
        }
        OutputFile.CheckDistinct(("--json", json), ("--assign", assign), ("--png", png));
        var options = new Mixtures.GaussianMixtureOptions
        {
            Components = components.From,
            Covariance = parse.GetValue(mixture.Covariance) ?? GaussianMixtureCovariance.Full,
            Starts = parse.GetValue(mixture.Starts),
            Seed = parse.GetValue(mixture.Seed),
            StandardErrors = standardErrors,
        };
        if (maxSteps is { } steps)
            options = options with { MaxIterations = steps };
        var dataset = DataFile.Read(data.DataPath(parse), columns, null, data.Missing(parse));
        int? dropped = parse.GetValue(data.DropMissing) ? dataset.DroppedRows : null;
        var values = columns.Select(c => dataset.Column(c).AsArray()).ToArray();
        using var device = deviceOptions.Open(parse, dataset.Rows);
        using var fitter = new GaussianMixtureFitter(columns, values, device);
        ComponentCountTable<Assignable>? table = null;
        GaussianMixtureResult fit;
        if (components.IsRange)
        {
            table = ComponentCountTable<Assignable>.Choose(components.From, components.To,
                k => new Assignable(fitter.Fit(options with { Components = k }), fitter));
            fit = table.Best.Fit;
            options = options with { Components = fit.Components.Count };
        }
        else
        {
            fit = fitter.Fit(options);
        }
        double? fitMs = repeat is { } count ? WarmTiming.MedianMs(count, () => fit = fitter.Fit(options)) : null;
        if (table is not null)
            ComponentCountOutput.Write(output, table.Rows, table.BestIndex, table.Notes);
        Write(output, fit);
        DroppedRows.Write(output, dropped, dataset.Rows);
        if (fitMs is { } ms)
            output.WriteLine($"fit time {Numbers.Milliseconds(ms)} (median of {repeat} repeated fits, data on the device)");
        if (json is not null)
            OutputFile.WriteText("--json", json, WithTable(DroppedRows.AddTo(GaussianMixtureJson.Write(fit, fitMs), dropped), table));
        if (assign is not null)
        {
            // The responsibilities on every rank (under MPI a pass the ranks share), before rank 0 alone writes them: computed
            // inside the write, rank 0 waited in that pass for ranks that had ended (a trial's mpirun -np 2 hung).
            var assignable = new Assignable(fit, fitter);
            assignable.Responsibilities();
            OutputFile.Write("--assign", assign, path =>
            {
                using var writer = new StreamWriter(path);
                MixtureAssignments.Write(writer, assignable, dataset.Dropped);
            });
        }
        if (png is not null)
        {
            // One column: its histogram with the density and components, as a one-column mixture's; else the ellipses.
            OutputFile.Write("--png", png, path => _ = values.Length == 1 ? MixtureDrawing.Draw(fit, values[0], path) : MixturePlots.Ellipses(fit, values, path));
            parse.InvocationConfiguration.Output.WriteLine($"picture: {png}");
            PictureNote.Write(parse.InvocationConfiguration.Error);
        }
        return fit.Converged ? GpuestApp.Ok : GpuestApp.NotConverged;
    }

    // A range's table in the JSON as a one-column mixture's has it: componentCounts (each K's log-likelihood, k, AIC,
    // BIC), chosenComponents and componentCountNotes.
    private static string WithTable(string json, ComponentCountTable<Assignable>? table)
    {
        if (table is null)
            return json;
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        ComponentCountOutput.AddTo(root, table.Rows, table.BestIndex, table.Notes);
        return root.ToJsonString(JsonText.Options);
    }

    // A fit with the fitter that holds its data: what the shared component-count table and assignments file read.
    private sealed class Assignable(GaussianMixtureResult fit, GaussianMixtureFitter fitter) : IMixtureResult
    {
        public GaussianMixtureResult Fit => fit;

        public int Components => fit.Components.Count;

        public int Rows => checked((int)fit.Rows);

        public double LogLikelihood => fit.LogLikelihood;

        public string? NotConverged => fit.Converged ? null : "EM did not converge";

        public int ParameterCount => fit.FreeParameters;

        private double[]? _responsibilities;

        public double[] Responsibilities() => _responsibilities ??= fitter.Responsibilities(fit).Responsibilities;

        public string? Spurious => fit.Spurious;
    }

    private static void Write(TextWriter output, GaussianMixtureResult fit)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"gaussian-mixture, {fit.Components.Count} component{(fit.Components.Count == 1 ? "" : "s")}, {fit.Covariance.ToString().ToLowerInvariant()} covariance, n = {fit.Rows}, d = {fit.Columns.Count}  ({fit.Device})");
        output.WriteLine($"log-likelihood {fit.LogLikelihood.ToString("0.######", c)}   k = {fit.FreeParameters}   AIC {fit.Aic.ToString("0.###", c)}   BIC {fit.Bic.ToString("0.###", c)}");
        output.WriteLine($"EM {(fit.Converged ? "converged" : "did NOT converge")} in {fit.Iterations} steps; reg_covar {fit.Regularization.ToString("g3", c)} on each covariance's diagonal");
        if (fit.StartLogLikelihoods.Count > 1)
        {
            // Below the kept fit, at it (to 1e-6 of it), and above it (starts that did not converge, not kept).
            double near = 1e-6 * Math.Abs(fit.LogLikelihood);
            var gaps = fit.StartLogLikelihoods.Select(l => fit.LogLikelihood - l).ToArray();
            var lower = gaps.Where(g => g > near).ToArray();
            int higher = gaps.Count(g => g < -near), same = gaps.Length - lower.Length - higher;
            output.WriteLine($"{gaps.Length} starts: " + (!fit.Converged ? $"none converged; the best end kept{(lower.Length > 0 ? $", {lower.Length} ended lower" : "")}"
                : lower.Length == 0 && higher == 0 ? "all reached the same log-likelihood (the best found; agreement is no proof of the global maximum: a small or narrow component can need more --starts)"
                : $"{same} reached the best log-likelihood" + (lower.Length > 0 ? $"; {lower.Length} ended lower, by up to {lower.Max().ToString("g4", c)}" : "")
                    + (higher > 0 ? $"; {higher} ended higher without converging (not kept)" : "")));
        }
        output.WriteLine($"{"parameter",-24} {"estimate",14} {"std err",12}");
        // Eight significant digits, or as many more as the standard error needs to show two of its own (means of data
        // around 10⁹ printed as 1e+09, a trial: the fitted offsets hidden).
        foreach (var (name, estimate, stdError) in fit.Parameters())
            output.WriteLine($"{name,-24} {Numbers.Significant(estimate, 8, stdError, 2),14} {(stdError is { } se ? se.ToString("g4", c) : "-"),12}");
        foreach (var note in fit.Notes)
            output.WriteLine($"note: {note}");
    }
}
