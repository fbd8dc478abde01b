namespace GpuEstimation.Priors;

/// <summary>Half-normal(scale) on x &gt; 0: <c>log p = ½ log(2/π) − log s − ½(x/s)²</c>.</summary>
public sealed record HalfNormalPrior(double Scale) : Prior
{
    /// <summary>The scale s.</summary>
    public double Scale { get; } = NotTooNarrow(Scale, "halfnormal", "scale");

    /// <summary>As written on the command line: <c>halfnormal(scale)</c>.</summary>
    public override string ToString() => $"halfnormal({Text(Scale)})";

    /// <inheritdoc/>
    public override bool RequiresPositive => true;

    /// <inheritdoc/>
    public override double LogDensity(double x)
    {
        if (x < 0)
            return double.NegativeInfinity;
        double z = x / Scale;
        return 0.5 * Math.Log(2 / Math.PI) - Math.Log(Scale) - 0.5 * z * z;
    }

    /// <inheritdoc/>
    public override double Derivative(double x) => -x / (Scale * Scale);

    /// <inheritdoc/>
    public override double SecondDerivative(double x) => -1 / (Scale * Scale);
}
