using System.Globalization;
using GpuEstimation.Data;
using GpuEstimation.Demo;
using GpuEstimation.Estimation;

namespace GpuEstimation.Cli.Output;

/// <summary>The demo's text: each fit beside its closed form, and a few points' likelihoods under the MLE line.</summary>
internal static class DemoReport
{
    /// <summary>What the example is, both fits against their closed forms, and the sample points.</summary>
    public static void Write(TextWriter output, LearningFit example)
    {
        int points = example.Data.Rows;
        output.WriteLine($"Learning example: {points:N0} points of y = {LearningExample.Slope}·x + {LearningExample.Intercept} + Normal(0, {LearningExample.NoiseSd}),");
        // None among fewer points than OutlierEvery (a trial's --points 10 was told of some).
        int outliers = LearningExample.Outliers(points);
        output.WriteLine($"x uniform on [0, 10), every {LearningExample.OutlierEvery:N0}th point lifted by {LearningExample.OutlierShift} (outliers: {(outliers == 0 ? "none" : outliers.ToString("N0", CultureInfo.InvariantCulture))} among these).");
        output.WriteLine();
        output.WriteLine($"MLE (Gaussian noise: the least-squares line), device {example.Mle.Device}");
        WriteComparison(output, example.Mle, example.LeastSquares, "least squares (QR)");
        output.WriteLine();
        output.WriteLine($"MAP with prior x ~ Normal(0, {example.SlopePriorSd}) on the slope, flat on the intercept and sigma (the ridge solution)");
        WriteComparison(output, example.Map, [.. example.Ridge, double.NaN], "ridge closed form at MAP sigma");
        output.WriteLine();
        WritePoints(output, example);
    }

    private static void WriteComparison(TextWriter output, FitResult fit, double[] reference, string referenceName)
    {
        output.WriteLine($"{"parameter",-12} {"estimate",20} {referenceName,32} {"relative difference",20}");
        for (int k = 0; k < fit.Parameters.Count; k++)
        {
            var p = fit.Parameters[k];
            bool known = !double.IsNaN(reference[k]);
            string exact = known ? Numbers.Full(reference[k]) : "";
            string diff = known ? (Math.Abs(p.Estimate - reference[k]) / Math.Abs(reference[k])).ToString("0.0e+00", CultureInfo.InvariantCulture) : "";
            output.WriteLine($"{p.Name,-12} {Numbers.Full(p.Estimate),20} {exact,32} {diff,20}");
        }
        output.WriteLine($"log-likelihood {Numbers.Full(fit.LogLikelihood)}{(fit.LogPosterior is { } lp ? $", log-posterior {Numbers.Full(lp)}" : "")}");
        FitTable.WriteConvergence(output, fit);
    }

    private static void WritePoints(TextWriter output, LearningFit example)
    {
        var mle = example.Mle;
        var x = example.Data.Column("x").AsArray();
        var y = example.Data.Column("y").AsArray();
        output.WriteLine($"Each point's likelihood under the MLE line: f(y | x) = Normal(y; {Numbers.Full(mle["intercept"])} + {Numbers.Full(mle["x"])}·x, {Numbers.Full(mle["sigma"])}).");
        output.WriteLine($"{"x",12} {"y",12} {"log f(y|x)",14}");
        foreach (int i in new[] { 0, 1, 2, LearningExample.OutlierEvery - 1 }.Where(i => i < x.Length))
        {
            bool outlier = i % LearningExample.OutlierEvery == LearningExample.OutlierEvery - 1;
            output.WriteLine($"{Numbers.Fixed(x[i], "F4"),12} {Numbers.Fixed(y[i], "F4"),12} {Numbers.Fixed(example.LogDensities[i], "F4"),14}{(outlier ? "   (an outlier)" : "")}");
        }
    }
}
