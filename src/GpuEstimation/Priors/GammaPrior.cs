using MathNet.Numerics;

namespace GpuEstimation.Priors;

/// <summary>Gamma(shape α, rate β) on x &gt; 0: <c>log p = α log β − log Γ(α) + (α − 1) log x − βx</c>.</summary>
public sealed record GammaPrior(double Shape, double Rate) : Prior
{
    /// <summary>The shape α.</summary>
    public double Shape { get; } = Positive(Shape, "gamma", "shape");

    /// <summary>The rate β.</summary>
    public double Rate { get; } = Positive(Rate, "gamma", "rate");

    /// <summary>As written on the command line: <c>gamma(shape,rate)</c>.</summary>
    public override string ToString() => $"gamma({Text(Shape)},{Text(Rate)})";

    /// <inheritdoc/>
    public override double? Mode => Shape > 1 ? (Shape - 1) / Rate : null;

    /// <inheritdoc/>
    public override bool RequiresPositive => true;

    /// <summary>
    /// The log-density; at x = 0 its limit: log β for α = 1 (the exponential's density β there), +∞ for α &lt; 1, −∞ for
    /// α &gt; 1 (−∞ at every shape made a MAP mode at a rate of 0 under gamma(1, ·) read as "no mode", a review).
    /// </summary>
    public override double LogDensity(double x) => x < 0 || double.IsNaN(x) ? double.NegativeInfinity
        : x == 0 ? (Shape == 1 ? Math.Log(Rate) : Shape < 1 ? double.PositiveInfinity : double.NegativeInfinity)
        : Shape * Math.Log(Rate) - SpecialFunctions.GammaLn(Shape) + (Shape - 1) * Math.Log(x) - Rate * x;

    /// <inheritdoc/>
    public override double Derivative(double x) => (Shape - 1) / x - Rate;

    /// <inheritdoc/>
    public override double SecondDerivative(double x) => -(Shape - 1) / (x * x);
}
