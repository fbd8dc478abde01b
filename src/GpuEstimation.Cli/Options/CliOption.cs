using System.CommandLine;
using System.CommandLine.Parsing;
using GpuEstimation.Cli.Parsing;

namespace GpuEstimation.Cli.Options;

/// <summary>
/// Options whose text is parsed by the CLI's own parsers: a parser's <see cref="InputException"/> becomes a parse error
/// (so it is reported before anything is computed, with the option's name in the message).
/// </summary>
internal static class CliOption
{
    /// <summary>An option given at most once, its value parsed by <paramref name="parse"/>(flag, text).</summary>
    public static Option<T> Single<T>(string name, string helpName, string description, Func<string, string, T> parse, Func<T>? fallback = null)
    {
        var option = new Option<T>(name) { HelpName = helpName, Description = description };
        option.CustomParser = result => Guard(result, () => result.Tokens.Count == 0 ? default! : parse(name, result.Tokens[^1].Value));
        if (fallback is not null)
            option.DefaultValueFactory = _ => fallback();
        return option;
    }

    /// <summary>A repeatable option (<c>--fix a=1 --fix b=2</c>); every use's text goes to <paramref name="parse"/>(flag, texts).</summary>
    public static Option<T> Repeatable<T>(string name, string helpName, string description, Func<string, IReadOnlyList<string>, T> parse)
    {
        var option = new Option<T>(name)
        {
            HelpName = helpName,
            Description = description,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        option.CustomParser = result => Guard(result, () => parse(name, result.Tokens.Select(t => t.Value).ToArray()));
        option.DefaultValueFactory = _ => parse(name, []);
        return option;
    }

    /// <summary>
    /// A list of names (NAME,...), repeatable: <c>--x a --x b,c</c> is <c>--x a,b,c</c> (a trial's <c>--x x1 --x x2</c>
    /// fitted x2 alone, without a word); a name given twice is an error; null where the option is not given.
    /// </summary>
    public static Option<string[]?> Names(string name, string helpName, string description) =>
        Repeatable<string[]?>(name, helpName, description, (flag, texts) => texts.Count == 0 ? null
            : NameValueList.Names(flag, string.Join(',', texts.SelectMany(text => NameValueList.Names(flag, text)))));

    /// <summary>A plain text value (a path or a column name); a path (<paramref name="helpName"/> FILE or DIR) must not be blank.</summary>
    public static Option<string?> Text(string name, string helpName, string description, bool required = false)
    {
        var option = new Option<string?>(name) { HelpName = helpName, Description = description, Required = required };
        if (helpName is "FILE" or "DIR")
            option.CustomParser = result => Guard(result, () => result.Tokens.Count == 0 ? null : PathText(name, result.Tokens[^1].Value));
        return option;
    }

    /// <summary>
    /// A file or directory name as given, refused where it is empty or only spaces (as an unset shell variable leaves
    /// it): the file system's own error for it would be an internal error, or a file named by a space.
    /// </summary>
    public static string PathText(string name, string text) =>
        string.IsNullOrWhiteSpace(text) ? throw new InputException($"{name} '{text}': the path is empty") : text;

    /// <summary>A switch that takes no value.</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    private static T Guard<T>(ArgumentResult result, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (InputException e)
        {
            result.AddError(e.Message);
            return default!;
        }
    }
}
