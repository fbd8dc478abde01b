using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Mixtures;

/// <summary>
/// The catalogue families a mixture component may take, by name, with what the host needs of each: its parameters,
/// support, data columns and data-driven starting values (the family's own <see cref="IDistribution{TSelf}"/> members).
/// </summary>
public static class MixtureFamilies
{
    /// <summary>One family's host-side members.</summary>
    public sealed record Entry(
        MixtureFamily Family,
        string Name,
        IReadOnlyList<ParameterInfo> Parameters,
        string Support,
        Func<double, bool> InSupport,
        Func<double[], ReadOnlyMemory<double>[]> Columns,
        Func<double[], double[]> Start);

    private static readonly Entry[] All =
    [
        Of<NormalModel>(MixtureFamily.Normal),
        Of<LogNormalModel>(MixtureFamily.LogNormal),
        Of<ExponentialModel>(MixtureFamily.Exponential),
        Of<GammaModel>(MixtureFamily.Gamma),
        Of<BetaModel>(MixtureFamily.Beta),
        Of<WeibullModel>(MixtureFamily.Weibull),
        Of<StudentTModel>(MixtureFamily.StudentT),
        Of<CauchyModel>(MixtureFamily.Cauchy),
        Of<LaplaceModel>(MixtureFamily.Laplace),
        Of<LogisticModel>(MixtureFamily.Logistic),
        Of<PoissonModel>(MixtureFamily.Poisson),
        Of<BernoulliModel>(MixtureFamily.Bernoulli),
        Of<NegativeBinomialModel>(MixtureFamily.NegativeBinomial),
        Of<GeometricModel>(MixtureFamily.Geometric),
    ];

    /// <summary>The names a component may take.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(e => e.Name)];

    /// <summary>The entry of <paramref name="family"/>.</summary>
    public static Entry Of(MixtureFamily family) => All[(int)family];

    /// <summary>The entry named <paramref name="name"/>; an <see cref="InputException"/> for a name that is not one.</summary>
    public static Entry Named(string name)
    {
        var entry = All.FirstOrDefault(e => e.Name == name);
        if (entry is not null)
            return entry;
        var why = name == BinomialModel.Name ? " (binomial needs a number of trials per row, which a mixture component does not take)" : "";
        throw new InputException($"mixture component '{name}' is not a family a component may take{why}; available: {string.Join(", ", Names)}");
    }

    /// <summary>
    /// Whether the family's M-step has a closed form from the statistics the EM pass accumulates (for the others the
    /// EM holds the component's parameters and the exact-likelihood finish moves them).
    /// </summary>
    public static bool ClosedForm(MixtureFamily family) => family is MixtureFamily.Normal or MixtureFamily.LogNormal or MixtureFamily.Gamma
        or MixtureFamily.Exponential or MixtureFamily.Poisson or MixtureFamily.Geometric or MixtureFamily.Bernoulli;

    private static Entry Of<T>(MixtureFamily family) where T : unmanaged, IDistribution<T>
    {
        if (MixtureModel.ParameterCountOf(family) != T.Parameters.Count || MixtureModel.ArgumentCountOf(family) != T.ArgumentCount(default))
            throw new InvalidOperationException($"MixtureModel's counts for {T.Name} disagree with the family");
        return new Entry(family, T.Name, T.Parameters, T.Support, x => T.InSupport(x, 0), x => T.Columns(x, null), x => T.Start(x, null));
    }
}
