using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Optimization;

/// <summary>
/// The map x = x₀ + T w between well-scaled coordinates w (one unit about one standard error) and an objective's
/// coordinates x, and the matching map of gradients, ∇_w = Tᵀ ∇_x. Written once for the search and the Hessian.
/// </summary>
internal sealed class AffineCoordinates(double[] origin, Matrix<double> transform)
{
    /// <summary>x₀, where w = 0.</summary>
    public double[] Origin { get; } = origin;

    /// <summary>T.</summary>
    public Matrix<double> Transform { get; } = transform;

    /// <summary>x = x₀ + T w, written to <paramref name="x"/>.</summary>
    public void ToPoint(ReadOnlySpan<double> w, Span<double> x)
    {
        int n = Origin.Length;
        for (int i = 0; i < n; i++)
        {
            double v = Origin[i];
            for (int j = 0; j < n; j++)
                v += Transform[i, j] * w[j];
            x[i] = v;
        }
    }

    /// <summary>
    /// The shortest move along unit <paramref name="k"/> of w that changes some coordinate of x₀ by one unit in its last
    /// place (0 where none can: a zero column, or x₀ not finite). Where a standard error is a small multiple of its
    /// estimate's ulp (a location of 10¹³ known to 0.025, 12 ulps), a finite-difference step shorter than a few of these
    /// rounds to no move at all.
    /// </summary>
    public double UlpStep(int k)
    {
        double shortest = 0;
        for (int i = 0; i < Origin.Length; i++)
        {
            double column = Math.Abs(Transform[i, k]);
            if (column == 0 || !double.IsFinite(Origin[i]) || !double.IsFinite(column))
                continue;
            double step = Ulp(Origin[i]) / column;
            shortest = shortest == 0 ? step : Math.Min(shortest, step);
        }
        return double.IsFinite(shortest) ? shortest : 0;
    }

    /// <summary>The spacing of doubles at <paramref name="x"/>: the distance from |x| to the next double up.</summary>
    public static double Ulp(double x) => Math.BitIncrement(Math.Abs(x)) - Math.Abs(x);

    /// <summary>x₀ + T w as a new array.</summary>
    public double[] ToPoint(ReadOnlySpan<double> w)
    {
        var x = new double[Origin.Length];
        ToPoint(w, x);
        return x;
    }

    /// <summary>The gradient in w, Tᵀ <paramref name="gx"/>, scaled by <paramref name="sign"/>, written to <paramref name="gw"/>.</summary>
    public void ToGradientW(ReadOnlySpan<double> gx, Span<double> gw, double sign = 1)
    {
        int n = Origin.Length;
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int i = 0; i < n; i++)
                s += Transform[i, j] * gx[i];
            gw[j] = sign * s;
        }
    }
}
