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

    /// <summary>A whole number of at least <paramref name="minimum"/> (and at most 2³¹ − 1, an int's range).</summary>
    public static int Count(string what, string text, int minimum)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum)
            return value;
        // A whole number beyond an int is too large, not "not a whole number".
        if (System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var large) && large > int.MaxValue)
            throw new InputException($"{what} {text}: at most {int.MaxValue} ({int.MaxValue:N0}) is supported");
        throw new InputException($"{what} {text}: expected a whole number of at least {minimum}");
    }

    /// <summary>
    /// A whole number of at least <paramref name="minimum"/> that a double holds exactly (up to 2⁵³), as a double: a
    /// binomial's trials, which an int would cap at 2³¹ − 1 (a column of trials has no such cap either).
    /// </summary>
    /// <remarks>Also in exponent form where that is whole (1e15, as a trial wrote it).</remarks>
    public static double WholeNumber(string what, string text, long minimum) =>
        // Read exactly (decimal: 28 digits), so that 2⁵³ + 1 in any form is refused, not rounded to 2⁵³.
        decimal.TryParse(text, NumberStyles.Integer | NumberStyles.AllowExponent | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value)
            && value == decimal.Floor(value) && value >= minimum && value <= 1L << 53
            ? (double)value
            : throw new InputException($"{what} {text}: expected a whole number from {minimum} to 2^53 (9007199254740992)");

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
