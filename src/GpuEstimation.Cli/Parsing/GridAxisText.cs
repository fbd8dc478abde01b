using GpuEstimation.Surfaces;

namespace GpuEstimation.Cli.Parsing;

/// <summary>Parses <c>NAME=LOW:HIGH:COUNT</c> into the library's <see cref="GridAxis"/>.</summary>
internal static class GridAxisText
{
    /// <summary>The axis; errors start with <c>FLAG TEXT</c>.</summary>
    public static GridAxis Parse(string flag, string text)
    {
        var what = $"{flag} {text}";
        int eq = text.IndexOf('=');
        var parts = eq > 0 ? text[(eq + 1)..].Split(':') : [];
        if (eq <= 0 || parts.Length != 3)
            throw new InputException($"{what}: expected NAME=LOW:HIGH:COUNT, e.g. mu=2:4:128");
        double low = NumberText.Finite(what, parts[0].Trim());
        double high = NumberText.Finite(what, parts[1].Trim());
        int count = NumberText.Count(what + ": the count", parts[2].Trim(), 1);
        if (count > 1 && !(high > low))
            throw new InputException($"{what}: HIGH must be above LOW");
        if (count == 1 && high != low)
            throw new InputException($"{what}: a one-point axis sweeps LOW alone; give LOW = HIGH (e.g. mu=2:2:1), or a count above 1");
        return new GridAxis(text[..eq].Trim(), low, high, count);
    }
}
