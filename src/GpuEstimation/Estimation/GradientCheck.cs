using System.Globalization;

namespace GpuEstimation.Estimation;

/// <summary>
/// A model's gradient against the derivative of its own log-likelihood taken numerically: what to run once when writing
/// a model of one's own (README, "Your own model"), where a wrong sign or factor in <c>Accumulate</c> otherwise shows
/// only as a fit that does not converge.
/// </summary>
public static class GradientCheck
{
    // The step of each level, in the optimizer's coordinates (log θ, logit θ or θ), is StepOfScale × the model's scale
    // of that parameter (IModelSpec.Scales), then a tenth of the one before, Levels of them. From the smallest up, the
    // first level whose error estimate is no worse than the next larger one's is taken: below it the rounding of the
    // log-likelihoods dominates, above it the truncation. (The level of least error overall is wrong: far beyond a
    // heavy-tailed log-likelihood's width, f(u + h) and f(u − h) are alike, and every wide difference is a consistent 0;
    // a Cauchy's location at 10⁻⁷ with scale 10⁻⁹ got 0.0002 for 5·10⁹.)
    private const double StepOfScale = 0.1;
    private const int Levels = 20;

    // Wrong by more than this fraction of the gradient's size, the model's gradient disagrees wherever the numeric
    // derivative's own error estimate is smaller still.
    private const double Relative = 1e-6;

    // The unit roundoff of doubles, 2⁻⁵³.
    private const double Epsilon = 1.1102230246251565e-16;

    /// <summary>
    /// Compares <paramref name="session"/>'s gradient at natural-scale <paramref name="at"/> (every parameter, in model
    /// order, inside its domain) with the derivative of its log-likelihood by extrapolated central differences, taken
    /// in one sweep over the data. Check at a point away from the maximum (the start, say): there the gradient is
    /// large, so a wrong factor shows; at the maximum every component is near 0, and the check is not conclusive there.
    /// </summary>
    public static GradientCheckResult CheckGradient(this EstimationSession session, IReadOnlyList<double> at)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(at);
        var map = session.Parameters;
        if (at.Count != map.Count)
            throw new ArgumentException($"{at.Count} values for the {map.Count} parameters of model '{map.Model}'", nameof(at));
        for (int j = 0; j < at.Count; j++)
        {
            var parameter = map.Parameters[j];
            if (!ParameterMap.Contains(parameter.Domain, at[j]) || !double.IsFinite(at[j]))
                throw new InputException($"parameter '{parameter.Name}' = {at[j].ToString("R", CultureInfo.InvariantCulture)}: to check the gradient there it must {ParameterMap.Describe(parameter.Domain)} and finite", parameter.Name);
        }
        var evaluation = session.Evaluate(at);
        double value = evaluation.LogLikelihood;
        if (!double.IsFinite(value))
            throw new InputException($"the log-likelihood is {value.ToString(CultureInfo.InvariantCulture)} at the point given: the gradient cannot be checked there", nameof(at));

        // Four points a level a parameter: u ± h and u ± h/2, all in one sweep. The differences are taken over the
        // points' own coordinates, the natural values evaluated mapped back (a probability of 1 − 10⁻⁸ rounds each
        // step's point to its spacing, 10⁻⁸ of 1 − p: over the intended steps a correct Bernoulli gradient disagreed,
        // a review). A level whose points leave the domain (within a few ulps of an edge) or the doubles, or whose
        // steps the rounding shrank or stretched by a tenth or more, is left out.
        var scales = session.Model.Scales;
        var points = new List<double[]>(at.Count * Levels * 4);
        var spans = new (double Wide, double Narrow)[at.Count, Levels];
        var firsts = new int[at.Count, Levels];
        for (int j = 0; j < at.Count; j++)
        {
            var domain = map.Parameters[j].Domain;
            double u = map.ToOptimizer(j, at[j]);
            double scale = scales[j] > 0 && double.IsFinite(scales[j]) ? scales[j] : 1.0;
            double h = StepOfScale * Math.Max(scale, Math.Abs(u));
            for (int level = 0; level < Levels; level++, h /= 10)
            {
                var level4 = new double[4][];
                var reached = new double[4];
                int k = 0;
                foreach (double step in (ReadOnlySpan<double>)[h, -h, h / 2, -h / 2])
                {
                    var point = at.ToArray();
                    point[j] = map.ToNatural(j, u + step);
                    reached[k] = double.IsFinite(point[j]) && ParameterMap.Contains(domain, point[j]) ? map.ToOptimizer(j, point[j]) : double.NaN;
                    level4[k++] = point;
                }
                double wide = reached[0] - reached[1], narrow = reached[2] - reached[3];
                bool usable = Math.Abs(wide - 2 * h) < 0.2 * h && Math.Abs(narrow - h) < 0.1 * h;
                firsts[j, level] = usable ? points.Count : -1;
                spans[j, level] = (wide, narrow);
                if (usable)
                    points.AddRange(level4);
            }
        }
        var values = session.LogLikelihoods(points);

        var comparisons = new GradientComparison[at.Count];
        for (int j = 0; j < at.Count; j++)
        {
            double jacobian = map.Jacobian(j, at[j]), u = map.ToOptimizer(j, at[j]);
            double analytic = evaluation.Gradient[j];
            // The slope's size for the parameter's own rounding: the model's where that is a number (a gradient of NaN
            // or ∞ is what the check is for, and is not to spoil the numeric side).
            double given = double.IsFinite(analytic * jacobian) ? Math.Abs(analytic * jacobian) : 0;
            var estimates = new double[Levels];
            var bounds = new double[Levels];
            for (int level = 0; level < Levels; level++)
            {
                int first = firsts[j, level];
                if (first < 0)
                {
                    bounds[level] = double.PositiveInfinity;
                    continue;
                }
                var (wideSpan, narrowSpan) = spans[j, level];
                double wide = (values[first] - values[first + 1]) / wideSpan;
                double narrow = (values[first + 2] - values[first + 3]) / narrowSpan;
                // Richardson's extrapolation over the half-widths a = wideSpan/2 and b = narrowSpan/2 (b = a/2 but for
                // rounding) cancels the h² term; the two differences' gap bounds what is left, and the rounding of the
                // log-likelihoods (a sum of N terms: of the size of |log L| + N) and of the parameter itself (its
                // spacing times the slope), divided by the step, is added.
                double a2 = wideSpan * wideSpan / 4, b2 = narrowSpan * narrowSpan / 4;
                estimates[level] = (a2 * narrow - b2 * wide) / (a2 - b2);
                double slope = Math.Max(given, Math.Abs(wide));
                bounds[level] = double.IsFinite(wide) && double.IsFinite(narrow)
                    ? Math.Abs(narrow - wide) * b2 / (a2 - b2) + (16 * (Math.Abs(value) + session.Model.Rows) + 4 * slope * Math.Max(Math.Abs(u), 1.0)) * Epsilon / (wideSpan / 2)
                    : double.PositiveInfinity;
            }
            int chosen = FirstMinimumFromTheSmallest(bounds);
            // The chosen level's bound, or the next smaller step's over ten where that is larger: the rounding grows as
            // the step shrinks, and one level's gap can be small by chance.
            double error = chosen + 1 < Levels && double.IsFinite(bounds[chosen + 1]) ? Math.Max(bounds[chosen], bounds[chosen + 1] / 10) : bounds[chosen];
            double best = double.IsFinite(bounds[chosen]) ? estimates[chosen] : double.NaN;
            // In natural units: the optimizer's derivative over dθ/du.
            double numeric = best / jacobian;
            double tolerance = Relative * Math.Max(double.IsFinite(analytic) ? Math.Abs(analytic) : 0, Math.Abs(numeric)) + 10 * error / Math.Abs(jacobian);
            comparisons[j] = new GradientComparison(map.Parameters[j].Name, analytic, numeric, double.IsFinite(best) ? tolerance : double.NaN);
        }
        return new GradientCheckResult(at.ToArray(), value, comparisons);
    }

    // Levels run from the largest step (0) to the smallest (Levels − 1): from the smallest up, the first whose bound is
    // no worse than the next two larger steps' (one, by chance, let the rounding's noise pass for the minimum: a trial's
    // zero-inflated Poisson took 10⁻¹⁴, bound 6·10⁴, where 10⁻⁴ had 10⁻⁴); where no bound is finite, the largest.
    private static int FirstMinimumFromTheSmallest(double[] bounds)
    {
        for (int level = bounds.Length - 1; level > 0; level--)
        {
            if (double.IsFinite(bounds[level]) && bounds[level] <= bounds[level - 1] && (level < 2 || bounds[level] <= bounds[level - 2]))
                return level;
        }
        return 0;
    }
}

/// <summary>One parameter's gradient against its numeric derivative (<see cref="GradientCheck.CheckGradient"/>).</summary>
/// <param name="Name">The parameter.</param>
/// <param name="Analytic">The model's gradient, ∂ log L / ∂θ on the natural scale.</param>
/// <param name="Numeric">The log-likelihood's derivative by extrapolated central differences; NaN where no step gave a finite log-likelihood on both sides.</param>
/// <param name="Tolerance">How far apart the two may be: the numeric derivative's error estimate (ten times it) and one part in a million of the gradient's size.</param>
public sealed record GradientComparison(string Name, double Analytic, double Numeric, double Tolerance)
{
    /// <summary>
    /// Whether the check says anything here: the tolerance is under a hundredth of the gradient's size, so that a wrong
    /// sign or factor, or an error of a percent, cannot pass. Not so where the gradient is near 0 (at the maximum) or the
    /// log-likelihood's rounding swamps every step (a point where it barely changes, such as a location far beyond the
    /// model's scale): check at another point.
    /// </summary>
    public bool Conclusive => double.IsFinite(Analytic) && Tolerance < 0.01 * Math.Max(Math.Abs(Analytic), Math.Abs(Numeric));

    /// <summary>Whether the model's gradient agrees with the numeric derivative within <see cref="Tolerance"/>, and the check is <see cref="Conclusive"/>.</summary>
    public bool Agrees => Conclusive && Math.Abs(Analytic - Numeric) <= Tolerance;

    // Further apart than the tolerance, conclusive or not; a gradient of NaN or ∞ beside a numeric derivative that is a
    // number (it read "not conclusive", a review). A numeric NaN (no step gave a number) is not conclusive.
    internal bool Disagrees => double.IsFinite(Numeric) && (!double.IsFinite(Analytic) || Math.Abs(Analytic - Numeric) > Tolerance);
}

/// <summary>The outcome of <see cref="GradientCheck.CheckGradient"/>.</summary>
/// <param name="At">The point checked (natural scale, model order).</param>
/// <param name="LogLikelihood">The log-likelihood there.</param>
/// <param name="Parameters">Each parameter's comparison, in model order.</param>
public sealed record GradientCheckResult(double[] At, double LogLikelihood, IReadOnlyList<GradientComparison> Parameters)
{
    /// <summary>Whether every parameter's gradient agrees, each conclusively.</summary>
    public bool Agrees => Parameters.All(p => p.Agrees);

    /// <summary>
    /// One line: "gradient agrees", or the parameters where it does not, each with both values, and those where the
    /// check is not conclusive at this point.
    /// </summary>
    public override string ToString()
    {
        var culture = CultureInfo.InvariantCulture;
        if (Agrees)
            return $"gradient agrees with the numeric derivative for every parameter ({string.Join(", ", Parameters.Select(p => p.Name))})";
        var wrong = Parameters.Where(p => p.Disagrees).ToArray();
        var vague = Parameters.Where(p => !p.Disagrees && !p.Conclusive).ToArray();
        var parts = new List<string>();
        if (wrong.Length > 0)
        {
            parts.Add("gradient disagrees with the numeric derivative: " + string.Join("; ", wrong.Select(p =>
                $"{p.Name}: gradient {p.Analytic.ToString("G10", culture)}, numeric {p.Numeric.ToString("G10", culture)} (tolerance {p.Tolerance.ToString("G3", culture)})")));
        }
        var unmeasured = vague.Where(p => double.IsNaN(p.Numeric)).ToArray();
        var weak = vague.Where(p => !double.IsNaN(p.Numeric)).ToArray();
        if (weak.Length > 0)
        {
            parts.Add("not conclusive for " + string.Join("; ", weak.Select(p =>
                $"{p.Name} (gradient {p.Analytic.ToString("G3", culture)}, numeric {p.Numeric.ToString("G3", culture)}, tolerance {p.Tolerance.ToString("G3", culture)})")) +
                ": the numeric derivative's error is not under a hundredth of the gradient here (near the maximum, or where the log-likelihood barely changes); check at another point");
        }
        if (unmeasured.Length > 0)
        {
            parts.Add($"no numeric derivative for {string.Join(", ", unmeasured.Select(p => p.Name))}: no step from this point gave finite log-likelihoods inside the domain on both sides " +
                "(within a few ulps of an edge, or where the log-likelihood is not finite nearby); check at another point");
        }
        return string.Join("; ", parts);
    }
}
