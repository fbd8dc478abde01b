namespace GpuEstimation.Priors;

/// <summary>The improper flat prior: contributes nothing.</summary>
public sealed record FlatPrior : Prior
{
    /// <summary>As written on the command line: <c>flat</c>.</summary>
    public override string ToString() => "flat";

    /// <inheritdoc/>
    public override double LogDensity(double x) => 0;

    /// <inheritdoc/>
    public override double Derivative(double x) => 0;

    /// <inheritdoc/>
    public override double SecondDerivative(double x) => 0;
}
