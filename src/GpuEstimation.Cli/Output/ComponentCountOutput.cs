using System.Text.Json.Nodes;
using GpuEstimation.Mixtures;

namespace GpuEstimation.Cli.Output;

/// <summary>The component-count table (log-likelihood, k, AIC, BIC per number of components), as text and JSON; any kind of mixture.</summary>
internal static class ComponentCountOutput
{
    /// <summary>
    /// One line per K, the chosen one (lowest BIC, among the fits without a spurious component where there are any)
    /// marked; a K without a fit says why; then the table's notes.
    /// </summary>
    public static void Write(TextWriter output, IReadOnlyList<ComponentCountRow> rows, int best, IReadOnlyList<string> notes)
    {
        output.WriteLine($"{"components",10} {"log-likelihood",20} {"k",4} {"AIC",16} {"BIC",16}");
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.LogLikelihood is not { } ll)
            {
                output.WriteLine($"{row.Components,10} no fit: {row.Failure}");
                continue;
            }
            output.WriteLine($"{row.Components,10} {Numbers.Full(ll),20} {row.ParameterCount,4} {Numbers.Significant(row.Aic!.Value, 10),16} {Numbers.Significant(row.Bic!.Value, 10),16}" +
                (i == best ? row.Spurious is null && rows.Any(r => r.Spurious is not null && r.Bic < row.Bic) ? "  <- chosen (lowest BIC without a spurious component)" : "  <- lowest BIC"
                    : row.Spurious is not null ? "  (spurious: see the note)" : ""));
        }
        foreach (var note in notes)
            output.WriteLine($"note: {note}");
        output.WriteLine();
    }

    /// <summary>
    /// The table in <paramref name="root"/>: componentCounts (<see cref="Json"/>), chosenComponents (the chosen K: the lowest BIC without a spurious component)
    /// and componentCountNotes.
    /// </summary>
    public static void AddTo(JsonObject root, IReadOnlyList<ComponentCountRow> rows, int best, IReadOnlyList<string> notes)
    {
        root["componentCounts"] = Json(rows);
        root["chosenComponents"] = rows[best].Components;
        root["componentCountNotes"] = new JsonArray([.. notes.Select(n => (JsonNode)n)]);
    }

    /// <summary>The rows as a JSON array: components, logLikelihood, k, aic, bic (null without a fit), failure, spurious.</summary>
    private static JsonArray Json(IReadOnlyList<ComponentCountRow> rows) =>
        [.. rows.Select(r => (JsonNode)new JsonObject
        {
            ["components"] = r.Components,
            ["logLikelihood"] = r.LogLikelihood,
            ["k"] = r.LogLikelihood is null ? null : r.ParameterCount,
            ["aic"] = r.Aic,
            ["bic"] = r.Bic,
            ["failure"] = r.Failure,
            ["spurious"] = r.Spurious,
        })];
}
