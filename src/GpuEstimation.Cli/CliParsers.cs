using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Priors;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Cli;

/// <summary>Command-line text to the library's types: priors, grid axes, device names. Errors name the option.</summary>
internal static class CliParsers
{
    /// <summary>Parses a --prior value for parameter <paramref name="parameter"/>.</summary>
    public static Prior Prior(string text, string parameter)
    {
        var trimmed = text.Trim();
        int open = trimmed.IndexOf('(');
        string name = (open < 0 ? trimmed : trimmed[..open]).Trim().ToLowerInvariant();
        double[] args = [];
        if (open >= 0)
        {
            if (!trimmed.EndsWith(')'))
                throw new InputException($"--prior {parameter}={text}: missing ')'");
            args = trimmed[(open + 1)..^1].Split(',', StringSplitOptions.TrimEntries)
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

    /// <summary>Parses <c>NAME=LOW:HIGH:COUNT</c> (a --grid value).</summary>
    public static GridAxis GridAxis(string text)
    {
        int eq = text.IndexOf('=');
        var parts = eq > 0 ? text[(eq + 1)..].Split(':') : [];
        if (eq <= 0 || parts.Length != 3)
            throw new InputException($"--grid {text}: expected NAME=LOW:HIGH:COUNT, e.g. mu=2:4:128");
        double Number(string part) => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new InputException($"--grid {text}: '{part}' is not a finite number");
        double low = Number(parts[0]), high = Number(parts[1]);
        if (!int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 1)
            throw new InputException($"--grid {text}: the count '{parts[2]}' must be a whole number of at least 1");
        if (count > 1 && !(high > low))
            throw new InputException($"--grid {text}: HIGH must be above LOW");
        return new GridAxis(text[..eq].Trim(), low, high, count);
    }

    /// <summary>Parses a --device value.</summary>
    public static Backend Backend(string text) => text.ToLowerInvariant() switch
    {
        "auto" => Backends.Backend.Auto,
        "cuda" => Backends.Backend.Cuda,
        "opencl" => Backends.Backend.OpenCL,
        "native" => Backends.Backend.Native,
        "cpu" => Backends.Backend.Cpu,
        _ => throw new InputException($"--device: unknown device '{text}' (expected auto, cuda, opencl, native or cpu)"),
    };
}
