using MathNet.Numerics;

namespace GpuEstimation.Priors;

/// <summary>Normal(mean, sd): <c>log p = −log sd − ½ log 2π − ½((x − mean)/sd)²</c>.</summary>
public sealed record NormalPrior(double Mean, double Sd) : Prior
{
    /// <summary>The mean.</summary>
    public double Mean { get; } = Finite(Mean, "normal", "mean");

    /// <summary>The standard deviation.</summary>
    public double Sd { get; } = NotTooNarrow(Sd, "normal", "sd");

    /// <summary>As written on the command line: <c>normal(mean,sd)</c>.</summary>
    public override string ToString() => $"normal({Text(Mean)},{Text(Sd)})";

    /// <inheritdoc/>
    public override double? Mode => Mean;

    /// <inheritdoc/>
    public override double LogDensity(double x)
    {
        double z = (x - Mean) / Sd;
        return -Math.Log(Sd) - Constants.LogSqrt2Pi - 0.5 * z * z;
    }

    /// <inheritdoc/>
    public override double Derivative(double x) => -(x - Mean) / (Sd * Sd);

    /// <inheritdoc/>
    public override double SecondDerivative(double x) => -1 / (Sd * Sd);
}
