using System.CommandLine;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Mixtures;

namespace GpuEstimation.Cli.Options;

/// <summary>
/// The options of <c>gpuest fit --model gaussian-mixture</c>: <c>--components</c>, <c>--covariance</c>, <c>--starts</c>,
/// <c>--seed</c>, <c>--png</c>. (Minimal versions of the shared mixture options; the 1-D mixtures add the K range table
/// and <c>--assign</c>.)
/// </summary>
internal sealed class GaussianMixtureOptions
{
    /// <summary>The model name that routes a fit here.</summary>
    public const string ModelName = "gaussian-mixture";

    public Option<int?> Components { get; } = CliOption.Single<int?>("--components", "K",
        "(gaussian-mixture) the number of components, 1 to 16", (flag, text) => NumberText.Count(flag, text, 1));

    public Option<GaussianMixtureCovariance> Covariance { get; } = CliOption.Single("--covariance", "full|diagonal|spherical|tied",
        "(gaussian-mixture) the components' covariance structure, as sklearn's covariance_type [default: full]",
        (flag, text) => text switch
        {
            "full" => GaussianMixtureCovariance.Full,
            "diagonal" or "diag" => GaussianMixtureCovariance.Diagonal,
            "spherical" => GaussianMixtureCovariance.Spherical,
            "tied" => GaussianMixtureCovariance.Tied,
            _ => throw new InputException($"{flag} '{text}' is not one of full, diagonal, spherical, tied"),
        }, () => GaussianMixtureCovariance.Full);

    public Option<int> Starts { get; } = CliOption.Single("--starts", "N",
        "(mixtures) independent k-means++ starts; the highest log-likelihood is kept and the others' spread reported [default: 1]",
        (flag, text) => NumberText.Count(flag, text, 1), () => 1);

    public Option<int> Seed { get; } = CliOption.Single("--seed", "S",
        "(mixtures) the seed of the k-means++ seeding (start s uses S + s) [default: 0]",
        (flag, text) => NumberText.Count(flag, text, 0), () => 0);

    public Option<string?> Png { get; } = CliOption.Text("--png", "FILE",
        "(gaussian-mixture) draw the points of the first two columns with each component's 68% and 95% ellipses");

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Components, Covariance, Starts, Seed, Png })
            command.Add(option);
    }
}
