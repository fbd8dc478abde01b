namespace GpuEstimation.Models;

/// <summary>
/// A sum of squares kept as m² · s, m the largest |value| so far (as LAPACK's dnrm2 keeps a norm): neither the squares
/// of residuals around 10³⁰⁰ overflow nor those around 10⁻³⁰⁰ underflow, so a root mean square is right at any scale
/// a double holds.
/// </summary>
internal struct ScaledSquares
{
    private double _largest;
    private double _sum;

    /// <summary>Adds <paramref name="value"/>² (a non-finite value makes the sum non-finite).</summary>
    public void Add(double value)
    {
        double size = Math.Abs(value);
        if (!double.IsFinite(size))
        {
            _largest = double.PositiveInfinity;
            _sum = 1;
            return;
        }
        if (size == 0)
            return;
        if (size > _largest)
        {
            double ratio = _largest / size;
            _sum = 1 + _sum * ratio * ratio;
            _largest = size;
        }
        else
        {
            double ratio = size / _largest;
            _sum += ratio * ratio;
        }
    }

    /// <summary>Adds the squares that <paramref name="other"/> holds (a run's sum to the total of the runs before it).</summary>
    public void Add(ScaledSquares other)
    {
        if (other._largest == 0)
            return;
        if (!double.IsFinite(other._largest))
        {
            _largest = double.PositiveInfinity;
            _sum = 1;
            return;
        }
        if (other._largest > _largest)
        {
            double ratio = _largest / other._largest;
            _sum = other._sum + _sum * ratio * ratio;
            _largest = other._largest;
        }
        else
        {
            double ratio = other._largest / _largest;
            _sum += other._sum * ratio * ratio;
        }
    }

    /// <summary>The sum as its two parts, the largest |value| and the sum of the squares scaled by it, to be sent (<see cref="FromParts"/>).</summary>
    public readonly (double Largest, double Scaled) Parts => (_largest, _sum);

    /// <summary>The sum whose <see cref="Parts"/> these are.</summary>
    public static ScaledSquares FromParts(double largest, double scaled) => new() { _largest = largest, _sum = scaled };

    /// <summary>
    /// The total, in run order, of runs' parts laid out every <paramref name="width"/> values (<c>RowSpread.Runs</c>):
    /// a sum's <see cref="Parts"/>, then (width 3) a plain sum, totalled too.
    /// </summary>
    public static (ScaledSquares Squares, double Sum) Total(ReadOnlySpan<double> runs, int width)
    {
        var squares = new ScaledSquares();
        double sum = 0;
        for (int c = 0; c + width <= runs.Length; c += width)
        {
            squares.Add(FromParts(runs[c], runs[c + 1]));
            if (width > 2)
                sum += runs[c + 2];
        }
        return (squares, sum);
    }

    /// <summary>The largest |value| added.</summary>
    public readonly double Largest => _largest;

    /// <summary>The sum of the squares (may overflow to ∞ or underflow to 0 as a plain sum would; <see cref="RootMean"/> does not).</summary>
    public readonly double Sum => _largest * _largest * _sum;

    /// <summary>This sum over <paramref name="other"/>'s, without forming either (0/0: NaN).</summary>
    public readonly double Ratio(ScaledSquares other)
    {
        if (_largest == 0 || other._largest == 0)
            return _largest == 0 && other._largest != 0 ? 0 : _largest == 0 ? double.NaN : double.PositiveInfinity;
        double scale = _largest / other._largest;
        return scale * scale * (_sum / other._sum);
    }

    /// <summary>√(Σ value² / <paramref name="count"/>), without the squares' overflow or underflow; 0 for no values or all 0.</summary>
    public readonly double RootMean(long count) => RootOver(count);

    /// <summary>√(Σ value² / <paramref name="divisor"/>) (a sum of weights, say), likewise; 0 for no values or all 0, or a divisor of 0.</summary>
    public readonly double RootOver(double divisor) => _largest == 0 || divisor == 0 ? 0 : _largest * Math.Sqrt(_sum / divisor);
}
