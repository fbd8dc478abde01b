namespace GpuEstimation.Priors;

/// <summary>
/// A prior density on one parameter, on that parameter's natural scale (the scale results are reported on). The
/// MAP estimate maximizes log-likelihood + Σ log prior over the natural parameters; no Jacobian is added for the
/// optimizer's log transform, so the mode is the mode of the parameters as reported.
/// </summary>
public abstract record Prior
{
    /// <summary>log p(x); −∞ outside the support.</summary>
    public abstract double LogDensity(double x);

    /// <summary>d log p(x) / dx.</summary>
    public abstract double Derivative(double x);

    /// <summary>d² log p(x) / dx² (0 on either side of a kink).</summary>
    public abstract double SecondDerivative(double x);

    /// <summary>Whether the prior is defined only for positive values.</summary>
    public virtual bool RequiresPositive => false;

    /// <summary>
    /// The kink of the log-density, or null where it is smooth. At the kink <see cref="Derivative"/> returns the mean
    /// of the two one-sided derivatives; a MAP search treats the kink exactly (an estimate can sit at it).
    /// </summary>
    public virtual PriorKink? Kink => null;

    /// <summary>
    /// Where the density is highest, where that is a point of its support's interior (a MAP search may start there);
    /// null where it is not (a flat prior, a half-normal's or a gamma's of shape ≤ 1 at 0).
    /// </summary>
    public virtual double? Mode => null;

    /// <summary><paramref name="value"/> if it is finite and positive; otherwise an error naming the prior and the argument.</summary>
    protected static double Positive(double value, string prior, string argument) =>
        double.IsFinite(value) && value > 0
            ? value
            : throw new InputException($"{prior} prior: {argument} must be a positive finite number, got {Text(value)}", argument);

    /// <summary>
    /// The smallest scale a prior may have: below it 1/scale² (the prior's curvature) overflows a double, so neither the
    /// log-density nor the search can be computed. A prior that narrow is a held value.
    /// </summary>
    protected const double SmallestScale = 1e-150;

    /// <summary><paramref name="value"/> if it is positive and at least <see cref="SmallestScale"/>; otherwise an error naming the prior and the argument.</summary>
    protected static double NotTooNarrow(double value, string prior, string argument)
    {
        Positive(value, prior, argument);
        return value >= SmallestScale
            ? value
            : throw new InputException($"{prior} prior: {argument} {Text(value)} is too small to compute with (below {Text(SmallestScale)} the prior's curvature 1/{argument}² nears the largest double); a prior that narrow holds the parameter: hold it fixed instead", argument);
    }

    /// <summary><paramref name="value"/> if it is finite; otherwise an error naming the prior and the argument.</summary>
    protected static double Finite(double value, string prior, string argument) =>
        double.IsFinite(value)
            ? value
            : throw new InputException($"{prior} prior: {argument} must be a finite number, got {Text(value)}", argument);

    /// <summary>A number as the prior's text shows it (shortest round-trip form).</summary>
    protected static string Text(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
