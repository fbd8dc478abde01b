using GpuEstimation.Priors;

namespace GpuEstimation.Cli.Parsing;

/// <summary>
/// Parses a prior as typed after <c>NAME=</c>: <c>normal(mean,sd)</c>, <c>laplace(loc,scale)</c>, <c>halfnormal(scale)</c>,
/// <c>gamma(shape,rate)</c> or <c>flat</c>, into the library's prior records.
/// </summary>
internal static class PriorText
{
    /// <summary>The names accepted, in the order help lists them.</summary>
    public static readonly IReadOnlyList<string> Usage = ["normal(mean,sd)", "laplace(loc,scale)", "halfnormal(scale)", "gamma(shape,rate)", "flat"];

    /// <summary>The prior; errors start with <c>FLAG PARAMETER=TEXT</c>.</summary>
    public static Prior Parse(string flag, string parameter, string text)
    {
        var what = $"{flag} {parameter}={text}";
        var (name, args) = Split(what, text.Trim());
        double Positive(int index, string argument) =>
            args[index] > 0 ? args[index] : throw new InputException($"{what}: {argument} must be positive");
        void Expect(int count, string usage)
        {
            if (args.Length != count)
                throw new InputException($"{what}: expected {usage}");
        }
        switch (name)
        {
            case "normal":
                Expect(2, Usage[0]);
                return new NormalPrior(args[0], Positive(1, "sd"));
            case "laplace":
                Expect(2, Usage[1]);
                return new LaplacePrior(args[0], Positive(1, "scale"));
            case "halfnormal":
                Expect(1, Usage[2]);
                return new HalfNormalPrior(Positive(0, "scale"));
            case "gamma":
                Expect(2, Usage[3]);
                return new GammaPrior(Positive(0, "shape"), Positive(1, "rate"));
            case "flat":
                Expect(0, "flat (no arguments)");
                return new FlatPrior();
            default:
                throw new InputException($"{what}: unknown prior '{name}' (available: normal, laplace, halfnormal, gamma, flat)");
        }
    }

    // "name(a,b)" -> ("name", [a, b]); "name" and "name()" -> ("name", []).
    private static (string Name, double[] Args) Split(string what, string text)
    {
        int open = text.IndexOf('(');
        var name = (open < 0 ? text : text[..open]).Trim().ToLowerInvariant();
        if (open < 0)
            return (name, []);
        if (!text.EndsWith(')'))
        {
            // "normal(0,1)extra": the ')' is there, with text after it (a trial was told it was missing).
            int close = text.IndexOf(')', open);
            throw new InputException(close < 0 ? $"{what}: missing ')'" : $"{what}: unexpected '{text[(close + 1)..].Trim()}' after ')'");
        }
        var inner = text[(open + 1)..^1];
        if (inner.Trim().Length == 0)
            return (name, []);
        var args = inner.Split(',', StringSplitOptions.TrimEntries)
            .Select(a => NumberText.Finite(what, a))
            .ToArray();
        return (name, args);
    }
}
