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
