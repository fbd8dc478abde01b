using System.Text.Json.Serialization;

namespace GpuEstimation.Results;

/// <summary>
/// Source-generated serialization of the report contracts: camelCase names, indented, non-finite numbers as null.
/// </summary>
/// <remarks>
/// Metadata mode only: without the generated fast path the serializer writes a stream in chunks and flushes as it
/// goes, so a sweep of millions of points is never held as one buffer (the fast path buffers the whole document).
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    GenerationMode = JsonSourceGenerationMode.Metadata,
    Converters = [typeof(NonFiniteAsNullConverter)])]
[JsonSerializable(typeof(FitReport))]
[JsonSerializable(typeof(EvaluationReport))]
[JsonSerializable(typeof(SweepReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The escaping of every JSON file written: only what JSON requires (quotes, backslashes, control characters), so
    /// a note's 'x' or a column named `a+b` reads as written, not as \u0027x\u0027 (the default escapes for HTML pages).
    /// </summary>
    public static System.Text.Encodings.Web.JavaScriptEncoder Encoder => System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The context the reports are written with: <see cref="Default"/>'s options with <see cref="Encoder"/>.</summary>
    /// <remarks>Made on first use: the generated <see cref="Default"/> is not yet set while the type's fields are initialized.</remarks>
    public static ReportJsonContext Files => s_files ??= Relaxed();

    private static ReportJsonContext? s_files;

    private static ReportJsonContext Relaxed()
    {
        var options = new System.Text.Json.JsonSerializerOptions(Default.Options) { Encoder = Encoder };
        return new ReportJsonContext(options);
    }
}
