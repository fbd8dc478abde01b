using System.Globalization;
using GpuEstimation.Estimation;

namespace GpuEstimation.Cli.Output;

/// <summary>One evaluation: each parameter's value and gradient component, the log-likelihood, the warm time.</summary>
internal static class EvaluationTable
{
    /// <summary>The table; <paramref name="evalMs"/> is the median of <paramref name="repeat"/> timed evaluations.</summary>
    public static void Write(TextWriter output, string model, Evaluation evaluation, double? evalMs, int? repeat)
    {
        output.WriteLine($"model {model}, {evaluation.N:N0} observations, device {evaluation.Device}");
        output.WriteLine($"{"parameter",-16} {"value",22} {"d logL / d param",22}");
        for (int k = 0; k < evaluation.At.Length; k++)
        {
            string derivative = double.IsNaN(evaluation.Gradient[k]) ? "-" : Numbers.Full(evaluation.Gradient[k]);
            output.WriteLine($"{evaluation.Names[k],-16} {Numbers.Full(evaluation.At[k]),22} {derivative,22}");
        }
        output.WriteLine($"log-likelihood   {Numbers.Full(evaluation.LogLikelihood)}");
        var undefined = Enumerable.Range(0, evaluation.At.Length).Where(k => double.IsNaN(evaluation.Gradient[k])).Select(k => evaluation.Names[k]).ToArray();
        // Not a number: at the log-likelihood's −∞ (a density of 0 somewhere: σ so small that every point is improbable)
        // the derivatives are ∞ − ∞; else at a closed edge of the domain (p = 1), where they are one-sided.
        string where = double.IsNegativeInfinity(evaluation.LogLikelihood)
            ? "where the log-likelihood is -Infinity (an observation with density 0 at these values)"
            : "at the edge of its domain (one-sided there)";
        if (undefined.Length > 0)
            output.WriteLine($"note: no derivative in {string.Join(", ", undefined)} {where}; JSON: null");
        if (evalMs is { } ms)
            output.WriteLine($"evaluation time  {Numbers.Milliseconds(ms)} (median of {repeat}, data on the device)");
    }
}
