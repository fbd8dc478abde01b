using GpuEstimation.Optimization;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Estimation;

/// <summary>
/// Maxima at a kink of the log-likelihood itself (Laplace's location at a data point: the median, tied or not), which
/// no gradient test accepts: the gradient there is the sum of one-sided slopes with sign 0 for the rows at the kink, far
/// from 0 when several rows are tied at the median of a small sample. A point is such a maximum when each coordinate
/// either falls on both sides (a kink with the log-likelihood lower a hair's breadth either way) or, with those held,
/// is stationary by the usual rules.
/// </summary>
internal static class DataKinks
{
    /// <summary>The probe's step, in the coordinate's typical uncertainty: far inside the gap to the next data point.</summary>
    private const double ProbeStep = 1e-6;

    /// <summary>How far below the point, in units of its rounding (2⁻⁵² |f|), a probe must fall to show a kink.</summary>
    private const double RoundingUnits = 64;

    /// <summary>
    /// A search that found no stationary point, settled where the likelihood has kinks: from the better of its end and
    /// its start (coordinates of <paramref name="objective"/>), the coordinates with a kink there are held and the
    /// others maximized; where those converge and the kinks still fall on both sides, that point is the maximum
    /// (converged). Otherwise the search as it was.
    /// </summary>
    public static OptimizationResult Settle(Objective objective, OptimizationResult search, IReadOnlyList<double> start, OptimizerSettings settings)
    {
        var map = objective.Map;
        var from = start.ToArray();
        double startValue = objective.Evaluate(from, new double[from.Length]);
        var point = (startValue >= search.Value ? from : search.Point).ToArray();
        var scales = objective.Scales();
        // The start is the kink itself where the model starts there (Laplace's median): a search end a probe's step
        // from it takes its exact value (4e-19 would otherwise stand for 0).
        for (int i = 0; i < point.Length; i++)
        {
            if (Math.Abs(point[i] - from[i]) <= ProbeStep * scales[i])
                point[i] = from[i];
        }
        var kinks = Kinked(objective, point, scales);
        int evaluations = search.Evaluations + 2 + 2 * point.Length;
        if (kinks.Length == 0)
            return search with { Evaluations = evaluations };

        var natural = objective.Natural(point);
        var inner = objective;
        foreach (int i in kinks)
            inner = inner.Holding(map.Free[i], natural[map.Free[i]], natural);
        var rest = inner.Maximize(inner.Start(), inner.Scales(), settings);
        evaluations += rest.Evaluations;
        if (!rest.Converged)
            return search with { Evaluations = evaluations };
        var settled = map.ToCoordinates(inner.Natural(rest.Point));
        evaluations += 1 + 2 * point.Length;
        if (!kinks.All(Kinked(objective, settled, scales).Contains))
            return search with { Evaluations = evaluations };

        // The smooth coordinates' preconditioner from their own search; a kink's coordinate keeps its typical uncertainty.
        var others = Enumerable.Range(0, point.Length).Where(i => !kinks.Contains(i)).ToArray();
        var transform = Matrix<double>.Build.DenseDiagonal(point.Length, point.Length, i => scales[i]);
        for (int r = 0; r < others.Length; r++)
        {
            for (int c = 0; c < others.Length; c++)
                transform[others[r], others[c]] = rest.Transform[r, c];
        }
        string names = string.Join(", ", kinks.Select(i => map.Parameters[map.Free[i]].Name));
        string reason = others.Length == 0
            ? $"a maximum at a kink of the log-likelihood in {names} (it falls on both sides)"
            : $"a maximum at a kink of the log-likelihood in {names} (it falls on both sides), the others stationary ({rest.Reason})";
        return new OptimizationResult(settled, rest.Value, true, reason, search.Iterations + rest.Iterations, evaluations,
            rest.GradientNorm, rest.Edm, transform) { Kinked = kinks };
    }

    /// <summary>
    /// The coordinates at whose value in <paramref name="point"/> the objective falls, beyond its rounding, a step of
    /// <see cref="ProbeStep"/> typical uncertainties to either side.
    /// </summary>
    private static int[] Kinked(Objective objective, double[] point, double[] scales)
    {
        var gradient = new double[point.Length];
        double value = objective.Evaluate(point, gradient);
        double rounding = RoundingUnits * Math.Abs(value) * Math.Pow(2, -52);
        var kinked = new List<int>();
        for (int i = 0; i < point.Length; i++)
        {
            double h = ProbeStep * Math.Max(scales[i], Math.Abs(point[i]) * 1e-9);
            var probe = point.ToArray();
            probe[i] = point[i] + h;
            double up = objective.Evaluate(probe, gradient);
            probe[i] = point[i] - h;
            double down = objective.Evaluate(probe, gradient);
            if (up < value - rounding && down < value - rounding)
                kinked.Add(i);
        }
        return [.. kinked];
    }
}
