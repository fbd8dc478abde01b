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
internal sealed partial class ReportJsonContext : JsonSerializerContext;
