namespace GpuEstimation.Estimation;

/// <summary>
/// Which covariance the standard errors, z, p-values and Wald intervals come from, named as statsmodels names its
/// <c>cov_type</c>: the inverse information ("nonrobust"), the sandwich H⁻¹ (Σ sᵢ sᵢᵀ) H⁻¹ ("HC0"), the sandwich times
/// n/(n − k) ("HC1"), the sandwich with each row's score outer product over (1 − hᵢ) ("HC2") or (1 − hᵢ)² ("HC3"), hᵢ
/// the row's leverage (a linear model's only), or the sandwich over sums of scores within clusters with statsmodels'
/// default correction G/(G − 1) · (n − 1)/(n − k) ("cluster"). Maximum likelihood only.
/// </summary>
public sealed record CovarianceType
{
    private CovarianceType(string name, IReadOnlyList<int>? clusters, string? clusterColumn)
    {
        Name = name;
        Clusters = clusters;
        ClusterColumn = clusterColumn;
    }

    /// <summary>The inverse of the observed (or, where it does not exist, Fisher) information: the default.</summary>
    public static CovarianceType NonRobust { get; } = new("nonrobust", null, null);

    /// <summary>The sandwich (White's heteroscedasticity-robust covariance, statsmodels' HC0).</summary>
    public static CovarianceType HC0 { get; } = new("HC0", null, null);

    /// <summary>The sandwich times n/(n − k), k the estimated parameters (statsmodels' HC1 for OLS).</summary>
    public static CovarianceType HC1 { get; } = new("HC1", null, null);

    /// <summary>
    /// The sandwich with each row's score outer product divided by 1 − hᵢ, hᵢ its leverage (the hat matrix's diagonal):
    /// statsmodels' OLS <c>cov_type='HC2'</c>, R's <c>sandwich::vcovHC(type = "HC2")</c>. The linear model only.
    /// </summary>
    public static CovarianceType HC2 { get; } = new("HC2", null, null);

    /// <summary>
    /// The sandwich with each row's score outer product divided by (1 − hᵢ)² (the jackknife's approximation):
    /// statsmodels' OLS <c>cov_type='HC3'</c>, R's <c>sandwich::vcovHC</c> default. The linear model only.
    /// </summary>
    public static CovarianceType HC3 { get; } = new("HC3", null, null);

    /// <summary>
    /// The cluster-robust sandwich: scores summed within each cluster before their outer products, times
    /// G/(G − 1) · (n − 1)/(n − k), as statsmodels' <c>cov_type='cluster'</c> by default.
    /// </summary>
    /// <param name="clusters">Each observation's cluster (any integers; equal values are one cluster), one per row.</param>
    /// <param name="column">The column the clusters were read from, for results and messages.</param>
    public static CovarianceType Cluster(IReadOnlyList<int> clusters, string column = "cluster")
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        return new("cluster", clusters, column);
    }

    /// <summary>statsmodels' name: "nonrobust", "HC0", "HC1", "HC2", "HC3" or "cluster".</summary>
    public string Name { get; }

    /// <summary>Each observation's cluster (cluster-robust only).</summary>
    public IReadOnlyList<int>? Clusters { get; }

    /// <summary>The column the clusters come from (cluster-robust only).</summary>
    public string? ClusterColumn { get; }

    /// <summary>Whether this is a sandwich (anything but the inverse information).</summary>
    public bool IsRobust => Name != NonRobust.Name;

    /// <summary>The name, with the cluster column where there is one: <c>cluster(firm)</c>.</summary>
    public override string ToString() => ClusterColumn is null ? Name : $"{Name}({ClusterColumn})";
}
