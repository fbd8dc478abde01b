using System.CommandLine;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Priors;

namespace GpuEstimation.Cli.Options;

/// <summary>
/// MLE or MAP, priors, fixed parameters, starting values and the optimizer: what fit and sweep share (sweep, which
/// refuses the mixtures, without their limits in --max-iter's help: <paramref name="mixtures"/> false).
/// </summary>
internal sealed class EstimationOptions(bool mixtures = true)
{
    private static readonly FitOptions Defaults = new();

    public Option<bool> Map { get; } = CliOption.Flag("--map", "maximum a posteriori: log-likelihood + log prior (flat where no --prior is given)");

    /// <summary>The name in <c>--prior</c> that stands for every regression coefficient but the intercept.</summary>
    public const string EveryCoefficient = "*";

    public Option<IReadOnlyDictionary<string, Prior>> Prior { get; } = CliOption.Repeatable<IReadOnlyDictionary<string, Prior>>("--prior", "NAME=P,...",
        $"a prior on a parameter's natural scale: {string.Join(", ", PriorText.Usage)}; NAME '{EveryCoefficient}' is every regression " +
        "coefficient but the intercept (a prior by name overrides it): '*=normal(0,a)' is ridge, '*=laplace(0,b)' the lasso, with exact zeros; " +
        "the log-prior is added to the summed log-likelihood (laplace(0,b): -Σ|β|/b - log(2b) per coefficient, the constants in the reported log-posterior; statsmodels' fit_regularized alpha = 1/(n·b) for a GLM, σ²/(n·b) for the linear model, σ at the MAP); repeatable",
        (flag, values) => NameValueList.Pairs(flag, values).ToDictionary(p => p.Name, p => PriorText.Parse(flag, p.Name, p.Value), StringComparer.Ordinal));

    public Option<IReadOnlyDictionary<string, double>> Fix { get; } = NumberList("--fix", "hold a parameter at V (MLE or MAP); repeatable");

    public Option<IReadOnlyDictionary<string, double>> Start { get; } = NumberList("--start",
        "a starting value [default: from the data: closed form, moments or quantiles]; repeatable");

    // The default is named in the description as typed (the generated one would print the enum's name).
    public Option<OptimizerKind?> Optimizer { get; } = CliOption.Single<OptimizerKind?>("--optimizer", "auto|newton|lm|lbfgs|gradient",
        $"auto: Newton's method with the exact Hessian for the GLMs, the linear model and the families {string.Join(", ", ModelCatalog.ExactHessianFamilies)}, Levenberg-Marquardt for nonlinear regression, L-BFGS for the others; newton (those models only), lm (nonlinear only), L-BFGS, or gradient ascent (Armijo backtracking, Barzilai-Borwein first trial) [default: {OptimizerName(Defaults.Optimizer.Kind)}]",
        (flag, text) => ParseOptimizer(flag, text));

    public Option<int> MaxIterations { get; } = CliOption.Single("--max-iter", "N", "the iteration limit of each search (one that reaches it has not converged; where a search from other starting values then converges, that fit is reported, with a note saying so); for nonlinear's Levenberg-Marquardt 10 N passes over the data, accepted and rejected steps together" +
        (mixtures ? $"; for gaussian-mixture EM's step limit per start, 10000 unless given; for a mixture (--model mixture) the limit of each start's exact-likelihood search, its EM steps (at most {new GpuEstimation.Mixtures.MixtureOptions().MaxEmIterations}) before it apart" : ""),
        (flag, text) => NumberText.Count(flag, text, 1), () => Defaults.Optimizer.MaxIterations);

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Map, Prior, Fix, Start, Optimizer, MaxIterations })
            command.Add(option);
    }

    /// <summary>The fit options the command line asks for.</summary>
    public FitOptions Read(ParseResult parse) => Defaults with
    {
        Map = parse.GetValue(Map),
        Priors = parse.GetValue(Prior)!.Where(p => p.Key != EveryCoefficient).ToDictionary(StringComparer.Ordinal),
        CoefficientPrior = parse.GetValue(Prior)!.GetValueOrDefault(EveryCoefficient),
        Fixed = parse.GetValue(Fix)!,
        Start = parse.GetValue(Start)!,
        Optimizer = Defaults.Optimizer with { Kind = parse.GetValue(Optimizer) ?? Defaults.Optimizer.Kind, MaxIterations = parse.GetValue(MaxIterations) },
    };

    /// <summary>The name typed for an optimizer (help shows the default this way).</summary>
    public static string OptimizerName(OptimizerKind kind) => kind switch
    {
        OptimizerKind.GradientAscent => "gradient",
        OptimizerKind.Lbfgs => "lbfgs",
        OptimizerKind.Newton => "newton",
        OptimizerKind.LevenbergMarquardt => "lm",
        _ => "auto",
    };

    /// <summary>A repeatable NAME=V,... option.</summary>
    public static Option<IReadOnlyDictionary<string, double>> NumberList(string name, string description) =>
        CliOption.Repeatable<IReadOnlyDictionary<string, double>>(name, "NAME=V,...", description, NameValueList.Numbers);

    private static OptimizerKind ParseOptimizer(string flag, string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => OptimizerKind.Auto,
        "newton" => OptimizerKind.Newton,
        "lm" => OptimizerKind.LevenbergMarquardt,
        "lbfgs" => OptimizerKind.Lbfgs,
        "gradient" => OptimizerKind.GradientAscent,
        _ => throw new InputException($"{flag}: unknown optimizer '{text}' (expected auto, newton, lm, lbfgs or gradient)"),
    };
}
