using GpuEstimation.Kernels.Mixtures;

namespace GpuEstimation.Mixtures;

/// <summary>
/// Where the parameters θ of a Gaussian mixture's observed information lie (<see cref="MixturePass.Information"/>):
/// <paramref name="Parameters"/> P of them; component k's support, the indices of θ its log wₖφₖ depends on, ascending:
/// its weight entries (its own, or every one for the last), its d means, then its covariance's free entries
/// (<paramref name="Entries"/>, one index each; a tied covariance's the same for every component); none where the
/// covariances are held. <paramref name="Spherical"/>: the one entry (0, 0) stands for the variance σ² of Σ = σ² I.
/// </summary>
internal sealed record InformationLayout(int Parameters, int[][] Supports, (int A, int B)[] Entries, bool Spherical);

/// <summary>
/// <see cref="MixturePass.Information"/>'s row sums: the upper triangle (P × P, row by row), each component's Σ rₖ, and
/// where the layout has covariance entries each component's Σ rₖ u and the upper triangle of Σ rₖ u uᵀ (u = Σₖ⁻¹(x − μₖ)),
/// d + d(d + 1)/2 values a component.
/// </summary>
internal sealed record InformationSums(double[] Upper, double[] Counts, double[] Moments)
{
    /// <summary>A component's moments in <see cref="Moments"/>: Σ rₖ u (d) and the upper triangle of Σ rₖ u uᵀ.</summary>
    public static int MomentsPerComponent(int d) => d + d * (d + 1) / 2;
}

/// <summary>
/// Standard errors of a Gaussian mixture's weights and means from the exact observed information (minus the Hessian of
/// the log-likelihood) in θ = (w₁ … w_{K−1}, μ₁ … μ_K, the covariances' free entries) with w_K = 1 − Σ wₖ: the full
/// information, so that the uncertainty of the covariances widens those of the means and weights as it should where
/// components overlap; above <see cref="MaxFullParameters"/> the covariances held at their estimates (conditional errors).
/// With gₖ = wₖ φₖ(x), rₖ = gₖ / Σ g and aₖ = ∇ log gₖ, each row contributes −∇² log f = s sᵀ − Σₖ rₖ (aₖ aₖᵀ + ∇² log gₖ)
/// with s = Σₖ rₖ aₖ. aₖ's weight part is eₖ/wₖ (or −1/w_K for the last), its mean part u = Σₖ⁻¹(x − μₖ), and for a
/// covariance entry e, Σ = Σ_e θ_e E_e (E_e = e_a e_bᵀ + e_b e_aᵀ off the diagonal, e_a e_aᵀ on it, I for a spherical
/// variance): ½ tr((u uᵀ − Σₖ⁻¹) E_e). The rows' s sᵀ − Σₖ rₖ aₖ aₖᵀ are the native pass's (rows four to a vector,
/// chunks added in order); −Σ rows rₖ ∇² log gₖ follows from its sums Nₖ = Σ rₖ, v = Σ rₖ u and M = Σ rₖ u uᵀ:
/// Nₖ/wₖ² (weights), Nₖ P (means, P = Σₖ⁻¹), (P E_e v) (a mean with an entry) and tr(E_e P E_f M) − ½ Nₖ tr(P E_e P E_f)
/// (two entries). One pass of n P²/2 multiply-adds.
/// </summary>
internal static class GaussianMixtureInformation
{
    /// <summary>The most parameters for which the full information is used (its pass costs n P²/2 multiply-adds).</summary>
    public const int MaxFullParameters = 300;

    /// <summary>
    /// The standard errors (weights; each component's mean; each component's covariance, d × d, or null where the
    /// covariances are held), or null where the information is not positive definite: from the full information with
    /// <paramref name="covariance"/>'s free entries, or with the covariances held where it is null.
    /// </summary>
    /// <remarks><paramref name="host"/>: a native pass over the fit's (centred) columns, of its K and packing.</remarks>
    public static (double[] Weights, double[][] Means, double[][][]? Covariances)? StandardErrors(MixtureState state, MixturePass host,
        GaussianMixtureCovariance? covariance)
    {
        var layout = Layout(state.K, state.D, covariance);
        int p = layout.Parameters;
        if (Information(state, host, layout) is not { } total || Invert(total, p) is not { } inverse)
            return null;
        var (weights, means) = Errors(inverse, p, state.K, state.D);
        return (weights, means, covariance is null ? null : CovarianceErrors(inverse, layout, state.D));
    }

    // Each component's covariance's standard errors (d × d) from the inverse information's diagonal at the layout's
    // covariance entries: an entry (a, b) at [a][b] and [b][a], a spherical variance's along the diagonal, 0 elsewhere.
    private static double[][][] CovarianceErrors(double[] inverse, InformationLayout layout, int d)
    {
        int p = layout.Parameters, k = layout.Supports.Length, q = layout.Entries.Length;
        var errors = new double[k][][];
        for (int c = 0; c < k; c++)
        {
            var support = layout.Supports[c];
            var matrix = new double[d][];
            for (int i = 0; i < d; i++)
                matrix[i] = new double[d];
            for (int e = 0; e < q; e++)
            {
                int at = support[support.Length - q + e];
                double error = Math.Sqrt(inverse[at * p + at]);
                var (a, b) = layout.Entries[e];
                if (layout.Spherical)
                {
                    for (int j = 0; j < d; j++)
                        matrix[j][j] = error;
                }
                else
                {
                    matrix[a][b] = matrix[b][a] = error;
                }
            }
            errors[c] = matrix;
        }
        return errors;
    }

    /// <summary>
    /// The number of parameters of the full information: K − 1 weights, K d means and the covariances' free entries
    /// (full: K d(d+1)/2; diagonal: K d; spherical: K; tied: d(d+1)/2).
    /// </summary>
    public static int FullParameterCount(int k, int d, GaussianMixtureCovariance covariance) => k - 1 + k * d + CovarianceParameters(k, d, covariance);

    /// <summary>The layout of θ: weights, means, then (unless <paramref name="covariance"/> is null) the covariances' entries.</summary>
    internal static InformationLayout Layout(int k, int d, GaussianMixtureCovariance? covariance)
    {
        (int A, int B)[] entries = covariance is { } kind ? Entries(d, kind) : [];
        int means = k - 1 + k * d;
        var supports = new int[k][];
        for (int c = 0; c < k; c++)
        {
            var support = new List<int>();
            if (c < k - 1)
                support.Add(c);
            else
                support.AddRange(Enumerable.Range(0, k - 1));
            support.AddRange(Enumerable.Range(k - 1 + c * d, d));
            int block = means + (covariance == GaussianMixtureCovariance.Tied ? 0 : c * entries.Length);
            support.AddRange(Enumerable.Range(block, entries.Length));
            supports[c] = [.. support];
        }
        int p = covariance is { } chosen ? FullParameterCount(k, d, chosen) : means;
        return new InformationLayout(p, supports, entries, covariance == GaussianMixtureCovariance.Spherical);
    }

    /// <summary>The exact observed information in <paramref name="layout"/>'s θ (P × P, row-major); null where a covariance is not positive definite.</summary>
    internal static double[]? Information(MixtureState state, MixturePass host, InformationLayout layout)
    {
        int k = state.K, d = state.D, p = layout.Parameters;
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
        var sums = host.Information(packed, mixtureWeights, precisions, layout);
        var total = new double[p * p];
        for (int i = 0, e = 0; i < p; i++)
        {
            for (int j = i; j < p; j++, e++)
                total[i * p + j] = total[j * p + i] = sums.Upper[e];
        }
        // + Σₖ (−Σ rows rₖ ∇² log gₖ).
        var terms = layout.Entries.Select(e => Terms(e, d, layout.Spherical)).ToArray();
        int q = terms.Length, perMoments = InformationSums.MomentsPerComponent(d);
        for (int c = 0; c < k; c++)
        {
            double count = sums.Counts[c];
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
            var support = layout.Supports[c];
            int means = support.Length - d - q;
            var precision = precisions[c];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                    total[support[means + i] * p + support[means + j]] += count * precision[i * d + j];
            }
            // v = Σ rₖ u and M = Σ rₖ u uᵀ (symmetric).
            var moments = sums.Moments.AsSpan(c * perMoments, perMoments);
            var v = moments[..d].ToArray();
            var m = new double[d * d];
            for (int i = 0, t = d; i < d; i++)
            {
                for (int j = i; j < d; j++, t++)
                    m[i * d + j] = m[j * d + i] = moments[t];
            }
            if (q == 0)
            {
                // − Σ rₖ aₖaₖᵀ, which the pass sums row by row where there are covariance entries: aₖ is a constant α on
                // the weights of its support (1/wₖ on wₖ; −1/w_K on each weight for the last) and u on its means, so the
                // sum is −N αα' on two weights, −α vᵢ on a weight and a mean, −Mᵢⱼ on two means.
                double alpha = c < k - 1 ? 1 / w : -1 / w;
                for (int s = 0; s < means; s++)
                {
                    for (int t = 0; t < means; t++)
                        total[support[s] * p + support[t]] -= count * alpha * alpha;
                    for (int i = 0; i < d; i++)
                    {
                        total[support[s] * p + support[means + i]] -= alpha * v[i];
                        total[support[means + i] * p + support[s]] -= alpha * v[i];
                    }
                }
                for (int i = 0; i < d; i++)
                {
                    for (int j = 0; j < d; j++)
                        total[support[means + i] * p + support[means + j]] -= m[i * d + j];
                }
                continue;
            }
            for (int e = 0; e < q; e++)
            {
                int entry = support[means + d + e];
                // A mean with an entry: (P E_e v)_i = Σ over e's terms (a, b) of P_ia v_b.
                for (int i = 0; i < d; i++)
                {
                    double value = 0;
                    foreach (var (ta, tb) in terms[e])
                        value += precision[i * d + ta] * v[tb];
                    int mean = support[means + i];
                    total[mean * p + entry] += value;
                    total[entry * p + mean] += value;
                }
                // Two entries: Σ over e's terms (i, j) and f's (a, b) of P_ja M_bi − ½ N P_bi P_ja.
                for (int f = 0; f < q; f++)
                {
                    double value = 0;
                    foreach (var (ti, tj) in terms[e])
                    {
                        foreach (var (ta, tb) in terms[f])
                            value += precision[tj * d + ta] * (m[tb * d + ti] - 0.5 * count * precision[tb * d + ti]);
                    }
                    total[entry * p + support[means + d + f]] += value;
                }
            }
        }
        return total;
    }

    // The terms (i, j) of E_e for covariance entry e = (a, b): (a, b) and (b, a) off the diagonal, (a, a) on it, every
    // (j, j) for a spherical variance.
    private static (int I, int J)[] Terms((int A, int B) entry, int d, bool spherical) =>
        spherical ? [.. Enumerable.Range(0, d).Select(j => (j, j))]
        : entry.A == entry.B ? [(entry.A, entry.A)] : [(entry.A, entry.B), (entry.B, entry.A)];

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
