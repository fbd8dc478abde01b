using System.Globalization;

namespace GpuEstimation.Cli;

/// <summary>
/// The command line after the command word: <c>--name value</c> options (repeatable ones collected in order) and
/// <c>--flag</c> switches. Every option must be consumed by the command; anything left over is an error.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var token = e.Current;
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
                throw new InputException($"unexpected argument '{token}' (options start with --)");
            string name = token[2..];
            string value;
            int eq = name.IndexOf('=');
            if (flags.Contains(name))
            {
                value = "true";
            }
            else if (eq > 0 && !name.Contains('('))
            {
                // --name=value
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (e.MoveNext())
            {
                value = e.Current;
            }
            else
            {
                throw new InputException($"--{name}: missing value");
            }
            if (!_options.TryGetValue(name, out var list))
                _options[name] = list = [];
            list.Add(value);
        }
    }

    public bool Flag(string name) => Single(name) is not null;

    /// <summary>The value of an option given at most once.</summary>
    public string? Single(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var values))
            return null;
        if (values.Count > 1)
            throw new InputException($"--{name}: given {values.Count} times, expected once");
        return values[0];
    }

    /// <summary>Every value of a repeatable option, in order.</summary>
    public IReadOnlyList<string> Values(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var values) ? values : [];
    }

    public string Required(string name, string hint) =>
        Single(name) ?? throw new InputException($"--{name} is required ({hint})");

    public int Int(string name, int fallback, int minimum)
    {
        var text = Single(name);
        if (text is null)
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < minimum)
            throw new InputException($"--{name} {text}: expected a whole number of at least {minimum}");
        return value;
    }

    /// <summary>
    /// NAME=VALUE pairs from every use of a repeatable option, each use holding one or more pairs separated by commas
    /// outside parentheses (so <c>--prior b=normal(0,1),c=flat</c> is two pairs).
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Pairs(string name)
    {
        _used.Add(name);
        var pairs = new List<(string, string)>();
        if (!_options.TryGetValue(name, out var values))
            return pairs;
        foreach (var value in values)
        {
            foreach (var item in SplitOutsideParentheses(value))
            {
                int eq = item.IndexOf('=');
                if (eq <= 0)
                    throw new InputException($"--{name} {item}: expected NAME=VALUE");
                var key = item[..eq].Trim();
                if (pairs.Any(p => p.Item1 == key))
                    throw new InputException($"--{name} {key}: given twice");
                pairs.Add((key, item[(eq + 1)..].Trim()));
            }
        }
        return pairs;
    }

    public Dictionary<string, double> Numbers(string name) =>
        Pairs(name).ToDictionary(p => p.Name, p => ParseNumber($"--{name} {p.Name}", p.Value), StringComparer.Ordinal);

    public static double ParseNumber(string what, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new InputException($"{what}: '{text}' is not a finite number");

    /// <summary>Fails on any option the command did not ask for.</summary>
    public void RejectUnknown(string command)
    {
        var unknown = _options.Keys.FirstOrDefault(k => !_used.Contains(k));
        if (unknown is not null)
            throw new InputException($"{command}: unknown option --{unknown} (see 'gpuest help')");
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
                if (i > begin)
                    yield return text[begin..i];
                begin = i + 1;
            }
        }
        if (text.Length > begin)
            yield return text[begin..];
    }
}
