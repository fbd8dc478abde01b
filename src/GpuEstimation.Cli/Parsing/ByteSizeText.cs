using System.Globalization;

namespace GpuEstimation.Cli.Parsing;

/// <summary>Amounts of memory as typed: <c>256MB</c>, <c>8GB</c>, <c>1.5GiB</c>, <c>4096</c> (bytes).</summary>
internal static class ByteSizeText
{
    // Decimal units are powers of 1000, binary ones (KiB, MiB, ...) of 1024; the B may be left off.
    private static readonly (string Suffix, double Factor)[] Units =
    [
        ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30), ("tib", 1L << 40),
        ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("tb", 1e12),
        ("k", 1e3), ("m", 1e6), ("g", 1e9), ("t", 1e12),
        ("b", 1),
    ];

    /// <summary>The number of bytes (at least 1); bad text is an error naming <paramref name="flag"/>.</summary>
    public static long Parse(string flag, string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        double factor = 1;
        foreach (var (suffix, value) in Units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = value;
                break;
            }
        }
        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
            && double.IsFinite(number) && number * factor >= 1 && number * factor < 9e18
            ? (long)(number * factor)
            : throw new InputException($"{flag} {text}: expected an amount of memory such as 256MB, 8GB or 1.5GiB (KB, MB, GB, TB: powers of 1000; KiB, MiB, GiB, TiB: of 1024)");
    }
}
