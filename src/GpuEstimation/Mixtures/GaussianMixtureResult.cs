namespace GpuEstimation.Mixtures;

/// <summary>
/// A fitted Gaussian mixture. Components are in a fixed order: by the first coordinate of the mean, then the next, so
/// label switching between starts or seeds never changes the output.
/// </summary>
public sealed record GaussianMixtureResult
{
    /// <summary>The components, in order.</summary>
    public required IReadOnlyList<GaussianMixtureComponent> Components { get; init; }

    /// <summary>The names of the data columns (the coordinates).</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>The covariance structure.</summary>
    public required GaussianMixtureCovariance Covariance { get; init; }

    /// <summary>The log-likelihood at the estimates.</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>The number of free parameters k: K − 1 weights, K d means and the covariances' free entries.</summary>
    public required int FreeParameters { get; init; }

    /// <summary>The number of rows n.</summary>
    public required long Rows { get; init; }

    /// <summary>EM steps of the kept start.</summary>
    public required int Iterations { get; init; }

    /// <summary>Whether the kept start met the tolerance within the step limit.</summary>
    public required bool Converged { get; init; }

    /// <summary>Every start's final log-likelihood, in start order.</summary>
    public required IReadOnlyList<double> StartLogLikelihoods { get; init; }

    /// <summary>The regularization added to each covariance's diagonal.</summary>
    public required double Regularization { get; init; }

    /// <summary>What ran: backend and device.</summary>
    public required string Device { get; init; }

    /// <summary>Remarks on the fit (a component that collapsed, a singular information matrix).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>
    /// Where a component holds fewer rows (n·wₖ) than its estimates need (one more than make its covariance non-singular:
    /// <see cref="SpuriousComponent.ForGaussian"/>), what it is; null otherwise. The notes say it too.
    /// </summary>
    public string? Spurious { get; init; }

    /// <summary>Akaike's criterion 2k − 2 log L.</summary>
    public double Aic => 2.0 * FreeParameters - 2.0 * LogLikelihood;

    /// <summary>Schwarz's criterion k log n − 2 log L.</summary>
    public double Bic => FreeParameters * Math.Log(Rows) - 2.0 * LogLikelihood;

    /// <summary>
    /// The flat parameter list: w1 … wK, then each component's mean (mu1[a], mu1[b], …), then its covariance's distinct
    /// entries (sigma1[a,a], sigma1[a,b], …, upper triangle row by row; one shared "sigma[a,b]" set for tied, the
    /// diagonal for diagonal, "sigma1" (a variance) for spherical), with standard errors where known.
    /// </summary>
    public IReadOnlyList<(string Name, double Estimate, double? StdError)> Parameters()
    {
        var list = new List<(string, double, double?)>();
        int k = Components.Count, d = Columns.Count;
        for (int c = 0; c < k; c++)
            list.Add(($"w{c + 1}", Components[c].Weight, Components[c].WeightStdError));
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
                list.Add(($"mu{c + 1}[{Columns[j]}]", Components[c].Mean[j], Components[c].MeanStdError?[j]));
        }
        for (int c = 0; c < (Covariance == GaussianMixtureCovariance.Tied ? 1 : k); c++)
        {
            string prefix = Covariance == GaussianMixtureCovariance.Tied ? "sigma" : $"sigma{c + 1}";
            var s = Components[c].Covariance;
            var se = Components[c].CovarianceStdError;
            switch (Covariance)
            {
                case GaussianMixtureCovariance.Spherical:
                    list.Add((prefix, s[0][0], se?[0][0]));
                    break;
                case GaussianMixtureCovariance.Diagonal:
                    for (int j = 0; j < d; j++)
                        list.Add(($"{prefix}[{Columns[j]},{Columns[j]}]", s[j][j], se?[j][j]));
                    break;
                default:
                    for (int i = 0; i < d; i++)
                    {
                        for (int j = i; j < d; j++)
                            list.Add(($"{prefix}[{Columns[i]},{Columns[j]}]", s[i][j], se?[i][j]));
                    }
                    break;
            }
        }
        return list;
    }
}
