using GpuEstimation.Backends;
using GpuEstimation.Kernels.Mixtures;

namespace GpuEstimation.Mixtures;

/// <summary>
/// Standard errors of a Gaussian mixture's weights and means: the exact observed information (minus the Hessian of the
/// log-likelihood) in θ = (w₁ … w_{K−1}, μ₁ … μ_K) with w_K = 1 − Σ wₖ and the covariances held at their estimates.
/// With gₖ = wₖ φₖ(x), rₖ = gₖ / Σ g and aₖ = ∇ log gₖ (aₖ's weight part eₖ/wₖ, or −1/w_K for the last; its mean part
/// Σₖ⁻¹(x − μₖ) in block k), each row contributes −∇² log f = sₖ sᵀ − Σₖ rₖ (aₖ aₖᵀ + ∇² log gₖ) with s = Σₖ rₖ aₖ and
/// −∇² log gₖ = diag(1/wₖ²) (the last: 1/w_K² in every weight entry) and Σₖ⁻¹ in block k. A host pass over fixed
/// chunks of rows, added in chunk order; n P²/2 multiply-adds for P = K − 1 + K d parameters.
/// </summary>
internal static class GaussianMixtureInformation
{
    private const int ChunkRows = 1 << 13;

    /// <summary>The standard errors (weights; each component's mean), or null where the information is not positive definite.</summary>
    public static (double[] Weights, double[][] Means)? StandardErrors(MixtureState state, double[][] columns, bool diagonal)
    {
        int k = state.K, d = state.D, p = k - 1 + k * d;
        long n = columns[0].LongLength;
        var packed = new double[k * GaussianMixtureRow.Stride(d, diagonal)];
        if (!state.TryPack(diagonal, packed))
            return null;
        var responsibilities = new double[n * k];
        var logDensity = new double[n];
        using (var host = ComputeDevice.Open(Backend.Native))
        using (var pass = MixturePass.Open(host, columns, k, diagonal))
            pass.Responsibilities(packed, responsibilities, logDensity);

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

        var supports = Enumerable.Range(0, k).Select(c => Support(k, d, c).ToArray()).ToArray();
        int chunks = (int)((n + ChunkRows - 1) / ChunkRows);
        var partials = new double[chunks][];
        Parallel.For(0, chunks, chunk =>
        {
            var information = new double[p * p];
            var score = new double[p];
            var a = new double[p];
            var y = new double[d];
            long begin = (long)chunk * ChunkRows, end = Math.Min(n, begin + ChunkRows);
            for (long row = begin; row < end; row++)
            {
                Array.Clear(score);
                for (int c = 0; c < k; c++)
                {
                    double r = responsibilities[row * k + c];
                    Array.Clear(a);
                    Gradient(state, precisions[c], columns, row, c, a, y);
                    for (int i = 0; i < p; i++)
                        score[i] += r * a[i];
                    if (r == 0)
                        continue;
                    // − r aₖ aₖᵀ: aₖ is nonzero in the weights and in block c only.
                    var support = supports[c];
                    foreach (int i in support)
                    {
                        double ra = r * a[i];
                        foreach (int j in support)
                            information[i * p + j] -= ra * a[j];
                    }
                }
                for (int i = 0; i < p; i++)
                {
                    double si = score[i];
                    if (si == 0)
                        continue;
                    for (int j = 0; j < p; j++)
                        information[i * p + j] += si * score[j];
                }
            }
            partials[chunk] = information;
        });
        var total = new double[p * p];
        foreach (var part in partials)
        {
            for (int i = 0; i < total.Length; i++)
                total[i] += part[i];
        }
        // + Σₖ Nₖ (−∇² log gₖ).
        for (int c = 0; c < k; c++)
        {
            double count = 0;
            for (long row = 0; row < n; row++)
                count += responsibilities[row * k + c];
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

    // aₖ = ∇ log gₖ at row `row`.
    private static void Gradient(MixtureState state, double[] precision, double[][] columns, long row, int c, double[] a, double[] y)
    {
        int k = state.K, d = state.D;
        if (c < k - 1)
            a[c] = 1.0 / state.Values[c];
        else
        {
            for (int i = 0; i < k - 1; i++)
                a[i] = -1.0 / state.Values[c];
        }
        int mean = state.MeanAt(c);
        for (int j = 0; j < d; j++)
            y[j] = columns[j][row] - state.Values[mean + j];
        int block = k - 1 + c * d;
        for (int i = 0; i < d; i++)
        {
            double sum = 0;
            for (int j = 0; j < d; j++)
                sum += precision[i * d + j] * y[j];
            a[block + i] = sum;
        }
    }

    private static IEnumerable<int> Support(int k, int d, int c)
    {
        if (c < k - 1)
            yield return c;
        else
        {
            for (int i = 0; i < k - 1; i++)
                yield return i;
        }
        for (int j = 0; j < d; j++)
            yield return k - 1 + c * d + j;
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
