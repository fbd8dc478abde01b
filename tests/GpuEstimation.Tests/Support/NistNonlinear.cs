using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Estimation;
using GpuEstimation.Models;

namespace GpuEstimation.Tests.Support;

/// <summary>
/// A NIST StRD nonlinear least-squares problem as its .dat file gives it: the data, the model formula (text), both
/// starting points, the certified estimates and standard deviations, the residual sum of squares and standard deviation.
/// </summary>
/// <param name="Name">The dataset's name (the file name without .dat).</param>
/// <param name="Response">The left side of the model, as written: <c>y</c>, or <c>log[y]</c> (Nelson).</param>
/// <param name="Formula">The right side of the model, the error term left out, lines joined: <c>b1*(1-exp[-b2*x])</c>.</param>
/// <param name="Y">The response column.</param>
/// <param name="Predictors">The predictor columns, in the file's order (x, or x1, x2).</param>
/// <param name="Starts">Start 1 and Start 2, one value per parameter each.</param>
/// <param name="Estimates">The certified estimates b1 … bp.</param>
/// <param name="StandardDeviations">Their certified standard deviations.</param>
/// <param name="Rss">The certified residual sum of squares.</param>
/// <param name="ResidualSd">The certified residual standard deviation.</param>
public sealed record NistNonlinear(string Name, string Response, string Formula, double[] Y, double[][] Predictors, double[][] Starts,
    double[] Estimates, double[] StandardDeviations, double Rss, double ResidualSd)
{
    /// <summary>The 27 nonlinear problems, lower to higher difficulty as NIST groups them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2", "DanWood", "Misra1b",
        "Kirby2", "Hahn1", "Nelson", "MGH17", "Lanczos1", "Lanczos2", "Gauss3", "Misra1c", "Misra1d", "Roszman1", "ENSO",
        "MGH09", "Thurber", "BoxBOD", "Rat42", "MGH10", "Eckerle4", "Rat43", "Bennett5",
    ];

    /// <summary>The parameter names b1 … bp.</summary>
    public string[] Names => Enumerable.Range(1, Estimates.Length).Select(k => $"b{k}").ToArray();

    /// <summary>Reads <c>nist-strd/NAME.dat</c> (the test's copy, next to the test assembly).</summary>
    public static NistNonlinear Load(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(NistLinear.Directory, name + ".dat"));
        var (response, formula) = Model(lines);
        var start1 = new List<double>();
        var start2 = new List<double>();
        var estimates = new List<double>();
        var sds = new List<double>();
        double rss = double.NaN, residualSd = double.NaN;
        int dataLine = -1;
        for (int i = 30; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 6 && parts[0].StartsWith('b') && parts[1] == "=")
            {
                start1.Add(Parse(parts[2]));
                start2.Add(Parse(parts[3]));
                estimates.Add(Parse(parts[4]));
                sds.Add(Parse(parts[5]));
            }
            else if (lines[i].StartsWith("Residual Sum of Squares:", StringComparison.Ordinal))
            {
                rss = Parse(parts[^1]);
            }
            else if (lines[i].StartsWith("Residual Standard Deviation:", StringComparison.Ordinal))
            {
                residualSd = Parse(parts[^1]);
            }
            else if (parts.Length > 0 && parts[0] == "Data:")
            {
                dataLine = i + 1;
                break;
            }
        }
        if (dataLine < 0 || estimates.Count == 0 || double.IsNaN(rss) || double.IsNaN(residualSd))
            throw new FormatException($"{name}.dat: not a NIST nonlinear regression file");
        var rows = lines.Skip(dataLine)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length > 0)
            .Select(p => p.Select(Parse).ToArray())
            .ToArray();
        var y = rows.Select(r => r[0]).ToArray();
        var predictors = Enumerable.Range(1, rows[0].Length - 1).Select(c => rows.Select(r => r[c]).ToArray()).ToArray();
        return new NistNonlinear(name, response, formula, y, predictors, [start1.ToArray(), start2.ToArray()],
            estimates.ToArray(), sds.ToArray(), rss, residualSd);
    }

    /// <summary>
    /// The number of correct significant digits of <paramref name="value"/> against <paramref name="certified"/>, NIST's
    /// log relative error −log₁₀(|value − certified| / |certified|), capped at 15 (an exact match); 0 where it is not finite or wrong in the first digit.
    /// </summary>
    public static double Lre(double value, double certified)
    {
        if (!double.IsFinite(value))
            return 0;
        if (value == certified)
            return 15;
        double relative = Math.Abs(value - certified) / Math.Abs(certified);
        return Math.Clamp(-Math.Log10(relative), 0, 15);
    }

    /// <summary>The model block's equation: the left side and the right side without "+ e", lines joined.</summary>
    private static (string Response, string Formula) Model(string[] lines)
    {
        int first = Array.FindIndex(lines, l => l.StartsWith("Model:", StringComparison.Ordinal));
        // The equation's left side is y or log[y] (Roszman1 defines pi = 3.14... on a line before it).
        int equation = Array.FindIndex(lines, first, l => l.Contains('=') && !l.Contains("Parameters", StringComparison.Ordinal)
            && (l.TrimStart().StartsWith("y ", StringComparison.Ordinal) || l.TrimStart().StartsWith("log[y]", StringComparison.Ordinal)));
        var text = new List<string>();
        for (int i = equation; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            bool last = line.EndsWith("e", StringComparison.Ordinal) && line.TrimEnd('e').TrimEnd().EndsWith('+');
            text.Add(last ? line.TrimEnd('e').TrimEnd().TrimEnd('+').TrimEnd() : line);
            if (last)
                break;
        }
        string joined = string.Join(" ", text);
        int equals = joined.IndexOf('=');
        return (joined[..equals].Trim(), joined[(equals + 1)..].Trim());
    }

    private static double Parse(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>
/// Runs NIST nonlinear problems through the library: a problem and a start become a model by way of
/// <see cref="MeanFactory"/> (hand-written means today; the expression compiler, from <see cref="NistNonlinear.Formula"/>,
/// once it exists: one delegate), then an ordinary fit. Records the digits per estimate and standard error.
/// </summary>
public static class NistNonlinearHarness
{
    /// <summary>Turns a problem and its starting values (b1 … bp) into a model: y, or log y for Nelson, over the formula's mean.</summary>
    public delegate IModelSpec MeanFactory(NistNonlinear problem, double[] y, double[] start);

    /// <summary>One case: a problem from one start.</summary>
    /// <param name="Problem">The problem.</param>
    /// <param name="Start">1 or 2.</param>
    /// <param name="Fit">The fit.</param>
    /// <param name="EstimateDigits">The LRE of each estimate.</param>
    /// <param name="ErrorDigits">The LRE of each NIST standard error (0 where none).</param>
    /// <param name="ResidualSdDigits">The LRE of the residual standard deviation (0 where none).</param>
    public sealed record Case(NistNonlinear Problem, int Start, FitResult Fit, double[] EstimateDigits, double[] ErrorDigits, double ResidualSdDigits)
    {
        /// <summary>The fewest correct digits over the estimates.</summary>
        public double MinEstimateDigits => EstimateDigits.Min();

        /// <summary>The fewest correct digits over the standard errors.</summary>
        public double MinErrorDigits => ErrorDigits.Min();
    }

    /// <summary>Fits <paramref name="problem"/> from start <paramref name="start"/> (1 or 2) on <paramref name="device"/>.</summary>
    public static Case Run(ComputeDevice device, NistNonlinear problem, int start, MeanFactory factory)
    {
        var y = problem.Response.StartsWith("log", StringComparison.Ordinal) ? problem.Y.Select(v => Math.Log(v)).ToArray() : problem.Y;
        var spec = factory(problem, y, problem.Starts[start - 1]);
        using var session = new EstimationSession(spec, device);
        var fit = session.Fit(new FitOptions());
        var names = problem.Names;
        var estimates = names.Select((n, k) => NistNonlinear.Lre(fit[n], problem.Estimates[k])).ToArray();
        var errors = names.Select((n, k) => fit.Nonlinear?.StdErrorNist.TryGetValue(n, out var se) == true ? NistNonlinear.Lre(se, problem.StandardDeviations[k]) : 0).ToArray();
        double sd = fit.Nonlinear is { } s ? NistNonlinear.Lre(s.ResidualStdError, problem.ResidualSd) : 0;
        return new Case(problem, start, fit, estimates, errors, sd);
    }
}
