using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;

namespace GpuEstimation.Mixtures;

/// <summary>
/// A Gaussian mixture's parameters as one flat vector (for SQUAREM's extrapolation): K weights, K means of d values,
/// then the covariance matrices (K of them, or one when tied) as full d × d rows. Diagonal and spherical covariances are
/// kept as matrices with zeros off the diagonal.
/// </summary>
internal sealed class MixtureState
{
    public MixtureState(int dimensions, int components, int covariances)
    {
        D = dimensions;
        K = components;
        Covariances = covariances;
        Values = new double[K + K * D + covariances * D * D];
    }

    public int D { get; }

    public int K { get; }

    public int Covariances { get; }

    public double[] Values { get; }

    public double Weight(int k) => Values[k];

    public int MeanAt(int k) => K + k * D;

    public int CovarianceAt(int k) => K + K * D + (Covariances == 1 ? 0 : k) * D * D;

    public MixtureState Copy()
    {
        var copy = new MixtureState(D, K, Covariances);
        Values.CopyTo(copy.Values, 0);
        return copy;
    }

    /// <summary>
    /// The packed parameters of <see cref="GaussianMixtureRow"/>: each component's constant, mean and inverse Cholesky
    /// factor. False where a weight is not positive or a covariance not positive definite (an extrapolation gone too far).
    /// </summary>
    public bool TryPack(bool diagonal, double[] packed)
    {
        int stride = GaussianMixtureRow.Stride(D, diagonal);
        var factor = new double[D * D];
        var inverse = new double[D * D];
        for (int k = 0; k < K; k++)
        {
            double w = Weight(k);
            if (!(w > 0) || !double.IsFinite(w))
                return false;
            int at = k * stride;
            double logDeterminantHalf = 0;
            if (diagonal)
            {
                for (int j = 0; j < D; j++)
                {
                    double variance = Values[CovarianceAt(k) + j * D + j];
                    if (!(variance > 0) || !double.IsFinite(variance))
                        return false;
                    double sd = Math.Sqrt(variance);
                    packed[at + 1 + D + j] = 1.0 / sd;
                    logDeterminantHalf += Math.Log(sd);
                }
            }
            else
            {
                if (!Cholesky(Values.AsSpan(CovarianceAt(k), D * D), factor, D))
                    return false;
                InvertLower(factor, inverse, D);
                int f = at + 1 + D;
                for (int i = 0; i < D; i++)
                {
                    logDeterminantHalf += Math.Log(factor[i * D + i]);
                    for (int j = 0; j <= i; j++)
                        packed[f++] = inverse[i * D + j];
                }
            }
            packed[at] = Math.Log(w) - logDeterminantHalf - D * KernelConstants.HalfLogTwoPi;
            for (int j = 0; j < D; j++)
                packed[at + 1 + j] = Values[MeanAt(k) + j];
        }
        return true;
    }

    /// <summary>The lower Cholesky factor L (row-major, d × d) of a symmetric matrix; false where not positive definite.</summary>
    public static bool Cholesky(ReadOnlySpan<double> a, double[] l, int d)
    {
        Array.Clear(l);
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i * d + j];
                for (int m = 0; m < j; m++)
                    sum -= l[i * d + m] * l[j * d + m];
                if (i == j)
                {
                    if (!(sum > 0) || !double.IsFinite(sum))
                        return false;
                    l[i * d + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i * d + j] = sum / l[j * d + j];
                }
            }
        }
        return true;
    }

    /// <summary>The inverse of a lower-triangular matrix (row-major), itself lower triangular.</summary>
    public static void InvertLower(double[] l, double[] inverse, int d)
    {
        Array.Clear(inverse);
        for (int j = 0; j < d; j++)
        {
            inverse[j * d + j] = 1.0 / l[j * d + j];
            for (int i = j + 1; i < d; i++)
            {
                double sum = 0;
                for (int m = j; m < i; m++)
                    sum += l[i * d + m] * inverse[m * d + j];
                inverse[i * d + j] = -sum / l[i * d + i];
            }
        }
    }
}
