using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuEstimation.Results;

/// <summary>
/// The reports' one rule for numbers: JSON has no NaN or infinity, so those are written as null rather than as an
/// invalid document (an absent <see cref="Nullable{Double}"/> is null by the serializer's own rule). Read back, null
/// is NaN.
/// </summary>
internal sealed class NonFiniteAsNullConverter : JsonConverter<double>
{
    // Non-nullable doubles see null tokens too, so that a report written by this converter reads back.
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteNullValue();
    }
}
