using System.Text.Json;
using Xunit;

namespace GpuEstimation.Tests.Results;

/// <summary>Checks on parsed report JSON: field order, and numbers that are exact or null.</summary>
internal static class JsonAssert
{
    /// <summary>The object's property names, in the order written.</summary>
    public static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>
    /// A finite <paramref name="expected"/> is a number that parses back to the same bits (the writer's round-trip
    /// form, no tolerance); a non-finite or absent one is null.
    /// </summary>
    public static void Number(double? expected, JsonElement element, string where)
    {
        if (expected is { } value && double.IsFinite(value))
        {
            Assert.True(element.ValueKind == JsonValueKind.Number, $"{where}: {element.ValueKind}, expected {value:R}");
            Assert.True(BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(element.GetDouble()),
                $"{where}: {element.GetRawText()} is not {value:R}");
        }
        else
        {
            Assert.True(element.ValueKind == JsonValueKind.Null, $"{where}: {element.GetRawText()}, expected null for {expected}");
        }
    }

    /// <summary>An array of numbers, each as <see cref="Number"/>.</summary>
    public static void Numbers(IReadOnlyList<double?> expected, JsonElement element, string where)
    {
        var items = element.EnumerateArray().ToArray();
        Assert.Equal(expected.Count, items.Length);
        for (int i = 0; i < items.Length; i++)
            Number(expected[i], items[i], $"{where}[{i}]");
    }

    /// <summary>An array of doubles, each as <see cref="Number"/>.</summary>
    public static void Numbers(double[] expected, JsonElement element, string where) =>
        Numbers(expected.Select(v => (double?)v).ToArray(), element, where);

    /// <summary>An array of strings, in order.</summary>
    public static void Strings(IEnumerable<string> expected, JsonElement element) =>
        Assert.Equal(expected, element.EnumerateArray().Select(e => e.GetString()));
}
