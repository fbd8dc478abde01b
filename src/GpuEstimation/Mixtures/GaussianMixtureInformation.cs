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
    /// <remarks><paramref name="host"/>: a native pass over the fit's (centred) columns, of its K and packing.</remarks>
    public static (double[] Weights, double[][] Means)? StandardErrors(MixtureState state, MixturePass host)
    {
        int p = state.K - 1 + state.K * state.D;
        return Information(state, host) is { } total && Invert(total, p) is { } covariance ? Errors(covariance, p, state.K, state.D) : null;
    }

    /// <summary>
    /// The exact observed information in (w₁ … w_{K−1}, μ₁ … μ_K) with the covariances held (P × P, row-major, P = K − 1
    /// + K d); null where a covariance is not positive definite.
    /// </summary>
    private static double[]? Information(MixtureState state, MixturePass host)
    {
        int k = state.K, d = state.D, p = k - 1 + k * d;
        bool diagonal = host.Diagonal;
        var packed = new double[k * GaussianMixtureRow.Stride(d, diagonal)];
        if (!state.TryPack(diagonal, packed))
            return null;
        // Each component's precision Σₖ⁻¹ (row-major).
        var precisions = new double[k][];
        for (int c = 0; c < k; c++)
        {
            if (Precision(state, c) is not { } precision)
                return null;
            precisions[c] = precision;
        }

        var mixtureWeights = Enumerable.Range(0, k).Select(c => state.Values[c]).ToArray();
        var (upper, counts) = host.Information(packed, mixtureWeights, precisions);
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
        return total;
    }

    // The standard errors of the weights (the last by the delta method, w_K = 1 − Σ wₖ) and the means from the inverse
    // information, whose first K − 1 + K d coordinates are (w₁ … w_{K−1}, μ₁ … μ_K).
    private static (double[] Weights, double[][] Means) Errors(double[] covariance, int p, int k, int d)
    {
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

    /// <summary>The most parameters for which <see cref="FullStandardErrors"/> is used (it differences the gradient along each covariance entry).</summary>
    public const int MaxFullParameters = 300;

    /// <summary>
    /// The number of parameters of the full information: K − 1 weights, K d means and the covariances' free entries
    /// (full: K d(d+1)/2; diagonal: K d; spherical: K; tied: d(d+1)/2).
    /// </summary>
    public static int FullParameterCount(int k, int d, GaussianMixtureCovariance covariance) => k - 1 + k * d + CovarianceParameters(k, d, covariance);

    /// <summary>
    /// Standard errors of the weights and means from the full observed information, the covariances' free entries
    /// included (so that the uncertainty of the covariances widens those of the means and weights as it should, where
    /// components overlap): minus the Hessian of the exact log-likelihood in θ = (w₁ … w_{K−1}, μ₁ … μ_K, covariance
    /// entries), by forward differences of its exact gradient. The gradient at any θ comes from one pass's statistics
    /// (Nₖ = Σ rₖ, S₁ = Σ rₖ x, S₂ = Σ rₖ x xᵀ): ∂/∂wⱼ = Nⱼ/wⱼ − N_K/w_K, ∂/∂μₖ = Pₖ(S₁ − Nₖ μₖ) and ∂/∂Σₖ =
    /// ½ Pₖ Aₖ Pₖ − ½ Nₖ Pₖ with Pₖ = Σₖ⁻¹ and Aₖ = Σ rₖ (x − μₖ)(x − μₖ)ᵀ (an off-diagonal entry twice; a spherical
    /// component's trace; a tied covariance's sum over the components); the weights' and means' block exact
    /// (<see cref="StandardErrors"/>'s). Q + 2 host passes for Q covariance entries; null where the information is not
    /// positive definite.
    /// </summary>
    /// <remarks><paramref name="host"/>: a native pass over the fit's (centred) columns, of its K and packing.</remarks>
    public static (double[] Weights, double[][] Means)? FullStandardErrors(MixtureState state, GaussianMixtureCovariance covariance, MixturePass host)
    {
        bool diagonal = host.Diagonal;
        int k = state.K, d = state.D, p = FullParameterCount(k, d, covariance);
        var entries = Entries(d, covariance);
        var theta = Parameters(state, covariance, entries);
        var codes = new List<int>();
        for (int c = 0; c < k; c++)
        {
            codes.Add(GaussianMixtureRow.Code(c, d, d));
            for (int j = 0; j < d; j++)
                codes.Add(GaussianMixtureRow.Code(c, j, d));
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                    codes.Add(GaussianMixtureRow.Code(c, i, j));
            }
        }
        var codeArray = codes.ToArray();
        var sums = new double[codeArray.Length];
        var packed = new double[k * GaussianMixtureRow.Stride(d, diagonal)];
        double[]? Gradient(double[] at)
        {
            var moved = State(state, covariance, entries, at);
            if (!moved.TryPack(diagonal, packed) || !double.IsFinite(host.Run(packed, codeArray, sums)))
                return null;
            return GradientOf(moved, covariance, entries, sums);
        }

        // Forward differences (central ones took twice as many passes, and the fit three times as long as EM itself at
        // 10⁶ × 2, K = 3), with steps of 10⁻⁶ of each coordinate's scale: a covariance entry's √(σ_aa σ_bb). The step's
        // error, O(h), and the sums' rounding, O(ε/h), are then both ~10⁻⁶ of the information (tested against a
        // twice-differenced host log-likelihood, and in one dimension against the catalogue mixture's).
        // The weights' and means' block is the exact one (Information: one pass); the columns of the covariances'
        // entries are differenced, and copied into their rows (Invert symmetrizes the covariances' own block).
        int q = k - 1 + k * d;
        if (Information(state, host) is not { } exact || Gradient(theta) is not { } here)
            return null;
        var information = new double[p * p];
        for (int i = 0; i < q; i++)
            Array.Copy(exact, i * q, information, i * p, q);
        for (int j = q; j < p; j++)
        {
            double h = 1e-6 * Scale(state, entries, j - q);
            var plus = (double[])theta.Clone();
            plus[j] += h;
            if (Gradient(plus) is not { } up)
                return null;
            for (int i = 0; i < p; i++)
            {
                information[i * p + j] = -(up[i] - here[i]) / h;
                if (i < q)
                    information[j * p + i] = information[i * p + j];
            }
        }
        return Invert(information, p) is { } inverse ? Errors(inverse, p, k, d) : null;
    }

    private static int CovarianceParameters(int k, int d, GaussianMixtureCovariance covariance) => covariance switch
    {
        GaussianMixtureCovariance.Full => k * d * (d + 1) / 2,
        GaussianMixtureCovariance.Diagonal => k * d,
        GaussianMixtureCovariance.Spherical => k,
        _ => d * (d + 1) / 2,
    };

    // The free entries (a, b), a ≤ b, of one covariance: all of them (full, tied), the diagonal, or (0, 0) standing for
    // the spherical variance.
    private static (int A, int B)[] Entries(int d, GaussianMixtureCovariance covariance) => covariance switch
    {
        GaussianMixtureCovariance.Full or GaussianMixtureCovariance.Tied => [.. Enumerable.Range(0, d).SelectMany(a => Enumerable.Range(a, d - a).Select(b => (a, b)))],
        GaussianMixtureCovariance.Diagonal => [.. Enumerable.Range(0, d).Select(a => (a, a))],
        _ => [(0, 0)],
    };

    private static int Covariances(MixtureState state, GaussianMixtureCovariance covariance) =>
        covariance == GaussianMixtureCovariance.Tied ? 1 : state.K;

    private static double[] Parameters(MixtureState state, GaussianMixtureCovariance covariance, (int A, int B)[] entries)
    {
        int k = state.K, d = state.D;
        var theta = new List<double>();
        for (int c = 0; c < k - 1; c++)
            theta.Add(state.Values[c]);
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
                theta.Add(state.Values[state.MeanAt(c) + j]);
        }
        for (int c = 0; c < Covariances(state, covariance); c++)
        {
            foreach (var (a, b) in entries)
                theta.Add(state.Values[state.CovarianceAt(c) + a * d + b]);
        }
        return [.. theta];
    }

    private static MixtureState State(MixtureState at, GaussianMixtureCovariance covariance, (int A, int B)[] entries, double[] theta)
    {
        int k = at.K, d = at.D;
        var state = at.Copy();
        var x = state.Values;
        double rest = 1;
        for (int c = 0; c < k - 1; c++)
            rest -= x[c] = theta[c];
        x[k - 1] = rest;
        int t = k - 1;
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
                x[state.MeanAt(c) + j] = theta[t++];
        }
        for (int c = 0; c < Covariances(state, covariance); c++)
        {
            int cov = state.CovarianceAt(c);
            foreach (var (a, b) in entries)
            {
                double value = theta[t++];
                if (covariance == GaussianMixtureCovariance.Spherical)
                {
                    for (int j = 0; j < d; j++)
                        x[cov + j * d + j] = value;
                }
                else
                {
                    x[cov + a * d + b] = x[cov + b * d + a] = value;
                }
            }
        }
        return state;
    }

    // The scale of covariance entry e (in θ's order after the weights and means), for its difference step: √(σ_aa σ_bb).
    private static double Scale(MixtureState state, (int A, int B)[] entries, int e)
    {
        int d = state.D, cov = state.CovarianceAt(e / entries.Length);
        var (a, b) = entries[e % entries.Length];
        return Math.Sqrt(state.Values[cov + a * d + a] * state.Values[cov + b * d + b]);
    }

    // The exact gradient at a state from its pass's statistics (N, S₁, S₂ upper triangle per component, centred data);
    // null where a covariance is not positive definite (the pass's packing checked it first).
    private static double[]? GradientOf(MixtureState state, GaussianMixtureCovariance covariance, (int A, int B)[] entries, double[] sums)
    {
        int k = state.K, d = state.D, per = 1 + d + d * (d + 1) / 2;
        var x = state.Values;
        var gradient = new List<double>();
        for (int c = 0; c < k - 1; c++)
            gradient.Add(sums[c * per] / x[c] - sums[(k - 1) * per] / x[k - 1]);
        var derivatives = new double[k][];
        for (int c = 0; c < k; c++)
        {
            int at = c * per, mean = state.MeanAt(c);
            double count = sums[at];
            if (Precision(state, c) is not { } precision)
                return null;
            // r = S₁ − N μ; A = S₂ − S₁ μᵀ − μ S₁ᵀ + N μ μᵀ.
            var residual = new double[d];
            for (int j = 0; j < d; j++)
                residual[j] = sums[at + 1 + j] - count * x[mean + j];
            for (int i = 0; i < d; i++)
            {
                double sum = 0;
                for (int j = 0; j < d; j++)
                    sum += precision[i * d + j] * residual[j];
                gradient.Add(sum);
            }
            var spread = new double[d * d];
            for (int i = 0, t = at + 1 + d; i < d; i++)
            {
                for (int j = i; j < d; j++, t++)
                {
                    double value = sums[t] - sums[at + 1 + i] * x[mean + j] - x[mean + i] * sums[at + 1 + j] + count * x[mean + i] * x[mean + j];
                    spread[i * d + j] = spread[j * d + i] = value;
                }
            }
            // G = ½ P A P − ½ N P.
            var pa = new double[d * d];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    double sum = 0;
                    for (int m = 0; m < d; m++)
                        sum += precision[i * d + m] * spread[m * d + j];
                    pa[i * d + j] = sum;
                }
            }
            var g = new double[d * d];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    double sum = 0;
                    for (int m = 0; m < d; m++)
                        sum += pa[i * d + m] * precision[m * d + j];
                    g[i * d + j] = 0.5 * sum - 0.5 * count * precision[i * d + j];
                }
            }
            derivatives[c] = g;
        }
        if (covariance == GaussianMixtureCovariance.Tied)
        {
            // One covariance: its derivative is the components' sum (each Gₖ taken with the shared precision).
            var total = new double[d * d];
            foreach (var g in derivatives)
            {
                for (int e = 0; e < total.Length; e++)
                    total[e] += g[e];
            }
            derivatives = [total];
        }
        foreach (var g in derivatives)
        {
            foreach (var (a, b) in entries)
            {
                if (covariance == GaussianMixtureCovariance.Spherical)
                    gradient.Add(Enumerable.Range(0, d).Sum(j => g[j * d + j]));
                else
                    gradient.Add(a == b ? g[a * d + a] : 2 * g[a * d + b]);
            }
        }
        return [.. gradient];
    }

    // Component c's precision Σₖ⁻¹ (row-major); null where its covariance is not positive definite.
    private static double[]? Precision(MixtureState state, int c) => InverseOf(state.Values.AsSpan(state.CovarianceAt(c), state.D * state.D), state.D);

    // The inverse of a symmetric positive definite matrix by its Cholesky factor; null where not positive definite.
    private static double[]? Invert(double[] matrix, int p)
    {
        var symmetric = new double[p * p];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
                symmetric[i * p + j] = 0.5 * (matrix[i * p + j] + matrix[j * p + i]);
        }
        return InverseOf(symmetric, p);
    }

    // A⁻¹ = L⁻ᵀ L⁻¹ from A's Cholesky factor L (A n × n, row-major, taken as symmetric); null where not positive definite.
    private static double[]? InverseOf(ReadOnlySpan<double> matrix, int n)
    {
        var l = new double[n * n];
        if (!MixtureState.Cholesky(matrix, l, n))
            return null;
        var inverse = new double[n * n];
        MixtureState.InvertLower(l, inverse, n);
        var result = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int m = Math.Max(i, j); m < n; m++)
                    sum += inverse[m * n + i] * inverse[m * n + j];
                result[i * n + j] = sum;
            }
        }
        return result;
    }
}
