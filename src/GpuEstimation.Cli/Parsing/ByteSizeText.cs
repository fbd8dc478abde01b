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
        // A bare K, M, G or T is refused: Slurm and Java read 256M as MiB, SI as MB.
        if (trimmed.Length > 0 && "kmgt".Contains(trimmed[^1], StringComparison.Ordinal))
            throw new InputException($"{flag} {text}: say which unit: {text.Trim()}B (powers of 1000) or {text.Trim()}iB (powers of 1024)");
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
            throw new InputException($"{flag} {text}: expected an amount of memory such as 256MB, 8GB or 1.5GiB (KB, MB, GB, TB: powers of 1000; KiB, MiB, GiB, TiB: of 1024)");
        double bytes = number * factor;
        if (bytes < 1)
            throw new InputException($"{flag} {text}: must be at least one byte");
        if (bytes >= 9e18)
            throw new InputException($"{flag} {text}: is more memory than any machine has");
        return (long)bytes;
    }
}
