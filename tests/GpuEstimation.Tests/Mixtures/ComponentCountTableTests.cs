using GpuEstimation.Mixtures;
using Xunit;

namespace GpuEstimation.Tests.Mixtures;

/// <summary>
/// The component-count table: the lowest BIC chosen, and a K whose log-likelihood is below a smaller K's (which it
/// contains) noted as a local optimum (a trial's K = 5 under K = 4, unmarked).
/// </summary>
public sealed class ComponentCountTableTests
{
    private sealed record Made(int Components, double LogLikelihood) : IMixtureResult
    {
        public int Rows => 1000;

        public int ParameterCount => 3 * Components - 1;

        public string? NotConverged => null;

        public double[] Responsibilities() => [];
    }

    [Fact]
    public void AKBelowAFewerComponentsFitIsNoted()
    {
        double[] logLikelihoods = [-3000, -2900, -2890, -2895, -2880];
        var table = ComponentCountTable<Made>.Choose(1, 5, k => new Made(k, logLikelihoods[k - 1]));
        Assert.Equal(2, table.Rows[table.BestIndex].Components);
        var note = Assert.Single(table.Notes);
        Assert.StartsWith("K = 4: log-likelihood -2895 is below K = 3's -2890", note);

        var increasing = ComponentCountTable<Made>.Choose(1, 3, k => new Made(k, -3000 + k));
        Assert.Empty(increasing.Notes);
    }

    // A trial: where no K gave a fit, only the last K's reason was said ("use at most 1", though K = 1 had failed too).
    [Fact]
    public void WhereNoKFitsEachKsReasonIsSaid()
    {
        var e = Assert.Throws<MixtureFitException>(() => ComponentCountTable<Made>.Choose(1, 2, k => k == 1
            ? throw new MixtureFitException("component 1 collapsed")
            : throw new InputException("2 components need 2 distinct values")));
        Assert.Equal("no number of components from 1 to 2 gave a fit: K = 1: component 1 collapsed; K = 2: 2 components need 2 distinct values", e.Message);
    }
}
