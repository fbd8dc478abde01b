using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Tests.Estimation;
using GpuEstimation.Tests.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using Xunit;

namespace GpuEstimation.Tests.Properties;

/// <summary>
/// The property every fit must have: converged ⇒ the estimate is the MLE (the closed form where there is one, else a
/// fit started at the truth) to 1e-6 relative, and the log-likelihood is not below the reference's; otherwise the fit
/// says it did not converge, or the input is refused (<see cref="InputException"/>).
/// </summary>
internal static class FitProperty
{
    /// <summary>Relative agreement required of a converged estimate with the reference MLE.</summary>
    public const double Tolerance = 1e-6;

    public static readonly string[] Families = [.. FamilyCases.All.Keys, ModelCatalog.LinearName];

    /// <summary>Runs <paramref name="fitCase"/> on <paramref name="device"/>, throws where the property fails, and says how it ended.</summary>
    public static string Check(FitCase fitCase, ComputeDevice device)
    {
        IModelSpec spec;
        double[] truth;
        double[][] columns;
        try
        {
            (spec, truth, columns) = Build(fitCase);
        }
        catch (InputException e)
        {
            return $"data refused: {e.Message[..Math.Min(60, e.Message.Length)]}";
        }
        using var session = new EstimationSession(spec, device);
        var options = Options(fitCase, spec, truth);
        FitResult fit;
        try
        {
            fit = session.Fit(options);
        }
        catch (InputException e)
        {
            return $"fit refused: {e.Message[..Math.Min(60, e.Message.Length)]}";
        }
        if (!fit.Converged)
        {
            if (string.IsNullOrWhiteSpace(fit.Reason))
                throw new InvalidOperationException("not converged, without a reason");
            return $"not converged: {fitCase.Family}";
        }
        var reference = Reference(session, spec, options, truth);
        if (reference is null)
            return "no reference";
        var expected = ClosedForms.Mle(fitCase.Family, columns, fit, options.Fixed);
        Compare(fit, expected ?? reference.Value.Estimates, reference.Value.LogLikelihood, reference.Value.Spread, reference.Value.AtBound, RoundingFloor(columns[0]));
        return $"checked: {fitCase.Family}";
    }

    /// <summary>The model over data drawn from the (moved) truth, and that truth.</summary>
    private static (IModelSpec Spec, double[] Truth, double[][] Columns) Build(FitCase c)
    {
        var random = new System.Random(c.DataSeed);
        if (c.Family == ModelCatalog.LinearName)
            return BuildLinear(c, random);
        var family = FamilyCases.All[c.Family];
        var infos = ParameterDomains(c.Family);
        var truth = family.Truth.Select((t, k) => Move(infos[k], t, c.Truth[k])).ToArray();
        var x = Enumerable.Range(0, c.N).Select(_ => family.Sample(truth, random)).ToArray();
        var data = Dataset.FromColumns(("x", x));
        return (ModelCatalog.Create(c.Family, data, new ModelColumns(Column: "x", Trials: c.Family == "binomial" ? 20 : null)), truth, [x]);
    }

    /// <summary>y = b₀ + Σ bⱼ xⱼ + σ ε with one to three features; the truth is (b, σ).</summary>
    private static (IModelSpec Spec, double[] Truth, double[][] Columns) BuildLinear(FitCase c, System.Random random)
    {
        int k = 1 + c.DataSeed % 3;
        var truth = new double[k + 2];
        truth[0] = Math.Sign(c.Truth[0]) * Math.Pow(10, 9 * Math.Abs(c.Truth[0]));
        for (int j = 1; j <= k; j++)
            truth[j] = 3 * c.Truth[j];
        truth[k + 1] = Math.Pow(10, 2 * c.Truth[k + 1]);
        var features = Enumerable.Range(0, k).Select(j => Enumerable.Range(0, c.N).Select(_ => Normal.Sample(random, j, 1 + j)).ToArray()).ToArray();
        var y = Enumerable.Range(0, c.N).Select(i => truth[0] + Enumerable.Range(0, k).Sum(j => truth[j + 1] * features[j][i]) + truth[k + 1] * Normal.Sample(random, 0, 1)).ToArray();
        var columns = new List<(string, double[])> { ("y", y) };
        columns.AddRange(features.Select((f, j) => ($"x{j}", f)));
        var data = Dataset.FromColumns([.. columns]);
        return (ModelCatalog.Linear(data, "y", [.. Enumerable.Range(0, k).Select(j => $"x{j}")]), truth, [y, .. features]);
    }

    private static ParameterDomain[] ParameterDomains(string family)
    {
        var data = family switch
        {
            "bernoulli" => new[] { 0.0, 1 },
            "beta" => [0.2, 0.7],
            "geometric" => [1.0, 3],
            _ => [1.0, 2],
        };
        var spec = ModelCatalog.Create(family, Dataset.FromColumns(("x", data)), new ModelColumns(Column: "x", Trials: family == "binomial" ? 20 : null));
        return [.. spec.Parameters.Select(p => p.Domain)];
    }

    /// <summary>A true parameter moved by m ∈ [−1, 1]: ×10^m if positive, logit ± 2m if a probability, + 5m if real.</summary>
    private static double Move(ParameterDomain domain, double value, double m) => domain switch
    {
        ParameterDomain.Positive => value * Math.Pow(10, m),
        ParameterDomain.UnitInterval => 1 / (1 + Math.Exp(-(Math.Log(value / (1 - value)) + 2 * m))),
        _ => value + 5 * m,
    };

    /// <summary>A start s ∈ [−8, 8] within the domain: 10^s if positive, logit 2.5 s if a probability, ±10^(9|s|/8) if real.</summary>
    public static double Start(ParameterDomain domain, double s) => domain switch
    {
        ParameterDomain.Positive => Math.Pow(10, s),
        ParameterDomain.UnitInterval => Math.Clamp(1 / (1 + Math.Exp(-2.5 * s)), 1e-9, 1 - 1e-9),
        _ => (s >= 0 ? 1 : -1) * Math.Pow(10, 9 * Math.Abs(s) / 8),
    };

    private static FitOptions Options(FitCase c, IModelSpec spec, double[] truth)
    {
        var fixedValues = new Dictionary<string, double>();
        var starts = new Dictionary<string, double>();
        for (int k = 0; k < spec.Parameters.Count; k++)
        {
            var p = spec.Parameters[k];
            if (c.Fixed[k] && fixedValues.Count < spec.Parameters.Count - 1)
                fixedValues[p.Name] = truth[k];
            else if (c.UseStart[k])
                starts[p.Name] = Start(p.Domain, c.Starts[k]);
        }
        var optimizer = new OptimizerSettings { Kind = c.GradientAscent ? OptimizerKind.GradientAscent : OptimizerKind.Lbfgs };
        return new FitOptions { Fixed = fixedValues, Start = starts, Optimizer = optimizer };
    }

    /// <summary>
    /// The MLE to compare with: the closed form where the family has one and nothing is fixed, else the better of the
    /// converged fits from the truth and from the data-driven start; null where neither converged.
    /// </summary>
    private static (double[] Estimates, double LogLikelihood, double[] Spread, IReadOnlyList<string> AtBound)? Reference(
        EstimationSession session, IModelSpec spec, FitOptions options, double[] truth)
    {
        var fromTruth = session.Fit(options with
        {
            Start = spec.Parameters.Select((p, k) => (p.Name, truth[k])).Where(s => !options.Fixed.ContainsKey(s.Name)).ToDictionary(),
        });
        var fromData = session.Fit(options with { Start = new Dictionary<string, double>() });
        var best = new[] { fromTruth, fromData }.Where(f => f.Converged).OrderByDescending(f => f.LogLikelihood).FirstOrDefault();
        if (best is null)
            return null;
        var estimates = best.Parameters.Select(p => p.Estimate).ToArray();
        var spread = best.Parameters.Select(p => p.StdError ?? 0).ToArray();
        return (estimates, best.LogLikelihood, spread, best.Diagnostics.AtBound);
    }

    /// <summary>
    /// How many standard errors the data's own rounding leaves unresolved: ε·√n·max|x|/sd(x). Data at 10⁹ with a
    /// spread of 1 carry 10⁻⁷ of rounding in every residual, and no method resolves an estimate better than that.
    /// </summary>
    private static double RoundingFloor(double[] x)
    {
        double mean = x.Average();
        double sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
        return sd > 0 ? 2.220446049250313e-16 * Math.Sqrt(x.Length) * x.Max(Math.Abs) / sd : 0;
    }

    /// <summary>
    /// Each free estimate within 1e-6 of the reference (relative to its size or its standard error, whichever is
    /// larger) plus the data's rounding floor in standard errors; the log-likelihood not below the reference's.
    /// </summary>
    private static void Compare(FitResult fit, double[] expected, double referenceLogL, double[] spread, IReadOnlyList<string> referenceAtBound, double floor)
    {
        // Toward a limit at infinity (nu → ∞) the supremum is approached as ~n/nu: a fit reported at the bound may
        // stop within a millionth of log L of it (where the library calls the likelihood flat).
        double relative = fit.Diagnostics.AtBound.Count > 0 ? 1e-6 : 1e-9;
        double slack = relative * Math.Max(1, Math.Abs(referenceLogL)) + floor;
        if (fit.LogLikelihood < referenceLogL - slack)
            throw new InvalidOperationException($"converged at log L {fit.LogLikelihood:R}, below the reference {referenceLogL:R}; {Describe(fit)}");
        for (int k = 0; k < fit.Parameters.Count; k++)
        {
            var p = fit.Parameters[k];
            // At an edge (p = 0) or a limit (nu → ∞) the log-likelihood says it all: the value there is not an MLE.
            if (p.Fixed || fit.Diagnostics.AtBound.Contains(p.Name) || referenceAtBound.Contains(p.Name))
                continue;
            double allowed = Tolerance * Math.Max(Math.Abs(expected[k]), spread[k]) + floor * spread[k];
            if (!(Math.Abs(p.Estimate - expected[k]) <= allowed))
                throw new InvalidOperationException($"converged with {p.Name} = {p.Estimate:R}, the MLE is {expected[k]:R}; {Describe(fit)}");
        }
    }

    private static string Describe(FitResult fit) =>
        $"{fit.Reason}; log L {fit.LogLikelihood:R}; {string.Join(", ", fit.Parameters.Select(p => $"{p.Name} = {p.Estimate:R}"))}; notes: {string.Join(" | ", fit.Diagnostics.Notes)}";
}
