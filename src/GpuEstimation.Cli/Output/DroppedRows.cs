using System.Text.Json;
using System.Text.Json.Nodes;

namespace GpuEstimation.Cli.Output;

/// <summary>
/// What <c>--drop-missing</c> reports: a line in the text output and <c>droppedRows</c> in the JSON (after <c>n</c>
/// where the document has one), both only where the flag was given, so output without it is as before.
/// </summary>
internal static class DroppedRows
{
    /// <summary>The line saying how many rows were left out, where <paramref name="dropped"/> is known (the flag given).</summary>
    public static void Write(TextWriter output, int? dropped, int rows)
    {
        if (dropped is { } count)
            output.WriteLine($"--drop-missing: {count:N0} row{(count == 1 ? "" : "s")} with a missing value left out, {rows:N0} used");
    }

    /// <summary><paramref name="json"/> with <c>droppedRows</c> added where <paramref name="dropped"/> is known; unchanged otherwise.</summary>
    public static string AddTo(string json, int? dropped)
    {
        if (dropped is not { } count)
            return json;
        var root = JsonNode.Parse(json)!.AsObject();
        int at = root.IndexOf("n");
        root.Insert(at < 0 ? root.Count : at + 1, "droppedRows", count);
        return root.ToJsonString(JsonText.Options);
    }
}
