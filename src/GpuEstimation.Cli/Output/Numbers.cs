using System.Globalization;

namespace GpuEstimation.Cli.Output;

/// <summary>
/// Numbers for people: positional notation wherever a double has digits to show (1000000000.12 prints as such, not
/// 1E+09), exponents only for the very large and very small, and never "-0".
/// </summary>
internal static class Numbers
{
    // Below 1e-5 or from 1e15 up, positional notation is mostly zeros or more digits than a double holds.
    private const int SmallestExponent = -5;
    private const int LargestExponent = 15;

    /// <summary><paramref name="value"/> to <paramref name="digits"/> significant digits (more where the integer part is longer).</summary>
    public static string Significant(double value, int digits) => Decimals(value, digits) is { } decimals
        ? Positional(value, decimals)
        : NoNegativeZero(value.ToString("G" + digits, CultureInfo.InvariantCulture));

    /// <summary>
    /// <paramref name="value"/> to <paramref name="digits"/> significant digits, or more decimals where
    /// <paramref name="scale"/> (e.g. a standard error) needs them to show <paramref name="scaleDigits"/> of its own.
    /// </summary>
    public static string Significant(double value, int digits, double? scale, int scaleDigits)
    {
        if (Decimals(value, digits) is not { } decimals)
            return Significant(value, digits);
        // A double holds 17 significant digits: decimals beyond those would print noise. The scale's decimals whatever
        // its size (a standard error of 5e-7 beside 3.0000005 needs nine: its interval printed as [3, 3]).
        if (scale is { } s && double.IsFinite(s) && s > 0 && Decimals(value, 17) is { } most)
            decimals = Math.Max(decimals, Math.Min(Math.Max(0, scaleDigits - 1 - (int)Math.Floor(Math.Log10(s))), most));
        return Positional(value, decimals);
    }

    /// <summary>A nullable number, or <paramref name="missing"/>.</summary>
    public static string Significant(double? value, int digits, string missing) =>
        value is { } v ? Significant(v, digits) : missing;

    /// <summary>A number in a fixed .NET format such as "0.00", without "-0.00".</summary>
    public static string Fixed(double? value, string format) =>
        value is { } v ? NoNegativeZero(v.ToString(format, CultureInfo.InvariantCulture)) : "-";

    /// <summary>The default number format of tables: 12 significant digits.</summary>
    public static string Full(double value) => Significant(value, 12);

    /// <summary>
    /// The ends of a range to <paramref name="digits"/> significant digits, or as many more as tell them apart (a sweep
    /// over 169.6801..169.6803 printed as 169.68..169.68).
    /// </summary>
    public static (string Low, string High) Apart(double low, double high, int digits)
    {
        for (int d = digits; ; d++)
        {
            var (a, b) = (Significant(low, d), Significant(high, d));
            if (a != b || low == high || d >= 17)
                return (a, b);
        }
    }

    /// <summary>A duration in milliseconds: three decimals, or three significant digits below 0.1 ms (an evaluation of 0.0003 ms printed as 0.000).</summary>
    public static string Milliseconds(double ms) =>
        (Math.Abs(ms) >= 0.1 || ms == 0 ? ms.ToString("0.000", CultureInfo.InvariantCulture) : Significant(ms, 3)) + " ms";

    // Decimals for the given significant digits, or null where positional notation does not fit.
    private static int? Decimals(double value, int digits)
    {
        if (!double.IsFinite(value))
            return null;
        if (value == 0)
            return 0;
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        if (exponent < SmallestExponent || exponent >= LargestExponent)
            return null;
        return Math.Clamp(digits - 1 - exponent, 0, 20);
    }

    private static string Positional(double value, int decimals)
    {
        var text = value.ToString("F" + decimals, CultureInfo.InvariantCulture);
        if (text.Contains('.'))
            text = text.TrimEnd('0').TrimEnd('.');
        return NoNegativeZero(text);
    }

    private static string NoNegativeZero(string text) =>
        text.StartsWith('-') && text.Skip(1).All(c => c is '0' or '.') ? text[1..] : text;
}
