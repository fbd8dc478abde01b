namespace GpuEstimation.Estimation;

/// <summary>An interval; a null end is open (no bound found on that side).</summary>
/// <param name="Lower">The lower end, or null if open.</param>
/// <param name="Upper">The upper end, or null if open.</param>
public sealed record Interval(double? Lower, double? Upper)
{
    /// <summary>An error naming <paramref name="paramName"/> where <paramref name="level"/> is not a confidence level, strictly between 0 and 1.</summary>
    internal static void CheckLevel(double level, string paramName)
    {
        if (!(level > 0 && level < 1))
            throw new InputException($"confidence level {level}: must lie strictly between 0 and 1", paramName);
    }
}
