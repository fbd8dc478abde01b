using System.CommandLine;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Data;
using GpuEstimation.Expressions;
using GpuEstimation.Kernels;
using GpuEstimation.Models;

namespace GpuEstimation.Cli.Options;

/// <summary>
/// A model written as an expression: <c>--logpdf 'EXPR'</c>, the log-density of one row over the data file's columns
/// (by header name, or c0, c1, ... for a .npy array), with its parameters declared by <c>--param NAME[:DOMAIN]</c>.
/// Starting values come from <c>--start</c> (fit, sweep) or the point of <c>--at</c> (eval).
/// </summary>
internal sealed class ExpressionModelOptions
{
    private const string Flag = "--logpdf";

    public Option<string?> LogPdf { get; } = CliOption.Text(Flag, "'EXPR'",
        "a model of your own: the log-density of one row, over the data's columns (CSV header names; c0, c1, ... for .npy) and the --param parameters, " +
        "e.g. 'normal_lpdf(x, mu, sigma)' or '-log(b) - (x-m)/b - exp(-(x-m)/b)' (README: expression models); instead of --model");

    public Option<IReadOnlyList<ParameterInfo>> Param { get; } = CliOption.Repeatable<IReadOnlyList<ParameterInfo>>("--param", "NAME[:real|:positive|:probability],...",
        "(--logpdf) the parameters to estimate, in order, each with its domain (default real); repeatable",
        (flag, values) => values.SelectMany(value => NameValueList.Names(flag, value)).Select(text => Parameter(flag, text)).ToArray());

    public Option<string?> Mean { get; } = CliOption.Text("--mean", "'EXPR'",
        "(nonlinear) the mean of y as an expression over the data's columns; every other name is a parameter, each needing --start " +
        "(e.g. 'b1*(1-exp(-b2*x))'): y ~ Normal(mean, sigma), fitted by Levenberg-Marquardt");

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(LogPdf);
        command.Add(Param);
        command.Add(Mean);
    }

    /// <summary>
    /// <c>--model nonlinear --y Y --mean 'EXPR' --start ...</c>: reads y and the columns the mean names, compiles the
    /// mean and builds the model. <paramref name="otherOptions"/> (the other models' column options) are refused.
    /// </summary>
    public IModelSpec LoadNonlinear(ParseResult parse, string path, MissingValues missingValues, Option<string?> y, IEnumerable<Option> otherOptions, string? groupColumn, out Dataset data, out FittedMean fitted)
    {
        var text = parse.GetValue(Mean) ?? throw new InputException($"--model {NonlinearRegression.Name} needs --mean 'EXPR', the mean of y (e.g. 'b1*(1-exp(-b2*x))')");
        var response = parse.GetValue(y) ?? throw new InputException($"--model {NonlinearRegression.Name} needs --y, the response column");
        if (otherOptions.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } other)
            throw new InputException($"{other.Name} does not apply to --model {NonlinearRegression.Name}, whose --mean names its columns itself");
        var byExpressionName = CompiledExpression.ColumnsByName(DataFile.ColumnNames(path));
        var mean = Flagged("--mean", () => MeanExpression.Compile(text, byExpressionName.Keys));
        // The mean's parameters only: sigma, or a misspelt name, is the fit's or eval's to check against the model.
        var start = (Start(parse) ?? new Dictionary<string, double>()).Where(kv => mean.ParameterNames.Contains(kv.Key)).ToDictionary();
        var missing = mean.ParameterNames.Where(n => !start.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw new InputException($"--start: no starting value for {string.Join(", ", missing)}: nonlinear least squares needs one for every parameter of the mean (or its value, held with --fix) " +
                $"(parameters: {string.Join(", ", mean.ParameterNames)}; columns of {Path.GetFileName(path)}: {string.Join(", ", byExpressionName.Where(c => c.Key == CompiledExpression.ExpressionName(c.Value)).Select(c => c.Key))})");
        var wanted = new[] { response }.Concat(mean.Columns.Select(c => byExpressionName[c])).Distinct().ToList();
        var factors = groupColumn is null || wanted.Contains(groupColumn) ? [] : new[] { groupColumn };
        data = DataFile.Read(path, wanted, factors, missingValues);
        var read = data;
        fitted = FittedMean.Of(mean, response, byExpressionName);
        return Flagged("--mean", () => NonlinearRegression.FromExpression(text, read, response, start));
    }

    /// <summary>
    /// Whether the model is an expression; then no <c>--model</c> and none of <paramref name="columnOptions"/> may be
    /// given. Without either, <c>--model</c> is missing.
    /// </summary>
    public bool Given(ParseResult parse, Option<string> model, IEnumerable<Option> columnOptions)
    {
        bool expression = parse.GetValue(LogPdf) is not null;
        bool family = parse.GetResult(model) is { Implicit: false };
        if (!expression)
        {
            if (!family)
                throw new InputException("--model FAMILY or --logpdf 'EXPR' is required");
            if (parse.GetValue(Param) is { Count: > 0 })
                throw new InputException("--param declares the parameters of a --logpdf expression; a --model family has its own");
            return false;
        }
        if (family)
            throw new InputException("--model and --logpdf: give one model, a catalogue family or an expression");
        if (columnOptions.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } other)
            throw new InputException($"{other.Name} applies to --model; a --logpdf expression names its columns itself");
        return true;
    }

    /// <summary>Reads the columns the expression names (and <paramref name="groupColumn"/>) and compiles the model.</summary>
    public IModelSpec Load(ParseResult parse, string path, MissingValues missingValues, string? groupColumn, out Dataset data)
    {
        var text = parse.GetValue(LogPdf)!;
        var parameters = parse.GetValue(Param) ?? [];
        if (parameters.Count == 0)
            throw new InputException("--logpdf needs its parameters: --param NAME[:real|:positive|:probability],...");
        var byExpressionName = CompiledExpression.ColumnsByName(DataFile.ColumnNames(path));
        var expression = Flagged(Flag, () => LogDensityExpression.Compile(text, parameters, byExpressionName.Keys));
        var wanted = expression.Columns.Select(c => byExpressionName[c]).ToList();
        var factors = groupColumn is null || wanted.Contains(groupColumn) ? [] : new[] { groupColumn };
        data = DataFile.Read(path, wanted, factors, missingValues);
        var read = data;
        return Flagged(Flag, () => ExpressionModel.Create(expression, read, Start(parse, expression.ParameterNames)));
    }

    // The values the model starts from: --start, eval's and sweep's --at, and --fix (a held value is where that
    // parameter stays), the later winning; null where the command has none of them. With the model's
    // <paramref name="parameters"/>, a name that is not one is refused under its own option ("--fix: 'z' ...", not a
    // start value the user never gave).
    private static IReadOnlyDictionary<string, double>? Start(ParseResult parse, IReadOnlyList<string>? parameters = null)
    {
        Dictionary<string, double>? start = null;
        foreach (var name in new[] { "--start", "--at", "--fix" })
        {
            if (parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == name) is Option<IReadOnlyDictionary<string, double>> option
                && parse.GetValue(option) is { } values)
            {
                start ??= new Dictionary<string, double>(StringComparer.Ordinal);
                if (parameters is not null && values.Keys.FirstOrDefault(key => !parameters.Contains(key)) is { } unknown)
                    throw new InputException($"{name}: '{unknown}' is not a parameter of the model (parameters: {string.Join(", ", parameters)})", unknown);
                foreach (var (key, value) in values)
                    start[key] = value;
            }
        }
        return start;
    }

    // The library says "expression: ..."; here it is the option's (--logpdf, --mean).
    private static T Flagged<T>(string flag, Func<T> make)
    {
        try
        {
            return make();
        }
        catch (InputException e) when (e.Message.StartsWith("expression: ", StringComparison.Ordinal))
        {
            throw new InputException($"{flag}: {e.Message["expression: ".Length..]}", e.ParamName) { Display = e.Display };
        }
    }

    private static ParameterInfo Parameter(string flag, string text)
    {
        int colon = text.IndexOf(':');
        var name = (colon < 0 ? text : text[..colon]).Trim();
        var domain = colon < 0 ? "real" : text[(colon + 1)..].Trim().ToLowerInvariant();
        if (name.Length == 0)
            throw new InputException($"{flag} {text}: a name is missing before ':'");
        return new ParameterInfo(name, domain switch
        {
            "real" => ParameterDomain.Real,
            "positive" => ParameterDomain.Positive,
            "probability" => ParameterDomain.UnitInterval,
            _ => throw new InputException($"{flag} {text}: unknown domain '{domain}' (real, positive or probability)"),
        });
    }
}
