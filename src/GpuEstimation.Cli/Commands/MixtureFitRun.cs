using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using GpuEstimation.Backends;
using GpuEstimation.Cli.Options;
using GpuEstimation.Cli.Output;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Mixtures;
using GpuEstimation.Plots;
using GpuEstimation.Results;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest fit --model mixture</c>: a mixture of catalogue families over one column, or a range of component counts by BIC.</summary>
internal static class MixtureFitRun
{
    /// <summary>
    /// Fits, prints the table (and the component-count table for a range), writes --json, --assign and --png; exit 3
    /// where every start ends in a degenerate component.
    /// </summary>
    public static int Run(ParseResult parse, TextWriter output, TextWriter error, string dataPath, MissingValues missing, string? column, MixtureCliOptions mixture,
        FitOptions options, bool profileEvery, DeviceOptions deviceOptions, string? json, int? repeat)
    {
        var components = parse.GetValue(mixture.Components)
            ?? throw new InputException("--model mixture needs --components (normal,normal,gamma; 3xnormal; 1:8xnormal for a range chosen by BIC)");
        if (components.Families is null && components.Family is null)
            throw new InputException($"--components {components.From}{(components.IsRange ? $":{components.To}" : "")}: name the family (e.g. {components.From}{(components.IsRange ? $":{components.To}" : "")}xnormal) or list the families (normal,gamma)");
        // Data of one column need none (as a one-column family's).
        column ??= DataFile.OnlyColumn(dataPath) ?? throw new InputException("--model mixture needs --column, the column the mixture describes");
        var assign = parse.GetValue(mixture.Assign);
        var png = parse.GetValue(mixture.Png);
        foreach (var (flag, path) in new[] { ("--json", json), ("--assign", assign), ("--png", png) })
        {
            if (path is not null)
                OutputFile.Check(flag, path, dataPath);
        }
        OutputFile.CheckDistinct(("--json", json), ("--assign", assign), ("--png", png));
        var data = DataFile.Read(dataPath, [column], null, missing);
        int? dropped = missing == MissingValues.Drop ? data.DroppedRows : null;
        var settings = new MixtureOptions { Starts = parse.GetValue(mixture.Starts), Seed = parse.GetValue(mixture.Seed), Fit = options, ProfileEvery = profileEvery };

        using var device = deviceOptions.Open(parse, data.Rows);
        MixtureFit fit;
        ComponentCountTable<MixtureFit>? table = null;
        try
        {
            if (components.IsRange)
            {
                table = ComponentCountTable<MixtureFit>.Choose(components.From, components.To,
                    k => MixtureEstimator.Fit(MixtureSpec.Create(data, column, components.FamiliesFor(k, null)), device, settings));
                fit = table.Best;
            }
            else
            {
                fit = MixtureEstimator.Fit(MixtureSpec.Create(data, column, components.FamiliesFor(components.From, null)), device, settings);
            }
        }
        catch (MixtureFitException e)
        {
            error.WriteLine($"gpuest: {e.Message.ReplaceLineEndings(" ")}");
            return GpuestApp.NotConverged;
        }
        double? fitMs = null;
        if (repeat is { } count)
        {
            var spec = fit.Spec;
            // The report is the last repeat's: its EM timings are warm (kernels compiled).
            fitMs = WarmTiming.MedianMs(count, () => fit = MixtureEstimator.Fit(spec, device, settings));
        }

        if (table is not null)
            ComponentCountOutput.Write(output, table.Rows, table.BestIndex, table.Notes);
        FitTable.Write(output, fit.Result);
        WriteComponents(output, fit);
        DroppedRows.Write(output, dropped, data.Rows);
        if (fitMs is { } ms)
            output.WriteLine($"fit time {Numbers.Milliseconds(ms)} (median of {repeat} repeated mixture fits, every start)");
        if (json is not null)
            OutputFile.WriteText("--json", json, DroppedRows.AddTo(Json(fit, table, fitMs), dropped));
        if (assign is not null)
        {
            OutputFile.Write("--assign", assign, path =>
            {
                using var writer = new StreamWriter(path);
                MixtureAssignments.Write(writer, fit, data.Dropped);
            });
        }
        if (png is not null)
        {
            OutputFile.Write("--png", png, path => MixtureDrawing.Draw(fit, path));
            output.WriteLine($"picture: {png}");
            PictureNote.Write(error);
        }
        return fit.Result.Converged ? GpuestApp.Ok : GpuestApp.NotConverged;
    }

    private static void WriteComponents(TextWriter output, MixtureFit fit)
    {
        output.WriteLine("components (same-family components ordered by location, by their one parameter, or by decreasing weight):");
        foreach (var c in fit.Components)
        {
            var parameters = string.Join("  ", c.Parameters.Select(p => $"{p.Name} {Numbers.Significant(p.Estimate, 8, p.StdError, 2)}"));
            output.WriteLine($"  {c.Index,2} {c.Family,-12} w{c.Index} {Numbers.Significant(c.Weight, 8)}" +
                (c.WeightStdError is { } se ? $" (se {Numbers.Significant(se, 3)})" : "") + $"  {parameters}");
        }
        // The starts that reached the best optimum are named with it; the others grouped by outcome (the same
        // log-likelihood, or the same failure), in order of first appearance (a trial read "others: starts 2, 5, 8" beside
        // "reached by 4" as four more starts ending elsewhere).
        var reached = fit.Result.Converged
            ? fit.Starts.Where(s => s.Start == fit.BestStart || s.LogLikelihood is { } ll && Math.Abs(ll - fit.LogLikelihood) <= 1e-6 * (1 + Math.Abs(fit.LogLikelihood))).Select(s => s.Start).ToHashSet()
            : [fit.BestStart];
        var others = fit.Starts.Where(s => !reached.Contains(s.Start))
            .GroupBy(s => s.LogLikelihood is { } ll ? Numbers.Full(ll) : $"no optimum ({s.Failure})")
            .Select(g => $"{(g.Count() == 1 ? "start" : "starts")} {string.Join(", ", g.Select(s => s.Start))} {g.Key}")
            .ToList();
        var best = !fit.Result.Converged ? $"none converged, the best end from start {fit.BestStart}"
            : reached.Count == 1 ? $"the best from start {fit.BestStart}, reached by it alone"
            : reached.Count == fit.Starts.Count ? $"the best from start {fit.BestStart}, reached by all {reached.Count}"
            : $"the best from start {fit.BestStart}, reached by {reached.Count} (starts {string.Join(", ", fit.Starts.Select(s => s.Start).Where(reached.Contains))})";
        output.WriteLine($"starts: {fit.Starts.Count}, {best}" + (others.Count > 0 ? $"; others: {string.Join("; ", others)}" : ""));
    }

    private static string Json(MixtureFit fit, ComponentCountTable<MixtureFit>? table, double? fitMs)
    {
        var root = JsonNode.Parse(JsonReport.Fit(fit.Result, fitMs))!.AsObject();
        root["components"] = new JsonArray([.. fit.Components.Select(c => (JsonNode)new JsonObject
        {
            ["family"] = c.Family,
            ["weight"] = c.Weight,
            ["weightStdError"] = c.WeightStdError is { } se && double.IsFinite(se) ? se : null,
            ["parameters"] = new JsonObject(c.Parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)JsonValue.Create(p.Estimate)))),
        })]);
        root["starts"] = new JsonArray([.. fit.Starts.Select(s => (JsonNode)new JsonObject
        {
            ["start"] = s.Start,
            ["logLikelihood"] = s.LogLikelihood,
            ["emIterations"] = s.EmIterations,
            ["emMs"] = s.EmMs,
            ["failure"] = s.Failure,
        })]);
        root["bestStart"] = fit.BestStart;
        if (table is not null)
            ComponentCountOutput.AddTo(root, table.Rows, table.BestIndex, table.Notes);
        return root.ToJsonString(JsonText.Options);
    }
}
