using System.Globalization;

namespace GpuEstimation.Cli.Parsing;

/// <summary>Numbers as typed on the command line: invariant culture, finite, and errors that name the option.</summary>
internal static class NumberText
{
    /// <summary>A finite number; <paramref name="what"/> (e.g. <c>--fix sigma</c>) starts the error message.</summary>
    public static double Finite(string what, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new InputException($"{what}: '{text}' is not a finite number");

    /// <summary>A whole number of at least <paramref name="minimum"/>.</summary>
    public static int Count(string what, string text, int minimum) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum
            ? value
            : throw new InputException($"{what} {text}: expected a whole number of at least {minimum}");

    /// <summary>A number strictly between 0 and 1 (a confidence level).</summary>
    public static double Fraction(string what, string text)
    {
        double value = Finite(what, text);
        return value is > 0 and < 1 ? value : throw new InputException($"{what} {text}: must be between 0 and 1 (exclusive)");
    }

    /// <summary>A number above zero.</summary>
    public static double Positive(string what, string text)
    {
        double value = Finite(what, text);
        return value > 0 ? value : throw new InputException($"{what} {text}: must be positive");
    }
}
