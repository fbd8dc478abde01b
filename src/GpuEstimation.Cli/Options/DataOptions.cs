using System.CommandLine;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Data;
using GpuEstimation.Models;

namespace GpuEstimation.Cli.Options;

/// <summary>
/// The model and the data it reads: <c>--model</c>, <c>--data</c>, and the column options (<c>--column</c>, or
/// <c>--y</c>/<c>--x</c> for <c>linear</c>; <c>--trials</c>/<c>--trials-column</c> for <c>binomial</c>).
/// </summary>
internal sealed class DataOptions
{
    private const string Linear = "linear";
    private const string Binomial = "binomial";

    public Option<string> Model { get; } = new("--model")
    {
        HelpName = "FAMILY",
        Description = $"one of {string.Join(", ", ModelCatalog.Names)} (gpuest models lists their parameters)",
        Required = true,
        CustomParser = result => KnownModel(result.Tokens[^1].Value, result.AddError),
    };

    public Option<string?> Data { get; } = CliOption.Text("--data", "FILE",
        "a CSV file with a header row, or a NumPy .npy array (columns named 0, 1, ...)", required: true);

    public Option<string?> Column { get; } = CliOption.Text("--column", "NAME", "the column a one-column family reads");

    public Option<string?> Y { get; } = CliOption.Text("--y", "NAME", "(linear) the response column");

    public Option<string[]?> X { get; } = CliOption.Single<string[]?>("--x", "NAME,...",
        "(linear) the feature columns; one coefficient each, named after it", (_, text) => NameValueList.Names(text));

    public Option<double?> Trials { get; } = CliOption.Single<double?>("--trials", "N",
        "(binomial) the number of trials, the same for every row", (flag, text) => NumberText.Count(flag, text, 1));

    public Option<string?> TrialsColumn { get; } = CliOption.Text("--trials-column", "NAME", "(binomial) the column holding each row's number of trials");

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, Data, Column, Y, X, Trials, TrialsColumn })
            command.Add(option);
    }

    /// <summary>The data path given with <c>--data</c>.</summary>
    public string DataPath(ParseResult parse) => parse.GetValue(Data)!;

    /// <summary>
    /// Checks that the column options fit the model (before any file is read), then reads the columns the model needs
    /// and builds it.
    /// </summary>
    public IModelSpec Load(ParseResult parse)
    {
        var name = parse.GetValue(Model)!;
        // An absent array option reads as an empty array.
        var x = parse.GetValue(X) is { Length: > 0 } names ? names : null;
        var columns = new ModelColumns(parse.GetValue(Column), parse.GetValue(Y), x, parse.GetValue(Trials), parse.GetValue(TrialsColumn));
        Check(name, columns);
        var wanted = new[] { columns.Column, columns.Y }.Concat(columns.X ?? []).Append(columns.TrialsColumn)
            .OfType<string>().Distinct().ToList();
        var data = DataFile.Read(DataPath(parse), wanted);
        return ModelCatalog.Create(name, data, columns);
    }

    /// <summary>The column options' combinations, each error naming the options.</summary>
    public static void Check(string model, ModelColumns columns)
    {
        CheckTrials(model, columns);
        if (model == Linear)
        {
            if (columns.Column is not null)
                throw new InputException("--model linear reads --y NAME and --x NAME[,NAME...], not --column");
            if (columns.Y is null || columns.X is not { Count: > 0 })
                throw new InputException($"--model linear needs {(columns.Y is null ? "--y NAME" : "--x NAME[,NAME...]")}");
            if (columns.X.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new InputException($"--x {twice.Key}: given twice; each feature column once");
            if (columns.X.Contains(columns.Y))
                throw new InputException($"--x {columns.Y}: the response (--y) cannot also be a feature");
        }
        else
        {
            if (columns.Y is not null || columns.X is not null)
                throw new InputException($"--model {model} reads one column: give --column NAME, not --y/--x");
            if (columns.Column is null)
                throw new InputException($"--model {model} needs --column NAME");
        }
    }

    private static void CheckTrials(string model, ModelColumns columns)
    {
        bool any = columns.Trials is not null || columns.TrialsColumn is not null;
        if (model != Binomial && any)
            throw new InputException($"--trials and --trials-column apply to --model binomial, not {model}");
        if (model == Binomial && !any)
            throw new InputException("--model binomial needs the number of trials: --trials N or --trials-column NAME");
        if (columns.Trials is not null && columns.TrialsColumn is not null)
            throw new InputException("--trials and --trials-column: give one, not both");
    }

    private static string KnownModel(string name, Action<string> error)
    {
        if (!ModelCatalog.Names.Contains(name))
        {
            var near = ModelCatalog.Names.Where(known => Distance(name.ToLowerInvariant(), known) <= 2).ToList();
            error($"--model: unknown model '{name}'" + (near.Count > 0 ? $" (did you mean {string.Join(" or ", near)}?)" : "") +
                $" (available: {string.Join(", ", ModelCatalog.Names)})");
        }
        return name;
    }

    /// <summary>Edit distance (insertions, deletions, substitutions, adjacent swaps) for "did you mean".</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
