namespace GpuEstimation.Priors;

/// <summary>
/// Laplace(loc, scale): <c>log p = −log 2b − |x − loc|/b</c>, the L1 (lasso) penalty. Its kink at loc is handled by
/// the MAP search (see <see cref="Prior.Kink"/>), so an estimate can be exactly loc; the derivative is 0 there.
/// </summary>
public sealed record LaplacePrior(double Location, double Scale) : Prior
{
    /// <summary>The location (the mode).</summary>
    public double Location { get; } = Finite(Location, "laplace", "location");

    /// <summary>The scale b.</summary>
    public double Scale { get; } = Positive(Scale, "laplace", "scale");

    /// <summary>As written on the command line: <c>laplace(location,scale)</c>.</summary>
    public override string ToString() => $"laplace({Text(Location)},{Text(Scale)})";

    /// <inheritdoc/>
    public override PriorKink? Kink => new(Location, 1 / Scale);

    /// <inheritdoc/>
    public override double? Mode => Location;

    /// <inheritdoc/>
    public override double LogDensity(double x) => -Math.Log(2 * Scale) - Math.Abs(x - Location) / Scale;

    /// <inheritdoc/>
    public override double Derivative(double x) => -Math.Sign(x - Location) / Scale;

    /// <inheritdoc/>
    public override double SecondDerivative(double x) => 0;
}
