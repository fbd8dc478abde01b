using System.CommandLine;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Data;
using GpuEstimation.Design;
using GpuEstimation.Expressions;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Mixtures;
using GpuEstimation.Models;

namespace GpuEstimation.Cli.Options;

/// <summary>
/// The model and the data it reads: <c>--model</c>, <c>--data</c>, and the column options (<c>--column</c>, or
/// <c>--y</c>/<c>--x</c>/<c>--factor</c>/<c>--no-intercept</c> or <c>--formula</c> for the regressions;
/// <c>--trials</c>/<c>--trials-column</c> for binomial counts; <c>--family</c>, <c>--link</c>, <c>--offset</c>,
/// <c>--weights</c> for the generalized linear models).
/// </summary>
/// <param name="command">The command whose options these are: fit takes the mixtures; eval and sweep, which evaluate one
/// model at given values, do not (and their --model help does not list them).</param>
internal sealed class DataOptions(string command)
{
    private const string Linear = "linear";
    private const string Binomial = "binomial";
    private const string GlmModels = "--model glm, logit and probit";

    public Option<string> Model { get; } = new("--model")
    {
        HelpName = "FAMILY",
        Description = command == "fit"
            ? $"one of {string.Join(", ", ModelCatalog.Names.Append(MixtureSpec.ModelName))} (gpuest models lists their parameters), gaussian-mixture (with --x and --components), or nonlinear (with --y and --mean); or a log-density of your own with --logpdf"
            : $"one of {string.Join(", ", ModelCatalog.Names)} (gpuest models lists their parameters), or nonlinear (with --y and --mean); or a log-density of your own with --logpdf",
        CustomParser = result => KnownModel(result.Tokens[^1].Value, result.AddError, command),
    };

    public Option<string?> Data { get; } = CliOption.Text("--data", "FILE",
        "a CSV file with a header row, a Parquet file, an Arrow IPC file (Feather v2) or stream, or a NumPy .npy array (columns named 0, 1, ...)", required: true);

    public Option<bool> DropMissing { get; } = SharedOptions.DropMissing();

    // The mixtures are fitted only (eval and sweep refuse them): their uses of --column and --x are said by fit alone (a
    // newcomer read them in eval's and sweep's help).
    public Option<string?> Column { get; } = CliOption.Text("--column", "NAME", command == "fit"
        ? "the column a one-column family or a mixture reads [default: the data's only column, where they have one]"
        : "the column a one-column family reads [default: the data's only column, where it has one]");

    public Option<string?> Y { get; } = CliOption.Text("--y", "NAME", "(linear, glm, logit, probit, nonlinear) the response column");

    public Option<string[]?> X { get; } = CliOption.Names("--x", "NAME,...", command == "fit"
        ? "(linear, glm, logit, probit) the feature columns; one coefficient each, named after it; (gaussian-mixture) the coordinates of the points; repeatable"
        : "(linear, glm, logit, probit) the feature columns; one coefficient each, named after it; repeatable");

    public Option<string[]?> Factor { get; } = CliOption.Names("--factor", "NAME,...",
        "(linear, glm, logit, probit) categorical columns (text or numeric codes), after the --x columns: treatment-coded against the first level in sorted order, one coefficient per other level, named NAME[level]; repeatable");

    public Option<DesignSpec?> Formula { get; } = CliOption.Single<DesignSpec?>("--formula", "'Y ~ TERMS'",
        "(linear, glm, logit, probit) the response and design as R and statsmodels write them, instead of --y/--x/--factor: x1 + C(g) + x1:x2, a*b, C(g, Treatment('b')) (reference level b), - 1 (no intercept: glm, logit, probit), offset(COL) or offset(log(COL))",
        (flag, text) => ParseFormula(flag, text));

    public Option<bool> NoIntercept { get; } = CliOption.Flag("--no-intercept", "(glm, logit, probit) fit without the intercept parameter (linear always has one)");

    public Option<double?> Trials { get; } = CliOption.Single<double?>("--trials", "N",
        "(binomial; glm binomial, logit, probit) the number of trials, the same for every row", (flag, text) => NumberText.WholeNumber(flag, text, 1));

    public Option<string?> TrialsColumn { get; } = CliOption.Text("--trials-column", "NAME",
        "(binomial; glm binomial, logit, probit) the column holding each row's number of trials (y then counts successes)");

    public Option<string?> Family { get; } = CliOption.Text("--family", "FAMILY",
        $"(glm) the response distribution: {string.Join(", ", GlmNames.Families)}");

    public Option<string?> Link { get; } = CliOption.Text("--link", "LINK",
        $"(glm) the link g(mean) = linear predictor: {string.Join(", ", GlmNames.Links)}; by default R's: binomial logit, poisson and negbinomial log, gamma inverse, normal identity");

    public Option<string?> Offset { get; } = CliOption.Text("--offset", "NAME", "(glm, logit, probit) a column added to the linear predictor, coefficient 1 (e.g. log exposure)");

    public Option<string?> Weights { get; } = CliOption.Text("--weights", "NAME", "(glm, logit, probit) a column of frequency weights: each row counts that many times");

    /// <summary><c>--logpdf</c> and <c>--param</c>: a model written as an expression (see <see cref="ExpressionModelOptions"/>).</summary>
    public ExpressionModelOptions Expression { get; } = new();


    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, Data, DropMissing, Column, Y, X, Factor, Formula, NoIntercept, Trials, TrialsColumn, Family, Link, Offset, Weights })
            command.Add(option);
        Expression.AddTo(command);
    }

    /// <summary>The data path given with <c>--data</c>.</summary>
    public string DataPath(ParseResult parse) => parse.GetValue(Data)!;

    /// <summary>What a missing value means: an error, or with <c>--drop-missing</c> a row left out.</summary>
    public MissingValues Missing(ParseResult parse) => SharedOptions.Missing(parse, DropMissing);

    /// <summary>
    /// The rows the last <see cref="Load(ParseResult)"/> left out for a missing value, where <c>--drop-missing</c> was
    /// given (null without it, so outputs say nothing).
    /// </summary>
    public int? DroppedRows { get; private set; }

    /// <summary>The names of the data columns the last <see cref="Load(ParseResult)"/> read (empty before it).</summary>
    public IReadOnlyCollection<string> ColumnNames { get; private set; } = [];

    /// <summary>
    /// Checks that the column options fit the model (before any file is read), then reads the columns the model needs
    /// and builds it.
    /// </summary>
    /// <param name="parse">The command line.</param>
    /// <param name="spread">Under MPI, each rank to read only its own rows, in runs of this unit, where the model and format allow it (<see cref="DeviceOptions.SpreadsRows"/>).</param>
    /// <param name="ridged">Design columns whose collinearity the fit resolves (<see cref="FitOptions.Resolves"/>), left to it.</param>
    public IModelSpec Load(ParseResult parse, long? spread = null, Func<string, bool>? ridged = null) => Load(parse, null, out _, out _, spread, ridged).Model;

    /// <summary>
    /// As <see cref="Load(ParseResult)"/>, reading <paramref name="groupColumn"/> too (text or numbers, as a factor's
    /// levels are read): the model and each row's group, numbered by sorted level; and for a regression its design as
    /// fitted (<paramref name="design"/>: formula, columns, factor levels), or for a nonlinear regression its mean
    /// (<paramref name="mean"/>), which the fit's JSON keeps for <c>gpuest predict</c> (null for other models).
    /// </summary>
    /// <remarks>
    /// With <paramref name="spread"/>, under MPI a one-column family's data, and the linear model's on numeric columns
    /// as they are, are read by each rank for its own rows only where the file allows it (<see cref="DataFile.Read"/>);
    /// designs of factors or interactions, GLMs, expression models and a group column (even one the model reads) read
    /// every row.
    /// </remarks>
    public (IModelSpec Model, int[]? Groups) Load(ParseResult parse, string? groupColumn, out FittedDesign? design, out FittedMean? mean, long? spread = null,
        Func<string, bool>? ridged = null)
    {
        var (model, data, fitted, fittedMean) = LoadData(parse, groupColumn, spread, ridged);
        design = fitted;
        mean = fittedMean;
        DroppedRows = parse.GetValue(DropMissing) ? data.DroppedRows : null;
        ColumnNames = [.. data.ColumnNames, .. data.TextColumnNames];
        return (model, groupColumn is null ? null : FactorLevels.Of(data, groupColumn).Codes);
    }

    private (IModelSpec Model, Dataset Data, FittedDesign? Design, FittedMean? Mean) LoadData(ParseResult parse, string? groupColumn, long? spread, Func<string, bool>? ridged)
    {
        if (Expression.Given(parse, Model, [Column, Y, X, Factor, Formula, NoIntercept, Trials, TrialsColumn, Family, Link, Offset, Weights]))
            return (Expression.Load(parse, DataPath(parse), Missing(parse), groupColumn, out var read), read, null, null);
        var name = parse.GetValue(Model)!;
        if (name == NonlinearRegression.Name)
        {
            var nonlinear = Expression.LoadNonlinear(parse, DataPath(parse), Missing(parse), Y, [Column, X, Factor, Formula, NoIntercept, Trials, TrialsColumn, Family, Link, Offset, Weights],
                groupColumn, out var nonlinearData, out var mean);
            return (nonlinear, nonlinearData, null, mean);
        }
        if (parse.GetValue(Expression.Mean) is not null)
            throw new InputException($"--mean is the mean of --model {NonlinearRegression.Name}, not of model '{name}'");
        // An absent array option reads as an empty array.
        var x = parse.GetValue(X) is { Length: > 0 } names ? names : null;
        var columns = new ModelColumns(parse.GetValue(Column), parse.GetValue(Y), x, parse.GetValue(Trials), parse.GetValue(TrialsColumn))
        {
            Family = parse.GetValue(Family),
            Link = parse.GetValue(Link),
            Offset = parse.GetValue(Offset),
            Weights = parse.GetValue(Weights),
            Intercept = !parse.GetValue(NoIntercept),
        };
        var factors = parse.GetValue(Factor) is { Length: > 0 } f ? f : null;
        var formula = parse.GetValue(Formula);
        // A one-column family on data of one column (a 1-D .npy array, a CSV of one column): that column, as scipy's
        // fit takes a 1-D array. The other options are checked first (as if a column were named), then the data's columns read.
        if (!IsRegression(name) && columns is { Column: null, Y: null, X: null })
        {
            Check(name, columns with { Column = "" }, factors, formula);
            columns = columns with { Column = DataFile.OnlyColumn(DataPath(parse)) };
        }
        Check(name, columns, factors, formula);
        // The columns the flags name besides the response and features (the trials, the weights, for instance).
        var others = new[] { columns.TrialsColumn, columns.Offset, columns.Weights }.OfType<string>();
        if (!IsRegression(name))
        {
            var wanted = new[] { columns.Column }.OfType<string>().Concat(others).Distinct().ToList();
            // A group column's levels are the whole column's (FactorLevels.Of below): read whole where there is one.
            var read = DataFile.Read(DataPath(parse), wanted, GroupFactor(groupColumn, wanted, []), Missing(parse), spread: groupColumn is null ? spread : null);
            return (ModelCatalog.Create(name, read, columns), read, null, null);
        }
        // A regression's columns go through its design: factors coded, interactions multiplied, collinearity refused.
        var spec = formula ?? DesignSpec.FromColumns(columns.Y!, columns.X ?? [], factors ?? [], columns.Intercept);
        if (spec.Offset is not null && columns.Offset is not null)
            throw new InputException($"--offset {columns.Offset} and offset({(spec.OffsetLog ? $"log({spec.Offset})" : spec.Offset)}) in --formula: give the offset once");
        var numeric = spec.NumericColumns.Concat(others).Distinct().ToList();
        // The linear model on numeric columns as they are spreads its rows (its start and statistics reduce each rank's
        // own); factors, interactions and a GLM's start read every row.
        bool spreads = name == Linear && groupColumn is null && !others.Any() && spec.Offset is null && spec.Terms.All(t => t.Order == 1 && !t.Variables[0].Factor);
        var data = DataFile.Read(DataPath(parse), numeric, [.. spec.FactorColumns.Concat(GroupFactor(groupColumn, numeric, spec.FactorColumns))], Missing(parse),
            spread: spreads ? spread : null);
        var matrix = DesignMatrix.Build(data, spec, MaxColumns(name), columns.Weights, ridged);
        var model = ModelCatalog.Create(name, matrix.Data, columns with
        {
            Y = matrix.Response,
            X = matrix.Names,
            Intercept = matrix.Intercept,
            Offset = matrix.Offset ?? columns.Offset,
        });
        // An --offset given as a flag is the design's offset too: new rows need it as well.
        return (model, data, FittedDesign.Of(matrix, columns.Offset), null);
    }

    // A group column is read as a factor unless the model reads it already (as numbers or as a factor).
    private static string[] GroupFactor(string? column, IReadOnlyCollection<string> numeric, IReadOnlyCollection<string> factors) =>
        column is null || numeric.Contains(column) || factors.Contains(column) ? [] : [column];

    private static bool IsRegression(string model) => model == Linear || GlmNames.IsGlm(model);

    // The most design columns besides the intercept a regression model takes.
    private static int MaxColumns(string model) => model == Linear ? LinearModel.MaxFeatures : GlmModel.MaxFeatures;

    private static DesignSpec ParseFormula(string flag, string text)
    {
        try
        {
            return Design.Formula.Parse(text);
        }
        catch (InputException e)
        {
            throw new InputException(e.Message.StartsWith("formula ", StringComparison.Ordinal) ? $"{flag} {e.Message["formula ".Length..]}" : $"{flag}: {e.Message}");
        }
    }

    // The design options' combinations: a formula or the column flags, and only for a regression.
    private static void CheckDesign(string model, ModelColumns columns, IReadOnlyList<string>? factors, DesignSpec? formula)
    {
        var given = new[] { (formula is not null, "--formula"), (factors is not null, "--factor"), (!columns.Intercept, "--no-intercept") }
            .Where(o => o.Item1).Select(o => o.Item2).ToList();
        if (!IsRegression(model) && given.Count > 0)
            throw new InputException($"{given[0]} applies to the regressions (--model linear, glm, logit, probit), not {model}");
        if (formula is null)
            return;
        var flags = new[] { (columns.Y is not null, "--y"), (columns.X is not null, "--x"), (factors is not null, "--factor"), (!columns.Intercept, "--no-intercept") }
            .Where(o => o.Item1).Select(o => o.Item2).ToList();
        if (flags.Count > 0)
            throw new InputException($"--formula and {string.Join(", ", flags)}: give the design one way, as a formula or as columns, not both" +
                (flags.Contains("--no-intercept") ? " (in a formula, - 1 leaves the intercept out)" : ""));
    }

    /// <summary>
    /// The column options' combinations, each error naming the options: <paramref name="factors"/> (<c>--factor</c>)
    /// and <paramref name="formula"/> (<c>--formula</c>) are null where not given.
    /// </summary>
    public static void Check(string model, ModelColumns columns, IReadOnlyList<string>? factors = null, DesignSpec? formula = null)
    {
        if (GlmNames.IsGlm(model))
        {
            CheckDesign(model, columns, factors, formula);
            CheckGlm(model, columns, factors, formula);
            return;
        }
        CheckDesign(model, columns, factors, formula);
        CheckNoGlmOptions(model, columns);
        CheckTrials(model, columns);
        if (model == Linear)
        {
            if (columns.Column is not null)
                throw new InputException("--model linear reads --y NAME and --x NAME[,NAME...], not --column");
            if (formula is not null)
                return;
            if (columns.Y is null || (columns.X is not { Count: > 0 } && factors is null))
                throw new InputException($"--model linear needs {(columns.Y is null ? "--y NAME" : "--x NAME[,NAME...] or --factor NAME[,NAME...]")}");
            CheckFeatures(columns.Y, columns.X ?? [], factors ?? []);
        }
        else
        {
            if (columns.Y is not null || columns.X is not null)
            {
                // A family that is also a GLM's: the user most likely wants the regression.
                var family = model == "bernoulli" ? "binomial" : GlmNames.Families.Contains(model) ? model : null;
                throw new InputException($"--model {model} reads one column: give --column NAME, not --y/--x" +
                    (family is null ? "" : $" (a {model} regression on features is --model {(family == "normal" ? "linear, or glm --family normal," : $"glm --family {family}")} --y NAME --x NAME,...)"));
            }
            if (columns.Column is null)
                throw new InputException($"--model {model} needs --column NAME");
        }
    }

    // A regression's --y, --x and --factor columns: each once, and no column in two roles.
    private static void CheckFeatures(string y, IReadOnlyList<string> x, IReadOnlyList<string> factors)
    {
        if (x.GroupBy(name => name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InputException($"--x {twice.Key}: given twice; each feature column once");
        if (x.Contains(y))
            throw new InputException($"--x {y}: the response (--y) cannot also be a feature");
        if (factors.GroupBy(name => name).FirstOrDefault(g => g.Count() > 1) is { } twiceFactor)
            throw new InputException($"--factor {twiceFactor.Key}: given twice; each factor once");
        if (factors.Contains(y))
            throw new InputException($"--factor {y}: the response (--y) cannot also be a factor");
        if (factors.FirstOrDefault(x.Contains) is { } both)
            throw new InputException($"--factor {both}: also given with --x; a column is a number or a factor, not both");
    }

    private static void CheckGlm(string model, ModelColumns columns, IReadOnlyList<string>? factors, DesignSpec? formula)
    {
        if (columns.Column is not null)
            throw new InputException($"--model {model} reads --y NAME and --x NAME[,NAME...], not --column");
        if (formula is null)
        {
            if (columns.Y is null)
                throw new InputException($"--model {model} needs --y NAME (the response), or --formula");
            if (columns.X is null && factors is null && !columns.Intercept)
                throw new InputException($"--model {model} --no-intercept needs --x NAME[,NAME...] or --factor NAME[,NAME...]: without an intercept and features there is nothing to fit");
            CheckFeatures(columns.Y, columns.X ?? [], factors ?? []);
        }
        GlmFamily family;
        if (model == GlmNames.Glm)
        {
            if (columns.Family is null)
                throw new InputException($"--model glm needs --family ({string.Join(", ", GlmNames.Families)})");
            if (!GlmNames.Families.Contains(columns.Family))
                throw new InputException($"--family: unknown family '{columns.Family}' (available: {string.Join(", ", GlmNames.Families)})");
            family = GlmNames.Family(columns.Family);
            if (columns.Link is { } link)
            {
                if (!GlmNames.Links.Contains(link))
                    throw new InputException($"--link: unknown link '{link}' (available: {string.Join(", ", GlmNames.Links)})");
                if (!GlmModel.Supports(family, GlmNames.Link(link)))
                    throw new InputException($"--link {link} does not fit --family {columns.Family} (its links: {string.Join(", ", GlmNames.LinksOf(family))})");
            }
        }
        else
        {
            if (columns.Family is not null || columns.Link is not null)
                throw new InputException($"--model {model} is the binomial family with the {model} link: drop {(columns.Family is not null ? "--family" : "--link")}, or use --model glm --family binomial --link LINK");
            family = GlmFamily.Binomial;
        }
        if (family != GlmFamily.Binomial && (columns.Trials is not null || columns.TrialsColumn is not null))
            throw new InputException($"--trials and --trials-column apply to the binomial family, not --family {columns.Family}");
        if (columns.Trials is not null && columns.TrialsColumn is not null)
            throw new InputException("--trials and --trials-column: give one, not both");
    }

    private static void CheckNoGlmOptions(string model, ModelColumns columns)
    {
        var given = new (string Flag, bool Given)[]
        {
            ("--family", columns.Family is not null), ("--link", columns.Link is not null), ("--offset", columns.Offset is not null),
            ("--weights", columns.Weights is not null), ("--no-intercept", !columns.Intercept),
        }.Where(g => g.Given).Select(g => g.Flag).ToList();
        if (model == Linear && given.SequenceEqual(["--no-intercept"]))
            throw new InputException("--no-intercept: --model linear always estimates an intercept; a linear model without one is --model glm --family normal --no-intercept (or --model linear with --fix intercept=0)");
        if (model == Linear && given.SequenceEqual(["--weights"]))
            throw new InputException("--weights: applies to " + GlmModels + ", not --model linear; for frequency weights (a row of weight 2 counts as two rows) fit --model glm --family normal --weights COLUMN; its coefficients are those of R's lm(weights =) and statsmodels' WLS, but not their standard errors, which take the weights as precisions of rows counted once");
        if (given.Count > 0)
            throw new InputException($"{string.Join(", ", given)}: {(given.Count == 1 ? "applies" : "apply")} to {GlmModels}, not --model {model}");
    }

    private static void CheckTrials(string model, ModelColumns columns)
    {
        bool any = columns.Trials is not null || columns.TrialsColumn is not null;
        if (model != Binomial && any)
            throw new InputException($"--trials and --trials-column apply to --model binomial and to binomial glm, logit and probit, not {model}");
        if (model == Binomial && !any)
            throw new InputException("--model binomial needs the number of trials: --trials N or --trials-column NAME");
        if (columns.Trials is not null && columns.TrialsColumn is not null)
            throw new InputException("--trials and --trials-column: give one, not both");
    }

    // The mixtures, which fit alone takes.
    private static bool IsMixture(string model) => model is MixtureSpec.ModelName or Commands.GaussianMixtureFit.ModelName;

    private static string KnownModel(string name, Action<string> error, string command)
    {
        string[] known = [.. ModelCatalog.Names, MixtureSpec.ModelName, Commands.GaussianMixtureFit.ModelName, NonlinearRegression.Name];
        // Fit takes the mixtures before it loads a model; eval and sweep, which evaluate one model at given values, do not.
        if (command != "fit" && IsMixture(name))
            error($"--model {name}: {command} does not take the mixtures, which gpuest fit fits by EM from several starts; " +
                "a mixture's log-likelihood at given values is a --logpdf, e.g. 'logsumexp(log(w) + normal_lpdf(x, m1, s1), log1p(-w) + normal_lpdf(x, m2, s2))'");
        else if (!known.Contains(name))
        {
            if (command != "fit")
                known = [.. known.Where(model => !IsMixture(model))];
            var near = known.Where(model => Distance(name.ToLowerInvariant(), model) <= 2).ToList();
            error($"--model: unknown model '{name}'" + (near.Count > 0 ? $" (did you mean {string.Join(" or ", near)}?)" : "") +
                $" (available: {string.Join(", ", known)}; or a log-density of your own with --logpdf)");
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
