using GpuEstimation.Data;
using GpuEstimation.Backends;
using GpuEstimation.Kernels.Mixtures;

namespace GpuEstimation.Mixtures;

/// <summary>
/// Standard errors of a Gaussian mixture's weights and means: the exact observed information (minus the Hessian of the
/// log-likelihood) in θ = (w₁ … w_{K−1}, μ₁ … μ_K) with w_K = 1 − Σ wₖ and the covariances held at their estimates.
/// With gₖ = wₖ φₖ(x), rₖ = gₖ / Σ g and aₖ = ∇ log gₖ (aₖ's weight part eₖ/wₖ, or −1/w_K for the last; its mean part
/// Σₖ⁻¹(x − μₖ) in block k), each row contributes −∇² log f = sₖ sᵀ − Σₖ rₖ (aₖ aₖᵀ + ∇² log gₖ) with s = Σₖ rₖ aₖ and
/// −∇² log gₖ = diag(1/wₖ²) (the last: 1/w_K² in every weight entry) and Σₖ⁻¹ in block k. The row sums are the native
/// pass's (<see cref="MixturePass.Information"/>: rows four to a vector, chunks added in order); n P²/2 multiply-adds
/// for P = K − 1 + K d parameters.
/// </summary>
internal static class GaussianMixtureInformation
{
    /// <summary>The standard errors (weights; each component's mean), or null where the information is not positive definite.</summary>
    public static (double[] Weights, double[][] Means)? StandardErrors(MixtureState state, double[][] columns, bool diagonal)
    {
        int k = state.K, d = state.D, p = k - 1 + k * d;
        var packed = new double[k * GaussianMixtureRow.Stride(d, diagonal)];
        if (!state.TryPack(diagonal, packed))
            return null;
        // Each component's precision Σₖ⁻¹ (row-major).
        var precisions = new double[k][];
        var factor = new double[d * d];
        var inverse = new double[d * d];
        for (int c = 0; c < k; c++)
        {
            if (!MixtureState.Cholesky(state.Values.AsSpan(state.CovarianceAt(c), d * d), factor, d))
                return null;
            MixtureState.InvertLower(factor, inverse, d);
            var precision = new double[d * d];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    double sum = 0;
                    for (int m = Math.Max(i, j); m < d; m++)
                        sum += inverse[m * d + i] * inverse[m * d + j];
                    precision[i * d + j] = sum;
                }
            }
            precisions[c] = precision;
        }

        var mixtureWeights = Enumerable.Range(0, k).Select(c => state.Values[c]).ToArray();
        double[] upper, counts;
        using (var host = ComputeDevice.Open(Backend.Native))
        using (var pass = MixturePass.Open(host, columns.AsColumns(), k, diagonal))
            (upper, counts) = pass.Information(packed, mixtureWeights, precisions);
        var total = new double[p * p];
        for (int i = 0, e = 0; i < p; i++)
        {
            for (int j = i; j < p; j++, e++)
                total[i * p + j] = total[j * p + i] = upper[e];
        }
        // + Σₖ Nₖ (−∇² log gₖ).
        for (int c = 0; c < k; c++)
        {
            double count = counts[c];
            double w = state.Values[c];
            if (c < k - 1)
                total[c * p + c] += count / (w * w);
            else
            {
                for (int i = 0; i < k - 1; i++)
                {
                    for (int j = 0; j < k - 1; j++)
                        total[i * p + j] += count / (w * w);
                }
            }
            int block = k - 1 + c * d;
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                    total[(block + i) * p + block + j] += count * precisions[c][i * d + j];
            }
        }
        var covariance = Invert(total, p);
        if (covariance is null)
            return null;
        var weights = new double[k];
        double last = 0;
        for (int i = 0; i < k - 1; i++)
        {
            weights[i] = Math.Sqrt(covariance[i * p + i]);
            for (int j = 0; j < k - 1; j++)
                last += covariance[i * p + j];
        }
        weights[k - 1] = k == 1 ? 0 : Math.Sqrt(Math.Max(0, last));
        var means = new double[k][];
        for (int c = 0; c < k; c++)
        {
            means[c] = new double[d];
            for (int j = 0; j < d; j++)
            {
                int at = k - 1 + c * d + j;
                means[c][j] = Math.Sqrt(covariance[at * p + at]);
            }
        }
        return (weights, means);
    }

    // The inverse of a symmetric positive definite matrix by its Cholesky factor; null where not positive definite.
    private static double[]? Invert(double[] matrix, int p)
    {
        var symmetric = new double[p * p];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
                symmetric[i * p + j] = 0.5 * (matrix[i * p + j] + matrix[j * p + i]);
        }
        var l = new double[p * p];
        if (!MixtureState.Cholesky(symmetric, l, p))
            return null;
        var inverse = new double[p * p];
        MixtureState.InvertLower(l, inverse, p);
        var result = new double[p * p];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
            {
                double sum = 0;
                for (int m = Math.Max(i, j); m < p; m++)
                    sum += inverse[m * p + i] * inverse[m * p + j];
                result[i * p + j] = sum;
            }
        }
        return result;
    }
}
