using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Priors;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace GpuEstimation.Demo;

/// <summary>
/// The learning example the project comes from: y = 0.5·x + 0.4 + Normal(0, 0.3) with x uniform on [0, 10), plus a few
/// outliers, generated the same way every time.
/// </summary>
public static class LearningExample
{
    /// <summary>The true slope a of y = a·x + b.</summary>
    public const double Slope = 0.5;
    /// <summary>The true intercept b.</summary>
    public const double Intercept = 0.4;
    /// <summary>The standard deviation of the Gaussian noise.</summary>
    public const double NoiseSd = 0.3;
    /// <summary>The demo's number of points.</summary>
    public const int DefaultPoints = 1_000_000;

    /// <summary>One point in this many is an outlier, lifted by <see cref="OutlierShift"/>.</summary>
    public const int OutlierEvery = 50_000;
    /// <summary>How many of <paramref name="points"/> points are outliers: point i is where i % <see cref="OutlierEvery"/> is <see cref="OutlierEvery"/> − 1.</summary>
    public static int Outliers(int points) => points / OutlierEvery;

    /// <summary>How far each outlier is lifted above its line.</summary>
    public const double OutlierShift = 5.0;

    /// <summary>The prior sd on the slope that the demo's MAP uses: strong enough to move a 10⁶-point fit visibly.</summary>
    public const double DemoSlopePriorSd = 0.001;

    /// <summary>
    /// The memory a point of the example takes at its peak, fitted and drawn (<c>gpuest demo</c>, <c>gpuest plot</c>):
    /// about 210 bytes measured at 10⁷ and 2·10⁷ points (2026-12-01), with a margin.
    /// </summary>
    public const int BytesPerPoint = 240;

    /// <summary>Points in the picture of the example: few enough to label each with its log-likelihood.</summary>
    public const int PlotPoints = 30;

    /// <summary>
    /// The slope prior's sd in the picture: with few points a prior must be wider than the demo's (set for 10⁶ points)
    /// to leave the data a say. 0.06 pulls the 30-point slope from 0.51 to 0.46, visibly; at 0.04 the joint mode's σ̂
    /// grew to 1.14 and the line fell to a slope of 0.11, far from the data (correct, but a puzzle to a learner).
    /// </summary>
    public const double PlotSlopePriorSd = 0.06;

    /// <summary>Columns <c>x</c> and <c>y</c>, deterministic for a given <paramref name="seed"/>.</summary>
    public static Dataset Generate(int points = DefaultPoints, int seed = 20261127)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(points);
        var random = new Xoshiro256StarStar(seed);
        var noise = new Normal(0, NoiseSd, random);
        var x = new double[points];
        var y = new double[points];
        for (int i = 0; i < points; i++)
        {
            x[i] = 10 * random.NextDouble();
            y[i] = Slope * x[i] + Intercept + noise.Sample();
            if (i % OutlierEvery == OutlierEvery - 1)
                y[i] += OutlierShift;
        }
        return new Dataset([KeyValuePair.Create("x", x), KeyValuePair.Create("y", y)], "demo");
    }

    /// <summary>
    /// Generates <paramref name="points"/> points and fits them once on <paramref name="device"/>: the MLE, the MAP with
    /// a Normal(0, <paramref name="slopePriorSd"/>) prior on the slope, their closed forms, and each point's
    /// log-density under the MLE.
    /// </summary>
    public static LearningFit Fit(ComputeDevice device, int points, double slopePriorSd)
    {
        var data = Generate(points);
        using var session = new EstimationSession(Model(data), device);
        return Fit(session, data, slopePriorSd);
    }

    /// <summary>The learning example's model over <paramref name="data"/>: y on x with an intercept.</summary>
    public static IModelSpec Model(Dataset data) => ModelCatalog.Linear(data, "y", ["x"]);

    /// <summary>
    /// The same fits on a session of <see cref="Model"/> over <paramref name="data"/> that the caller keeps open (to
    /// sweep the same data afterwards without uploading it again).
    /// </summary>
    public static LearningFit Fit(EstimationSession session, Dataset data, double slopePriorSd)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(data);
        var mle = session.Fit(new FitOptions());
        var map = session.Fit(new FitOptions
        {
            Map = true,
            Priors = new Dictionary<string, Prior> { ["x"] = new NormalPrior(0, slopePriorSd) },
        });
        var x = data.Column("x").AsArray();
        var y = data.Column("y").AsArray();
        var (coefficients, sigma) = LinearClosedForm.LeastSquares(y, [x]);
        var ridge = LinearClosedForm.Ridge(y, [x], map["sigma"], slopePriorSd);
        var logDensities = session.LogDensities(mle.Parameters.Select(p => p.Estimate).ToArray());
        return new LearningFit(data, session.Model, slopePriorSd, mle, map, [.. coefficients, sigma], ridge, logDensities);
    }
}
