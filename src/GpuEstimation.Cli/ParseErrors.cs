using System.CommandLine;
using System.CommandLine.Invocation;

namespace GpuEstimation.Cli;

/// <summary>
/// A failed parse as one line: the first unknown word (with System.CommandLine's typo corrections as "did you mean"),
/// or else the first error.
/// </summary>
internal static class ParseErrors
{
    /// <summary>The line, without the "gpuest: " prefix.</summary>
    public static string Describe(ParseResult parse)
    {
        // A model the command does not take explains the options it does not know either (sweep --model mixture
        // --components 2xnormal was "unknown option --components", a trial).
        if (parse.Errors.FirstOrDefault(e => e.SymbolResult is System.CommandLine.Parsing.OptionResult { Option.Name: "--model" }) is { } model)
            return model.Message.TrimEnd('.');
        bool atRoot = parse.CommandResult.Command is RootCommand;
        string where = atRoot ? "" : $"{parse.CommandResult.Command.Name}: ";
        string help = atRoot ? " (see gpuest --help)" : $" (see gpuest {parse.CommandResult.Command.Name} --help)";
        // A missing option or value names the command and its help, as an unknown word does ("Option '--data' is
        // required" said neither).
        if (parse.UnmatchedTokens.Count == 0)
            return atRoot ? parse.Errors[0].Message.TrimEnd('.') : where + parse.Errors[0].Message.TrimEnd('.') + help;
        var token = parse.UnmatchedTokens[0];
        string what = token.StartsWith('-') ? "unknown option" : atRoot ? "unknown command" : "unexpected argument";
        var suggestions = token.StartsWith('-') || atRoot ? Suggestions(parse, token) : [];
        return $"{where}{what} {token}" + (suggestions.Count > 0 ? $" (did you mean {string.Join(" or ", suggestions)}?)" : "") + help;
    }

    // System.CommandLine's typo corrections, as its parse-error action prints them: "'TOKEN' was not matched. Did you
    // mean one of the following?" and then one suggestion per line.
    private static IReadOnlyList<string> Suggestions(ParseResult parse, string token)
    {
        if (parse.Action is not ParseErrorAction action)
            return [];
        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        var text = new StringWriter();
        parse.Invoke(new InvocationConfiguration { Output = text, Error = TextWriter.Null });
        var lines = text.ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        int header = Array.FindIndex(lines, l => l.StartsWith($"'{token}'", StringComparison.Ordinal));
        if (header < 0)
            return [];
        return lines.Skip(header + 1).TakeWhile(l => !l.StartsWith('\'')).ToArray();
    }
}
