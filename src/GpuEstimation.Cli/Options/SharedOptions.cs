using System.CommandLine;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Data;
using GpuEstimation.Demo;

namespace GpuEstimation.Cli.Options;

/// <summary>Single options that several commands take with the same meaning.</summary>
internal static class SharedOptions
{
    /// <summary><c>--json FILE</c>: write <paramref name="what"/> as JSON.</summary>
    public static Option<string?> Json(string what) => CliOption.Text("--json", "FILE", $"write {what} as JSON");

    /// <summary><c>--repeat N</c>: time N more runs with the data in place; the median is reported as <paramref name="field"/>.</summary>
    public static Option<int?> Repeat(string runs, string field) => CliOption.Single<int?>("--repeat", "N",
        $"time N more {runs} with the data on the device and report the median (JSON: {field})",
        (flag, text) => NumberText.Count(flag, text, 1));

    /// <summary><c>--drop-missing</c>: rows with a missing value are left out (and counted) instead of being an error.</summary>
    public static Option<bool> DropMissing() => CliOption.Flag("--drop-missing",
        "leave out rows with a missing value (a Parquet or Arrow null, a NaN, a CSV cell that is empty, NA, N/A, NaN or null) in any column read, and count them (JSON: droppedRows); without it a missing value is an error naming its row");

    /// <summary><c>--drop-missing</c> of <c>predict</c>, which writes no JSON: a dropped row keeps its place as empty cells.</summary>
    public static Option<bool> DropMissingInPredictions() => CliOption.Flag("--drop-missing",
        "predict only the rows with a value (not a Parquet or Arrow null, a NaN, a CSV cell that is empty, NA, N/A, NaN or null) in every column read; a row left out is a row of empty cells in --out, so that it lines up with the input (R's na.exclude); without it a missing value is an error naming its row");

    /// <summary>
    /// <c>--se mle|nist[|none]</c> (default mle): the maximum-likelihood standard errors or least squares' (NIST's, R's
    /// <c>lm</c>/<c>nls</c>), or, where <paramref name="none"/>, none at all (the command checks for which models);
    /// <paramref name="description"/> says what the command does with them.
    /// </summary>
    public static Option<string> StandardErrors(string description, bool mleByDefault = true, bool none = false) =>
        CliOption.Single("--se", none ? "mle|nist|none" : "mle|nist", description,
            (flag, text) => text.Trim().ToLowerInvariant() is var se && (se is "mle" or "nist" || (none && se == "none"))
                ? se
                : throw new InputException($"{flag}: '{text}' is not {(none ? "mle, nist or none" : "mle or nist")}"),
            mleByDefault ? () => "mle" : null);

    /// <summary>What <c>--drop-missing</c> asks of the readers.</summary>
    public static MissingValues Missing(ParseResult parse, Option<bool> dropMissing) =>
        parse.GetValue(dropMissing) ? MissingValues.Drop : MissingValues.Error;

    /// <summary>
    /// <c>--points N</c> of the learning example, at least <paramref name="minimum"/>, and no more than this process's
    /// memory holds (<see cref="LearningExample.BytesPerPoint"/> each): refused before any work, where a count that did
    /// not fit was killed by the system with no message (a trial).
    /// </summary>
    public static Option<int> Points(int fallback, int minimum) => CliOption.Single("--points", "N",
        $"points of the learning example (at least {minimum})", (flag, text) =>
        {
            int points = NumberText.Count(flag, text, minimum);
            long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            double needed = (double)points * LearningExample.BytesPerPoint;
            if (needed > 0.8 * available)
                throw new InputException($"{flag} {text}: the learning example needs about {needed / 1e9:G3} GB for that many points, more than the memory available here ({available / 1e9:G3} GB); use fewer points");
            return points;
        }, () => fallback);
}
