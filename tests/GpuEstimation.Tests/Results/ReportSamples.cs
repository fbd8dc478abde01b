using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Priors;
using GpuEstimation.Surfaces;
using GpuEstimation.Tests.Support;

namespace GpuEstimation.Tests.Results;

/// <summary>
/// Results that exercise every branch of the reports: real MLE and MAP fits (profile intervals, a fixed parameter, a
/// log-posterior), real sweeps (plain, MAP profile with located estimates), and made-up results with NaN, infinities,
/// open interval ends, no covariance, and text that JSON must escape.
/// </summary>
internal static class ReportSamples
{
    private static readonly double[] X = NormalSamples.Draw(2_000, 71, 3, 1.5);
    private static readonly double[] U = NormalSamples.Draw(2_000, 72, 0, 1);
    private static readonly double[] Y = X.Select((x, i) => 0.5 + 0.8 * U[i] + x).ToArray();

    /// <summary>A normal model of <see cref="X"/>.</summary>
    public static IModelSpec Normal() => ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");

    private static IModelSpec Linear() => ModelCatalog.Linear(Dataset.FromColumns(("y", Y), ("u", U)), "y", ["u"]);

    /// <summary>Fits, each with the fitMs to report (null: not timed).</summary>
    public static IEnumerable<(string Label, FitResult Fit, double? FitMs)> Fits(ComputeDevice device)
    {
        using (var session = new EstimationSession(Normal(), device))
            yield return ("mle with profile intervals", session.Fit(new FitOptions { Profile = ["mu", "sigma"], Level = 0.9 }), 12.25);
        using (var session = new EstimationSession(Linear(), device))
        {
            yield return ("map with a fixed parameter", session.Fit(new FitOptions
            {
                Map = true,
                Fixed = new Dictionary<string, double> { ["sigma"] = 1.5 },
                Priors = new Dictionary<string, Prior> { ["u"] = new NormalPrior(0, 0.5) },
            }), null);
        }
        yield return ("non-finite, no covariance", NonFiniteFit(), null);
        yield return ("map, non-finite covariance", NonFiniteFit() with
        {
            Method = "map",
            LogPosterior = -3.5e300,
            Covariance = new[,] { { 1.0, double.NaN }, { double.NegativeInfinity, 2e-310 } },
        }, 0.0);
    }

    private static FitResult NonFiniteFit() => new(
        "normal \"quoted\" <model> & co", "mle", "Nelder-Mead", "native: 2 threads", 10,
        [
            new ParameterEstimate("mu", double.NaN, false, double.PositiveInfinity, new Interval(null, double.PositiveInfinity), new Interval(double.NaN, 2)),
            new ParameterEstimate("σ²", 1e-300, false, 0, new Interval(-1.5, null)),
            new ParameterEstimate("held", -0.0, true),
        ],
        double.NegativeInfinity, null, 0.95, null,
        new Diagnostics(false, "iteration limit ≥ 500", 500, 1001, double.NaN, double.PositiveInfinity, "not negative definite",
            ["σ²"], ["note one: ∞ \\ backslash", "note\ttwo\nlines"]),
        double.Epsilon);

    /// <summary>Evaluations: model name, evaluation, evalMs.</summary>
    public static IEnumerable<(string Model, Evaluation Evaluation, double? EvalMs)> Evaluations(ComputeDevice device)
    {
        using (var session = new EstimationSession(Normal(), device))
            yield return ("normal", session.Evaluate([3.1, 1.4]), null);
        yield return ("made-up", new Evaluation(["a", "b", "c"], [double.NaN, 1, -2.5e-8], double.NegativeInfinity,
            [double.PositiveInfinity, 0.1 + 0.2, 1e21], "cpu", 3), 0.125);
    }

    /// <summary>Sweeps, each with the sweepMs to report (null: not timed).</summary>
    public static IEnumerable<(string Label, SweepResult Sweep, double? SweepMs)> Sweeps(ComputeDevice device)
    {
        var normal = Normal();
        using (var session = new EstimationSession(normal, device))
        {
            yield return ("mle grid", Sweeper.Sweep(session, new SweepOptions
            {
                Axes = [new GridAxis("mu", 2.5, 3.5, 7), new GridAxis("sigma", 1.2, 1.9, 5)],
            }), 3.5);
            yield return ("map profile with estimates", Sweeper.Sweep(session, new SweepOptions
            {
                Axes = [new GridAxis("mu", 2.8, 3.2, 9)],
                Profile = true,
                Estimates = true,
                Fit = new FitOptions { Map = true, Priors = new Dictionary<string, Prior> { ["mu"] = new NormalPrior(2, 0.1) } },
            }), null);
        }
        yield return ("non-finite", new SweepResult("made-up", "cpu", 4, [new GridAxis("a", -1, 1, 3)], ["a", "b"],
            [[-1, double.NaN], [0, 1e-320], [1, double.PositiveInfinity]], [double.NegativeInfinity, -1.25, double.NaN],
            [double.NaN, 0.1 + 0.2, -7], true, 2, null, 0.5), null);
    }
}
