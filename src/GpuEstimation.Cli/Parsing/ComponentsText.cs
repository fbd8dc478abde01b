using System.Globalization;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Cli.Parsing;

/// <summary>
/// A mixture's components as <c>--components</c> gives them, for every kind of mixture: a number K or a range A:B of
/// numbers (each K fitted, the lowest BIC chosen among the fits without a spurious component), optionally of one family (<c>3xnormal</c>, <c>1:8xpoisson</c>), or
/// a list of families (<c>normal,normal,gamma</c>, with <c>2xnormal,gamma</c> repeating one).
/// </summary>
/// <param name="From">The fewest components.</param>
/// <param name="To">The most components (= From for a single K).</param>
/// <param name="Families">The list of families, in order (null where only a count or range was given).</param>
/// <param name="Family">The one family of a count or range (<c>KxFAMILY</c>, <c>A:BxFAMILY</c>), or null.</param>
internal sealed record ComponentsText(int From, int To, IReadOnlyList<string>? Families, string? Family)
{
    /// <summary>The syntax, for help.</summary>
    public const string Usage = "K|A:B|KxFAMILY|A:BxFAMILY|FAMILY,...";

    /// <summary>Whether a range of counts was given (a component-count table is fitted).</summary>
    public bool IsRange => To > From;

    /// <summary>The families for <paramref name="k"/> components: the list, or the one family repeated (<paramref name="fallback"/> where none was named).</summary>
    public IReadOnlyList<string> FamiliesFor(int k, string? fallback) =>
        Families ?? Enumerable.Repeat(Family ?? fallback ?? throw new InvalidOperationException("no family"), k).ToArray();

    /// <summary>Parses <paramref name="text"/> given to <paramref name="flag"/>; an <see cref="InputException"/> naming the flag otherwise.</summary>
    public static ComponentsText Parse(string flag, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
            throw new InputException($"{flag}: empty; give {Usage}");
        var items = trimmed.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length == 1 && TryCount(trimmed, out int from, out int to, out var family))
            return new ComponentsText(from, to, null, family);
        var families = new List<string>();
        foreach (var item in items)
        {
            if (item.Length == 0)
                throw new InputException($"{flag} {text}: an empty item in the list");
            int x = item.IndexOf('x', StringComparison.Ordinal);
            if (x > 0 && int.TryParse(item[..x], NumberStyles.None, CultureInfo.InvariantCulture, out int repeat))
            {
                if (repeat < 1)
                    throw new InputException($"{flag} {text}: '{item}' repeats a family {repeat} times; at least once");
                families.AddRange(Enumerable.Repeat(item[(x + 1)..], repeat));
            }
            else if (item.Contains(':', StringComparison.Ordinal) || char.IsDigit(item[0]))
            {
                throw new InputException(items.Length > 1
                    ? $"{flag} {text}: '{item}' in a list; a count or range (K, A:B, KxFAMILY, A:BxFAMILY) stands alone"
                    : $"{flag} {text}: not a whole number of components, a range A:B, or families (K, A:B, KxFAMILY, A:BxFAMILY, FAMILY,FAMILY,...)");
            }
            else
            {
                families.Add(item);
            }
        }
        Check(flag, text, families.Count, families.Count);
        return new ComponentsText(families.Count, families.Count, families, null);
    }

    private static bool TryCount(string text, out int from, out int to, out string? family)
    {
        from = to = 0;
        family = null;
        int x = text.IndexOf('x', StringComparison.Ordinal);
        var counts = x > 0 ? text[..x] : text;
        if (x > 0)
            family = text[(x + 1)..];
        var parts = counts.Split(':');
        if (parts.Length > 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            family = null;
            return false;
        }
        from = int.Parse(parts[0], CultureInfo.InvariantCulture);
        to = int.Parse(parts[^1], CultureInfo.InvariantCulture);
        Check("--components", text, from, to);
        if (family is { Length: 0 })
            throw new InputException($"--components {text}: no family after 'x'");
        return true;
    }

    private static void Check(string flag, string text, int from, int to)
    {
        if (from < 1 || to > MixtureModel.MaxComponents || to < from)
            throw new InputException($"{flag} {text}: 1 to {MixtureModel.MaxComponents} components, as K or A:B with A ≤ B");
    }
}
