namespace GpuEstimation.Cli.Parsing;

/// <summary>
/// NAME=VALUE pairs from every use of a repeatable option, each use holding one or more pairs separated by commas
/// outside parentheses (so <c>--prior b=normal(0,1),c=flat</c> is two pairs).
/// </summary>
internal static class NameValueList
{
    /// <summary>The pairs in order; a name given twice or an item without '=' is an error naming <paramref name="flag"/>.</summary>
    public static IReadOnlyList<(string Name, string Value)> Pairs(string flag, IEnumerable<string> values)
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var item in values.SelectMany(SplitOutsideParentheses))
        {
            if (item.Trim().Length == 0)
                throw new InputException($"{flag}: an empty item (a comma at an end, or two together); expected NAME=VALUE pairs separated by commas");
            int eq = item.IndexOf('=');
            if (eq <= 0)
                throw new InputException($"{flag} {item}: expected NAME=VALUE");
            var name = item[..eq].Trim();
            if (pairs.Any(p => p.Name == name))
                throw new InputException($"{flag} {name}: given twice");
            pairs.Add((name, item[(eq + 1)..].Trim()));
        }
        return pairs;
    }

    /// <summary>NAME=NUMBER pairs, by name.</summary>
    public static Dictionary<string, double> Numbers(string flag, IEnumerable<string> values) =>
        Pairs(flag, values).ToDictionary(p => p.Name, p => NumberText.Finite($"{flag} {p.Name}", p.Value), StringComparer.Ordinal);

    /// <summary>A comma-separated list of names; an empty item (two commas together, one at an end, an empty value) or a name given twice is an error naming <paramref name="flag"/>.</summary>
    public static string[] Names(string flag, string text)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0))
            throw new InputException($"{flag} '{text}': an empty name (a comma at an end, two together, or no name at all)");
        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InputException($"{flag} {twice.Key}: given twice");
        return names;
    }

    private static IEnumerable<string> SplitOutsideParentheses(string text)
    {
        int depth = 0, begin = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
                depth++;
            else if (text[i] == ')')
                depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[begin..i];
                begin = i + 1;
            }
        }
        yield return text[begin..];
    }
}
