using System.Globalization;

namespace GpuEstimation.Plots;

/// <summary>Numbers and names as the pictures print them: a true minus sign, never a negative zero.</summary>
public static class PlotText
{
    /// <summary>The minus sign pictures print (U+2212), wider and clearer than a hyphen.</summary>
    public const char Minus = '−';

    /// <summary><paramref name="value"/> with <paramref name="decimals"/> decimals; a value that rounds to zero prints unsigned.</summary>
    public static string Fixed(double value, int decimals) => Signed(value.ToString("F" + Math.Clamp(decimals, 0, 15), CultureInfo.InvariantCulture));

    /// <summary><paramref name="value"/> with at most <paramref name="decimals"/> decimals, trailing zeros dropped.</summary>
    public static string Trimmed(double value, int decimals)
    {
        var text = Fixed(value, decimals);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary>
    /// <paramref name="value"/> to the decimals that <paramref name="resolution"/> needs (0.01 → two), so the ends of an
    /// interval and the ticks of an axis print alike; a small value past six decimals, its significant digits down to the
    /// resolution with an exponent.
    /// </summary>
    public static string AtResolution(double value, double resolution)
    {
        if (!(resolution > 0) || !double.IsFinite(resolution))
            return Fixed(value, 6);
        int decimals = (int)Math.Max(0, Math.Ceiling(-Math.Log10(resolution) - 1e-9));
        if (decimals <= 6 || (decimals <= 15 && Math.Abs(value) >= 1e-4) || value == 0 || !double.IsFinite(value))
            return Fixed(value, Math.Min(decimals, 15));
        // A small value to more decimals than a reader counts (a grid over 10⁻²⁰ printed every end as
        // 0.000000000000000, a trial): its significant digits down to the resolution, zeros kept, with an exponent
        // (1.0230E-20).
        int digits = Math.Clamp((int)Math.Floor(Math.Log10(Math.Abs(value))) + decimals + 1, 1, 17);
        return Signed(value.ToString((digits > 1 ? "0." + new string('0', digits - 1) : "0") + "E+0", CultureInfo.InvariantCulture));
    }

    /// <summary><paramref name="value"/> to <paramref name="digits"/> significant digits, as in a legend's equation.</summary>
    public static string Significant(double value, int digits) =>
        Signed(value.ToString("G" + Math.Clamp(digits, 1, 17), CultureInfo.InvariantCulture));

    /// <summary>A tick or short label: at most ten significant digits, no exponent for everyday magnitudes.</summary>
    public static string Short(double value)
    {
        double magnitude = Math.Abs(value);
        var text = magnitude is >= 1e-4 and < 1e10 || magnitude == 0
            ? value.ToString("0.##########", CultureInfo.InvariantCulture)
            : value.ToString("0.######E+0", CultureInfo.InvariantCulture);
        return Signed(text);
    }

    /// <summary>
    /// The ends of a range as <see cref="Short"/> prints them, or with as many digits as tell them apart (a grid over
    /// 10¹² ± 0.5 spanned "1E+12 to 1E+12", a trial).
    /// </summary>
    public static (string Low, string High) Apart(double low, double high) =>
        FinerDecimals(low, high, Math.Abs(high - low), Math.Max(Math.Abs(low), Math.Abs(high))) is { } decimals ? (Trimmed(low, decimals), Trimmed(high, decimals)) : (Short(low), Short(high));

    /// <summary>
    /// Where <see cref="Short"/> prints <paramref name="a"/> and <paramref name="b"/> alike (values far from zero against
    /// their <paramref name="span"/>: 10¹² ± 0.5 as "1E+12"), the decimals that show a hundredth of the span, for
    /// <see cref="Trimmed"/>; null where Short tells them apart, or where the values' <paramref name="magnitude"/> is
    /// past 10¹⁵ (no decimals left).
    /// </summary>
    internal static int? FinerDecimals(double a, double b, double span, double magnitude)
    {
        if (Short(a) != Short(b) || !(span > 0) || !double.IsFinite(span) || magnitude >= 1e15)
            return null;
        return Math.Max(0, (int)Math.Ceiling(-Math.Log10(span / 100) - 1e-9));
    }

    /// <summary>
    /// " given NAME = V, …" for an estimate located with off-grid parameters held away from the fit's
    /// (<see cref="Surfaces.SweepResult.HeldApart"/>), else "": the maximum given those values, not the MLE itself.
    /// </summary>
    public static string Given(IReadOnlyList<(string Name, double Value)> held) =>
        held.Count == 0 ? "" : " given " + string.Join(", ", held.Take(3).Select(h => $"{h.Name} = {Held(h.Value)}")) + (held.Count > 3 ? ", …" : "");

    /// <summary>A held parameter's value in a legend: six significant digits, and three past the units of a large one (10¹² + 0.25).</summary>
    public static string Held(double value) =>
        Significant(value, value == 0 || !double.IsFinite(value) ? 6 : Math.Clamp((int)Math.Floor(Math.Log10(Math.Abs(value))) + 4, 6, 17));

    /// <summary>
    /// As <see cref="Given(IReadOnlyList{ValueTuple{string, double}})"/> for an estimate located at
    /// <paramref name="estimate"/> (model order) in <paramref name="sweep"/>: only where it holds those values (located
    /// with them held); a joint estimate marked on such a surface (the demo's MAP) is not "given" them.
    /// </summary>
    public static string Given(IReadOnlyList<(string Name, double Value)> held, Surfaces.SweepResult sweep, IReadOnlyList<double> estimate) =>
        held.All(h => estimate[sweep.IndexOf(h.Name)] == h.Value) ? Given(held) : "";

    /// <summary>
    /// How an axis names a parameter: the model's own name, with what it is for the linear model
    /// (a coefficient of column <c>x</c> is the slope of x).
    /// </summary>
    public static string AxisName(string model, string parameter) => model switch
    {
        "linear" when parameter == "sigma" => "sigma (noise sd)",
        "linear" when parameter != "intercept" => $"slope ({parameter})",
        _ => parameter,
    };

    /// <summary>
    /// A picture's title "MODEL: REST" for a picture <paramref name="width"/> pixels wide: on one line where it fits (10
    /// pixels a character of the bold title font, centred over the data), else the model's name on a line of its own above
    /// the rest (a GLM sweep's "glm(poisson…" was cut short beside its contour levels), and where even that line is too
    /// long, its start and an ellipsis (a log-density expression is the model's name, and a long one was cut at both
    /// sides of the picture).
    /// </summary>
    public static string Title(string model, string rest, int width)
    {
        int line = Math.Max(12, width / 10);
        if (model.Length + rest.Length + 2 <= line)
            return model + ": " + rest;
        return (model.Length <= line ? model : model[..(line - 1)].TrimEnd() + "…") + "\n" + rest;
    }

    // "-0", "-0.00" and "-0E+0" name zero: drop the sign; any other leading hyphen becomes a minus sign.
    private static string Signed(string text)
    {
        if (!text.StartsWith('-'))
            return text;
        bool zero = text.Skip(1).TakeWhile(c => c != 'E').All(c => c is '0' or '.');
        return zero ? text[1..] : Minus + text[1..];
    }
}
