namespace GpuEstimation.Surfaces;

/// <summary>One axis of a grid: <c>Count</c> evenly spaced values of parameter <c>Name</c> from <c>Low</c> to <c>High</c>.</summary>
/// <param name="Name">The parameter swept.</param>
/// <param name="Low">The first value.</param>
/// <param name="High">The last value (above <c>Low</c> unless <c>Count</c> is 1).</param>
/// <param name="Count">The number of values, at least 1.</param>
public sealed record GridAxis(string Name, double Low, double High, int Count)
{
    /// <summary>The parameter swept.</summary>
    public string Name { get; } = string.IsNullOrWhiteSpace(Name) ? throw new InputException("grid axis: the parameter name is empty", nameof(Name)) : Name;

    /// <summary>The first value.</summary>
    public double Low { get; } = double.IsFinite(Low) ? Low : throw new InputException($"grid axis {Name}: the low end {Low} is not a finite number", Name);

    /// <summary>The last value.</summary>
    public double High { get; } = double.IsFinite(High) && (Count == 1 ? High == Low : High > Low)
        ? High
        : throw new InputException(Count == 1 && double.IsFinite(High)
            ? $"grid axis {Name}: a one-point axis sweeps its low end alone; give the high end equal to it ({Low}), or a count above 1"
            : $"grid axis {Name}: the high end {High} must be a finite number above the low end {Low}", Name);

    /// <summary>The number of values.</summary>
    public int Count { get; } = Count >= 1 ? Count : throw new InputException($"grid axis {Name}: the count {Count} must be at least 1", Name);

    /// <summary>The i-th value (Low for a one-point axis).</summary>
    public double this[int i]
    {
        get
        {
            if (Count == 1)
                return Low;
            double part = (High - Low) * i;
            // A range wider than the largest double (a trial's −1.7e308 to 1.7e308 gave NaN): the ends weighted instead.
            return double.IsFinite(part) ? Low + part / (Count - 1) : Low * ((double)(Count - 1 - i) / (Count - 1)) + High * ((double)i / (Count - 1));
        }
    }
}
