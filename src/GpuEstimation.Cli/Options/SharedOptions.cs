using System.CommandLine;
using GpuEstimation.Cli.Parsing;

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

    /// <summary><c>--points N</c> of the learning example, at least <paramref name="minimum"/>.</summary>
    public static Option<int> Points(int fallback, int minimum) => CliOption.Single("--points", "N",
        $"points of the learning example (at least {minimum})", (flag, text) => NumberText.Count(flag, text, minimum), () => fallback);
}
