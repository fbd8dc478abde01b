using GpuEstimation.Engine;
using GpuEstimation.Estimation;

namespace GpuEstimation.Inference;

/// <summary>
/// The sandwich covariance on the natural scale: B M B with B the model-based covariance (the inverse information, at
/// the MLE the same whether the optimizer's scale is carried through the delta method or not, since the gradient is
/// zero there) and M = L R Lᵀ the meat (formed as (B L) R (B L)ᵀ, <see cref="ILikelihoodEngine.ScoreProductFactors"/>), Σ sᵢ sᵢᵀ over the rows' scores or Σ_g S_g S_gᵀ over the clusters' summed scores,
/// times the small-sample factor of the covariance type. Over the parameters the fit estimated with a standard error:
/// held ones keep zero rows, those at an edge of their domain NaN rows, as in the model-based covariance.
/// </summary>
internal static class RobustCovariance
{
    /// <summary>A row whose leverage is within this of 1 is left out of HC2's and HC3's sums (its residual is 0).</summary>
    public const double UnitLeverage = 1e-10;

    /// <summary>The rows (from 0) whose leverage is 1 to <see cref="UnitLeverage"/>, which HC2 and HC3 leave out.</summary>
    public static int[] UnitLeverageRows(IReadOnlyList<double> leverages)
    {
        ArgumentNullException.ThrowIfNull(leverages);
        return [.. Enumerable.Range(0, leverages.Count).Where(i => IsUnit(leverages[i]))];
    }

    // A leverage of 1 to UnitLeverage (or not a number).
    private static bool IsUnit(double leverage) => !(1 - leverage > UnitLeverage);

    /// <summary>The sandwich of <paramref name="type"/> at <paramref name="natural"/> over the rows <paramref name="engine"/> holds.</summary>
    /// <param name="type">A robust covariance type.</param>
    /// <param name="engine">The engine that computes the meat.</param>
    /// <param name="map">The parameters, which of them free.</param>
    /// <param name="natural">The estimates (natural scale).</param>
    /// <param name="bread">The model-based covariance on the natural scale (P×P).</param>
    /// <param name="scaleParameters">Parameters the small-sample factor does not count.</param>
    /// <param name="weights">Each row's frequency weight, or null (one observation a row): n = Σw, and clusters of weight 0 are not counted.</param>
    /// <param name="leverages">Each row's leverage hᵢ, for HC2 and HC3 (a linear model's); null where the model has none.</param>
    public static double[,] Sandwich(CovarianceType type, ILikelihoodEngine engine, ParameterMap map, double[] natural, double[,] bread,
        IReadOnlyCollection<string> scaleParameters, IReadOnlyList<double>? weights = null, IReadOnlyList<double>? leverages = null)
    {
        var kept = map.Free.Where(k => double.IsFinite(bread[k, k])).ToArray();
        double[,] l, meat;
        double factor = 1;
        // Frequency weights: a row of weight w is w observations (statsmodels' freq_weights: nobs = Σw).
        double n = weights?.Sum() ?? engine.Rows;
        int k = kept.Count(i => !scaleParameters.Contains(map.Parameters[i].Name));
        if (type.Name != CovarianceType.HC0.Name && !(n > k))
            throw new InputException($"{type} covariance: {n} observations for {k} estimated parameters; its small-sample factor needs more observations than parameters", nameof(type));
        switch (type.Name)
        {
            case "HC0":
                (l, meat) = engine.ScoreProductFactors(natural);
                break;
            case "HC1":
                (l, meat) = engine.ScoreProductFactors(natural);
                factor = Correction(n, k);
                break;
            case "HC2":
            case "HC3":
            {
                if (leverages is null)
                {
                    throw new InputException($"{type} covariance: it divides each row's score products by its leverage, which only a linear model's " +
                        "hat matrix gives (the model 'linear'); statsmodels' GLM and discrete models give HC0 under that name; use HC0 or HC1", nameof(type));
                }
                // The leverages are the whole design's: with a coefficient held (an offset) the hat matrix is another's.
                var held = Enumerable.Range(0, map.Count).Where(i => map.IsHeld(i) && !scaleParameters.Contains(map.Parameters[i].Name)).ToList();
                if (held.Count > 0)
                {
                    throw new InputException($"{type} covariance: with {string.Join(", ", held.Select(i => map.Parameters[i].Name))} held, the leverages " +
                        "would be those of the design without it, which is not computed; use HC0 or HC1", nameof(type));
                }
                int power = type.Name == "HC2" ? 1 : 2;
                var scale = new double[leverages.Count];
                for (int i = 0; i < scale.Length; i++)
                {
                    // A row of leverage 1 (a feature only it has; to rounding, 1 − h ≤ 1e-10) has a residual of 0 whatever
                    // the fit, so e²/(1 − h)^δ is 0/0: its products are left out (weight 0), not multiplied by ~10³².
                    scale[i] = IsUnit(leverages[i]) ? 0 : Math.Pow(1 - leverages[i], -power);
                }
                (l, meat) = engine.WeightedScoreProductFactors(natural, scale);
                break;
            }
            case "cluster":
                var (codes, groups) = Codes(type, engine.Rows, weights);
                (l, meat) = engine.ScoreProductFactors(natural, codes, groups);
                factor = (double)groups / (groups - 1) * ((n - 1.0) / (n - k));
                break;
            default:
                throw new ArgumentException($"'{type.Name}' is not a robust covariance", nameof(type));
        }
        var result = new double[map.Count, map.Count];
        for (int i = 0; i < map.Count; i++)
        {
            for (int j = 0; j < map.Count; j++)
                result[i, j] = map.IsHeld(i) || map.IsHeld(j) ? 0 : double.NaN;
        }
        // (B L) R (B L)ᵀ over the kept parameters' rows, B restricted to them: the meat L R Lᵀ is never formed in the
        // parameters' own units (ILikelihoodEngine.ScoreProductFactors).
        int m = kept.Length, p = map.Count;
        var bl = new double[m, p];
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < p; c++)
            {
                double sum = 0;
                for (int t = 0; t < m; t++)
                    sum += bread[kept[r], kept[t]] * l[kept[t], c];
                bl[r, c] = sum;
            }
        }
        var sandwich = Congruence.Of(bl, meat);
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < m; c++)
                result[kept[r], kept[c]] = factor * sandwich[r, c];
        }
        // Exactly symmetric, as the model-based covariance is.
        for (int r = 0; r < m; r++)
        {
            for (int c = r + 1; c < m; c++)
                result[kept[c], kept[r]] = result[kept[r], kept[c]] = 0.5 * (result[kept[r], kept[c]] + result[kept[c], kept[r]]);
        }
        return result;
    }

    /// <summary>n/(n − k), the HC1 factor.</summary>
    private static double Correction(double n, int k) => n / (n - k);

    /// <summary>The clusters as codes 0 … G − 1 in order of first appearance; fewer than two clusters is an error.</summary>
    // Clusters numbered 0, 1, ... in order of appearance; a cluster whose rows all have weight 0 is not there (not counted in G).
    private static (int[] Codes, int Groups) Codes(CovarianceType type, int rows, IReadOnlyList<double>? weights)
    {
        var clusters = type.Clusters!;
        if (clusters.Count != rows)
            throw new InputException($"cluster column '{type.ClusterColumn}': {clusters.Count} values for {rows} observations", type.ClusterColumn);
        var index = new Dictionary<int, int>();
        var codes = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            if (weights is not null && weights[i] == 0)
                continue;
            if (!index.TryGetValue(clusters[i], out int code))
                index.Add(clusters[i], code = index.Count);
            codes[i] = code;
        }
        // A row of weight 0 adds a zero score; it goes to the first cluster, whose sum it does not change.
        if (index.Count < 2)
            throw new InputException($"cluster column '{type.ClusterColumn}': {(index.Count == 0 ? "no clusters" : "one cluster")}; cluster-robust standard errors need at least two", type.ClusterColumn);
        return (codes, index.Count);
    }
}
