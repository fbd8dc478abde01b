using System.Globalization;
using MathNet.Numerics;

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

    /// <summary>
    /// Parses <c>normal(mean,sd)</c>, <c>laplace(loc,scale)</c>, <c>halfnormal(scale)</c>, <c>gamma(shape,rate)</c> or
    /// <c>flat</c>; errors name <paramref name="parameter"/>.
    /// </summary>
    public static Prior Parse(string text, string parameter)
    {
        var trimmed = text.Trim();
        int open = trimmed.IndexOf('(');
        string name = (open < 0 ? trimmed : trimmed[..open]).Trim().ToLowerInvariant();
        double[] args = [];
        if (open >= 0)
        {
            if (!trimmed.EndsWith(')'))
                throw new InputException($"--prior {parameter}={text}: missing ')'");
            var inner = trimmed[(open + 1)..^1];
            args = inner.Split(',', StringSplitOptions.TrimEntries)
                .Select(a => double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                    ? v
                    : throw new InputException($"--prior {parameter}={text}: '{a}' is not a number"))
                .ToArray();
        }

        void Expect(int count, string usage)
        {
            if (args.Length != count)
                throw new InputException($"--prior {parameter}={text}: expected {usage}");
        }

        double Positive(int index, string what) => args[index] > 0
            ? args[index]
            : throw new InputException($"--prior {parameter}={text}: {what} must be positive");

        switch (name)
        {
            case "normal":
                Expect(2, "normal(mean,sd)");
                return new NormalPrior(args[0], Positive(1, "sd"));
            case "laplace":
                Expect(2, "laplace(loc,scale)");
                return new LaplacePrior(args[0], Positive(1, "scale"));
            case "halfnormal":
                Expect(1, "halfnormal(scale)");
                return new HalfNormalPrior(Positive(0, "scale"));
            case "gamma":
                Expect(2, "gamma(shape,rate)");
                return new GammaPrior(Positive(0, "shape"), Positive(1, "rate"));
            case "flat":
                if (open >= 0 && args.Length != 0)
                    throw new InputException($"--prior {parameter}={text}: flat takes no arguments");
                return new FlatPrior();
            default:
                throw new InputException($"--prior {parameter}={text}: unknown prior '{name}' (available: normal, laplace, halfnormal, gamma, flat)");
        }
    }

    /// <summary>Whether the prior is defined only for positive values.</summary>
    public virtual bool RequiresPositive => false;
}

/// <summary>Normal(mean, sd): <c>log p = −log sd − ½ log 2π − ½((x − mean)/sd)²</c>.</summary>
public sealed record NormalPrior(double Mean, double Sd) : Prior
{
    public override double LogDensity(double x)
    {
        double z = (x - Mean) / Sd;
        return -Math.Log(Sd) - Constants.LogSqrt2Pi - 0.5 * z * z;
    }

    public override double Derivative(double x) => -(x - Mean) / (Sd * Sd);
}

/// <summary>Laplace(loc, scale): <c>log p = −log 2b − |x − loc|/b</c>; derivative 0 at the kink.</summary>
public sealed record LaplacePrior(double Location, double Scale) : Prior
{
    public override double LogDensity(double x) => -Math.Log(2 * Scale) - Math.Abs(x - Location) / Scale;

    public override double Derivative(double x) => -Math.Sign(x - Location) / Scale;
}

/// <summary>Half-normal(scale) on x &gt; 0: <c>log p = ½ log(2/π) − log s − ½(x/s)²</c>.</summary>
public sealed record HalfNormalPrior(double Scale) : Prior
{
    public override bool RequiresPositive => true;

    public override double LogDensity(double x)
    {
        if (x < 0)
            return double.NegativeInfinity;
        double z = x / Scale;
        return 0.5 * Math.Log(2 / Math.PI) - Math.Log(Scale) - 0.5 * z * z;
    }

    public override double Derivative(double x) => -x / (Scale * Scale);
}

/// <summary>Gamma(shape α, rate β) on x &gt; 0: <c>log p = α log β − log Γ(α) + (α − 1) log x − βx</c>.</summary>
public sealed record GammaPrior(double Shape, double Rate) : Prior
{
    public override bool RequiresPositive => true;

    public override double LogDensity(double x) => x <= 0
        ? double.NegativeInfinity
        : Shape * Math.Log(Rate) - SpecialFunctions.GammaLn(Shape) + (Shape - 1) * Math.Log(x) - Rate * x;

    public override double Derivative(double x) => (Shape - 1) / x - Rate;
}

/// <summary>The improper flat prior: contributes nothing.</summary>
public sealed record FlatPrior : Prior
{
    public override double LogDensity(double x) => 0;

    public override double Derivative(double x) => 0;
}
