using System.Globalization;
using System.Text.Json;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Results;

/// <summary>A sweep as CSV (one row per grid point) and as JSON, as text or streamed.</summary>
public static class SurfaceReport
{
    // The longest shortest-round-trip double ("-2.2250738585072014E-308"); NaN and infinities are shorter.
    private const int LongestNumber = 24;

    /// <summary>
    /// Columns: one per grid parameter, then <c>logLikelihood</c>, <c>logPosterior</c> (MAP only), then, for a profile
    /// sweep, the re-optimized parameters. Rows with the last axis varying fastest. For large grids use
    /// <see cref="WriteCsv"/>.
    /// </summary>
    public static string Csv(SweepResult sweep)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        WriteCsv(sweep, text);
        return text.ToString();
    }

    /// <summary>
    /// Writes <see cref="Csv"/>'s text to <paramref name="writer"/> row by row, numbers in round-trip form ("R",
    /// invariant culture), so a grid of any size is written without being held as one string.
    /// </summary>
    public static void WriteCsv(SweepResult sweep, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(writer);
        var axisIndex = sweep.Axes.Select(a => sweep.IndexOf(a.Name)).ToArray();
        var others = sweep.Profile ? Enumerable.Range(0, sweep.Parameters.Count).Where(k => !axisIndex.Contains(k)).ToArray() : [];
        var header = sweep.Axes.Select(a => a.Name).Append("logLikelihood");
        if (sweep.LogPosterior is not null)
            header = header.Append("logPosterior");
        writer.WriteLine(string.Join(",", header.Concat(others.Select(k => sweep.Parameters[k]))));
        Span<char> buffer = stackalloc char[2 * LongestNumber];
        for (int i = 0; i < sweep.Points.Count; i++)
        {
            var point = sweep.Points[i];
            for (int c = 0; c < axisIndex.Length; c++)
                WriteValue(writer, point[axisIndex[c]], c > 0, buffer);
            WriteValue(writer, sweep.LogLikelihood[i], axisIndex.Length > 0, buffer);
            if (sweep.LogPosterior is { } logPosterior)
                WriteValue(writer, logPosterior[i], true, buffer);
            foreach (int k in others)
                WriteValue(writer, point[k], true, buffer);
            writer.WriteLine();
        }
    }

    // One CSV field, formatted in place: a row of a big grid allocates no strings.
    private static void WriteValue(TextWriter writer, double value, bool comma, Span<char> buffer)
    {
        if (comma)
            writer.Write(',');
        if (value.TryFormat(buffer, out int length, "R", CultureInfo.InvariantCulture))
            writer.Write(buffer[..length]);
        else
            writer.Write(value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// model, device, n, axes, profile, parameters, points (each its parameter vector), logLikelihood, logPosterior,
    /// estimates (MLE, MAP: located for pictures), timing (elapsedMs of the sweep reported; sweepMs, where given, the
    /// median of warm repeats); see <see cref="SweepReport"/>. For large grids use <see cref="WriteJson"/>.
    /// </summary>
    public static string Json(SweepResult sweep, double? sweepMs = null) =>
        JsonSerializer.Serialize(SweepReport.From(sweep, sweepMs), ReportJsonContext.Files.SweepReport);

    /// <summary>
    /// Writes <see cref="Json"/>'s document to <paramref name="stream"/> as UTF-8, flushed in chunks as it is written,
    /// so a grid of any size is never held as one buffer; with <paramref name="droppedRows"/>, the rows the data
    /// lost to missing values (<see cref="SweepReport.DroppedRows"/>).
    /// </summary>
    public static void WriteJson(SweepResult sweep, Stream stream, double? sweepMs = null, int? droppedRows = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, SweepReport.From(sweep, sweepMs) with { DroppedRows = droppedRows }, ReportJsonContext.Files.SweepReport);
    }

    /// <summary>
    /// A bound from above on the bytes of the JSON of a sweep that <paramref name="options"/> would run over a model
    /// of <paramref name="parameters"/> parameters (see the other overload), known before the sweep is computed.
    /// </summary>
    public static long EstimateJsonBytes(SweepOptions options, int parameters)
    {
        ArgumentNullException.ThrowIfNull(options);
        double points = options.Axes.Aggregate(1.0, (product, axis) => product * axis.Count);
        long count = points >= long.MaxValue ? long.MaxValue : (long)points;
        return EstimateJsonBytes(count, parameters, options.Fit.Map, options.Estimates);
    }

    /// <summary>
    /// A bound from above on the bytes of a sweep's JSON: every number at its longest (24 characters) with its
    /// indentation, so a real document is typically a fifth smaller. Names are allowed up to about 100 characters.
    /// </summary>
    /// <param name="points">Grid points.</param>
    /// <param name="parameters">Parameters of the model (each point's vector).</param>
    /// <param name="logPosterior">Whether the sweep is MAP (a log-posterior per point besides the log-likelihood).</param>
    /// <param name="estimates">Whether the MLE and MAP are located (the <c>estimates</c> object).</param>
    public static long EstimateJsonBytes(long points, int parameters, bool logPosterior, bool estimates = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(points);
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        int newline = Environment.NewLine.Length;
        // A point: "    [", its numbers at depth 3 ("      x,"), "    ],"; a series value at depth 2 ("    x,").
        double point = (5 + newline) + parameters * (6 + LongestNumber + 1 + newline) + (6 + newline);
        double series = (logPosterior ? 2 : 1) * (4 + LongestNumber + 1 + newline);
        double located = estimates ? 2 * (128 + parameters * (6 + LongestNumber + 1 + newline)) : 0;
        // Model, device, counts and timing; per parameter its name in the list and, at most, an axis object.
        double fixedPart = 2048 + parameters * (256 + 3 * (LongestNumber + 16));
        double bytes = points * (point + series) + located + fixedPart;
        return bytes >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(bytes);
    }
}
