using GpuEstimation.Kernels;
using GpuEstimation.Optimization;

namespace GpuEstimation.Estimation;

/// <summary>A search from the given starting values, and, where it finds no maximum, one more from the model's data-driven start.</summary>
internal static class RestartingSearch
{
    /// <summary>
    /// The maximization (stage 2 of a fit). A search that ends where the gradient, in standard errors derived at the end point,
    /// is not small has found no maximum; nor has one that ends below the objective at the data-driven start, and one
    /// that ends far out on a log or logit scale may have found only a limit. Then a search runs from the model's
    /// data-driven starting values with each coordinate's scale measured from the curvature there: the optimizer then
    /// sees standardized coordinates, so a start of 10⁹ or data around 10⁹ behave as starts and data around 0 do. The
    /// higher converged maximum is kept. Returns the search and, where the restart answered, a note that says so.
    /// </summary>
    public static (OptimizationResult Search, string? Note) Run(Objective objective, IReadOnlyList<double> dataStart, OptimizerSettings settings, bool startFromData = true)
    {
        var first = objective.Maximize(objective.Start(), objective.Scales(), settings);
        var restart = objective.StartingAt(dataStart);
        var start = restart.Start();
        if (first.Converged && !FarOut(objective.Map, first.Point) && !BelowStart(restart, start, first.Value, settings))
            return (first, null);
        var scales = Maximizer.CurvatureScales(restart.Evaluate, start, restart.Scales());
        var second = restart.Maximize(start, scales, settings);
        int evaluations = first.Evaluations + second.Evaluations + scales.Length + 2;
        // A nonlinear regression, and a model of one's own, whose start is the one given (or guessed from the domains),
        // have no data-driven start: their restart is from the same values (a trial read "data-driven" of a --logpdf fit).
        bool given = objective.LeastSquares is not null || !startFromData;
        string from = given ? "the same starting values, in coordinates scaled by the curvature there" : "the data-driven starting values";
        if (!second.Converged || (first.Converged && second.Value < first.Value))
        {
            // "maximum iterations reached; from the data-driven starting values too", not a parenthesis in the caller's.
            string reason = first.Converged ? first.Reason
                : second.Reason == first.Reason ? $"{first.Reason}; from {from} too"
                : $"{first.Reason}; from {from}: {second.Reason}";
            // Neither converged: the higher end is reported, and said to be the restart's where it is (a trial: with
            // --max-iter 5 from an intercept of 50, the far start's end, log L −2.8e23, beside the restart's −3990).
            if (!first.Converged && second.Value > first.Value)
                return (second with { Iterations = first.Iterations + second.Iterations, Evaluations = evaluations, Reason = $"{reason}; the second search's end, the higher, is reported" }, null);
            return (first with { Evaluations = evaluations, Reason = reason }, null);
        }
        string why = first.Converged ? "ended at a lower maximum" : $"stopped short of a maximum ({first.Reason})";
        return (second with { Iterations = first.Iterations + second.Iterations, Evaluations = evaluations },
            $"the first search {why}; it was restarted from {(given ? "the same starting values" : "the data-driven starting values")}, in coordinates scaled by the curvature there");
    }

    /// <summary>
    /// Whether a bounded coordinate ended far out (beyond ±<see cref="DomainEdges.TestDistance"/>): an edge or a limit (nu → ∞)
    /// where the likelihood flattens out and any gradient test passes, so a search from the data-driven start is
    /// worth comparing with.
    /// </summary>
    private static bool FarOut(ParameterMap map, double[] point) =>
        Enumerable.Range(0, map.Free.Count).Any(i => DomainEdges.FarOut(map, map.Free[i], point[i]));

    /// <summary>
    /// Whether the objective at the data-driven start is above <paramref name="value"/>, where a search from other
    /// starting values ended: then that end is no maximum, whatever its gradient says (at a kink, as Laplace's location
    /// has at every data point, a gradient test can pass beside the top).
    /// </summary>
    private static bool BelowStart(Objective restart, double[] start, double value, OptimizerSettings settings)
    {
        double atStart = restart.Evaluate(start, new double[start.Length]);
        return atStart > value + 1e-13 * settings.Magnitude(value);
    }
}
