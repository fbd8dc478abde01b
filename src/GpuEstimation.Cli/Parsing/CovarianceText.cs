namespace GpuEstimation.Cli.Parsing;

/// <summary>
/// <c>--cov</c> as typed: <c>nonrobust</c>, <c>robust</c> (or <c>hc0</c>), <c>hc1</c>, <c>hc2</c>, <c>hc3</c>, <c>cluster:COLUMN</c>. The
/// cluster column is read with the data, so the parsed choice keeps its name until then.
/// </summary>
internal static class CovarianceText
{
    /// <summary>The accepted forms, in the order help lists them.</summary>
    public const string Usage = "nonrobust|robust|hc0|hc1|hc2|hc3|cluster:COL";

    /// <summary>The covariance named by <paramref name="text"/>: statsmodels' name and the cluster column where there is one.</summary>
    public static (string Name, string? Column) Parse(string flag, string text)
    {
        var trimmed = text.Trim();
        int colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? trimmed : trimmed[..colon]).Trim().ToLowerInvariant();
        if (kind == "cluster")
        {
            var column = colon < 0 ? "" : trimmed[(colon + 1)..].Trim();
            if (column.Length == 0)
                throw new InputException($"{flag} {text}: name the cluster column, as cluster:COLUMN");
            return ("cluster", column);
        }
        if (colon >= 0)
            throw new InputException($"{flag} {text}: only cluster takes a column (cluster:COLUMN)");
        return kind switch
        {
            "nonrobust" => ("nonrobust", null),
            "robust" or "hc0" => ("HC0", null),
            "hc1" => ("HC1", null),
            "hc2" => ("HC2", null),
            "hc3" => ("HC3", null),
            _ => throw new InputException($"{flag}: unknown covariance '{text}' (expected nonrobust, robust, hc0, hc1, hc2, hc3 or cluster:COLUMN)"),
        };
    }
}
