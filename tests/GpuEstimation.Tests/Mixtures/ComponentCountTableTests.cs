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

        public string? Spurious { get; init; }
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

    // A K whose fit has a component on fewer rows than its parameters is listed but not chosen, even with the lowest
    // BIC (a trial: K = 3 chosen with a normal component of σ 0.0013 on two of 500 rows); where every K has one, the
    // lowest BIC is kept and the note says so.
    [Fact]
    public void ASpuriousComponentsKIsNotChosen()
    {
        double[] logLikelihoods = [-3000, -2900, -2850];
        var table = ComponentCountTable<Made>.Choose(1, 3, k => new Made(k, logLikelihoods[k - 1]) { Spurious = k == 3 ? "component 3 holds 2 of the 1000 rows" : null });
        Assert.True(table.Rows[2].Bic < table.Rows[1].Bic);
        Assert.Equal(2, table.Rows[table.BestIndex].Components);
        Assert.Equal("component 3 holds 2 of the 1000 rows", table.Rows[2].Spurious);
        var note = Assert.Single(table.Notes);
        Assert.StartsWith("K = 3: not chosen (its BIC ", note);
        Assert.EndsWith("is lower): component 3 holds 2 of the 1000 rows", note);

        var all = ComponentCountTable<Made>.Choose(2, 3, k => new Made(k, logLikelihoods[k - 1]) { Spurious = "a component on two rows" });
        Assert.Equal(3, all.Rows[all.BestIndex].Components);
        Assert.Contains("K = 3: chosen though a component on two rows; no K gave a fit without such a component", all.Notes);
    }

    // A component short of the rows it needs by a hair is not spurious: a separate cluster of exactly that many rows has
    // responsibilities a hair below 1 (a regression hunt: n·w = 2.999999998 for three far rows, passed over, and the
    // count chosen fell back to another). Half a row short is.
    [Theory]
    [InlineData(2.999999998, false)]
    [InlineData(2.6, false)]
    [InlineData(2.49, true)]
    [InlineData(2.0, true)]
    public void SpuriousMeansHalfARowShort(double held, bool spurious)
    {
        const int rows = 1000;
        var found = SpuriousComponent.Find([1 - held / rows, held / rows], rows, _ => SpuriousComponent.ForParameters(2), c => $"component {c + 1}");
        Assert.Equal(spurious, found is not null);
        if (spurious)
            Assert.StartsWith($"component 2 holds {held.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)} of the 1000 rows, fewer than the 3 its estimates need (one more than its 2 parameters)", found);
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
