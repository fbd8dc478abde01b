using System.CommandLine;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Mixtures;

namespace GpuEstimation.Cli.Options;

/// <summary>
/// The options every mixture model shares (<c>--model mixture</c>, and the Gaussian mixtures in several dimensions):
/// the components or a range of their number, the starts and their seed, and the assignments file.
/// </summary>
internal sealed class MixtureCliOptions
{
    /// <summary>--components.</summary>
    public Option<ComponentsText?> Components { get; } = CliOption.Single<ComponentsText?>("--components", ComponentsText.Usage,
        "(mixtures) the components: families in order (normal,normal,gamma; 3xnormal), or a number or range of them (1:8xnormal), each number fitted and the lowest BIC kept (passing over a fit with a component on too few rows)",
        ComponentsText.Parse);

    /// <summary>--starts.</summary>
    public Option<int> Starts { get; } = CliOption.Single("--starts", "N",
        "(mixtures) starting points: the data's quantiles, then k-means++ seeded from --seed; the best optimum is kept and the others listed",
        (flag, text) => NumberText.Count(flag, text, 1), () => MixtureOptions.DefaultStarts);

    /// <summary>--seed.</summary>
    public Option<int> Seed { get; } = CliOption.Single("--seed", "N", "(mixtures) the seed of the k-means++ starts (same seed, same fit)",
        (flag, text) => NumberText.Count(flag, text, 0), () => MixtureOptions.DefaultSeed);

    /// <summary>--assign.</summary>
    public Option<string?> Assign { get; } = CliOption.Text("--assign", "FILE",
        "(mixtures) write each row's responsibilities and most likely component as CSV (row,component,r1,...)");

    /// <summary>--png.</summary>
    public Option<string?> Png { get; } = CliOption.Text("--png", "FILE",
        "(mixtures) draw the data's histogram with the fitted density and each weighted component; for gaussian-mixture of two or more --x columns the points of the first two with each component's 68% and 95% ellipses (of one column, its histogram as above)");

    /// <summary>--covariance (Gaussian mixtures in several dimensions).</summary>
    // The default is named in the description as typed (the generated one would print the enum's name).
    public Option<GaussianMixtureCovariance?> Covariance { get; } = CliOption.Single<GaussianMixtureCovariance?>("--covariance", "full|diagonal|spherical|tied",
        "(gaussian-mixture) the components' covariance structure, as sklearn's covariance_type [default: full]",
        (flag, text) => text switch
        {
            "full" => GaussianMixtureCovariance.Full,
            "diagonal" or "diag" => GaussianMixtureCovariance.Diagonal,
            "spherical" => GaussianMixtureCovariance.Spherical,
            "tied" => GaussianMixtureCovariance.Tied,
            _ => throw new InputException($"{flag} '{text}' is not one of full, diagonal, spherical, tied"),
        });

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Components, Starts, Seed, Assign, Png, Covariance })
            command.Add(option);
    }

    /// <summary>The option names, for refusing them where no mixture is fitted.</summary>
    public IEnumerable<(string Name, bool Given)> Given(ParseResult parse) =>
    [
        ("--components", parse.GetResult(Components) is { Implicit: false }),
        ("--starts", parse.GetResult(Starts) is { Implicit: false }),
        ("--seed", parse.GetResult(Seed) is { Implicit: false }),
        ("--assign", parse.GetValue(Assign) is not null),
        ("--png", parse.GetValue(Png) is not null),
        ("--covariance", parse.GetResult(Covariance) is { Implicit: false }),
    ];
}
