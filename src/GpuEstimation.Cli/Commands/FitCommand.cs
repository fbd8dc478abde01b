using System.CommandLine;
using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Cli.Options;
using GpuEstimation.Cli.Output;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Design;
using GpuEstimation.Expressions;
using GpuEstimation.Estimation;
using GpuEstimation.Mixtures;
using GpuEstimation.Models;
using GpuEstimation.Results;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest fit</c>: the MLE or MAP of a model over a data file, with standard errors and intervals.</summary>
internal sealed class FitCommand : Command
{
    private readonly DataOptions _data = new("fit");
    private readonly EstimationOptions _estimation = new();
    private readonly DeviceOptions _device = new();
    private readonly MixtureCliOptions _mixture = new();

    private readonly Option<double> _level = CliOption.Single("--level", "L", "confidence level of the Wald and profile intervals",
        NumberText.Fraction, () => new FitOptions().Level);

    private readonly Option<string[]?> _profile = CliOption.Names("--profile", "NAME,...|all",
        "profile-likelihood intervals for these parameters (all: every estimated one); repeatable");

    private readonly Option<(string Name, string? Column)> _cov = CliOption.Single("--cov", CovarianceText.Usage,
        "the covariance of the standard errors and Wald intervals (MLE): the inverse information (nonrobust), the sandwich (robust, hc0), the sandwich times n/(n - k) (hc1; statsmodels 0.13 applies that factor to OLS only), the sandwich with each row over 1 - h or (1 - h)^2, h its leverage (hc2, hc3: the linear model only, as statsmodels' OLS and R's vcovHC), or cluster-robust by a column's values with statsmodels' default correction (cluster:COL), as statsmodels' cov_type; profile intervals are likelihood-based and unchanged [default: nonrobust]",
        CovarianceText.Parse);

    private readonly Option<string> _se = SharedOptions.StandardErrors(
        "(linear, nonlinear) the table's standard errors: the MLE's (observed information, sigma by maximum likelihood: sigma^2 = RSS/n), or NIST's, R lm's and nls's and statsmodels OLS's (residual variance RSS/(n - p), from X'X or J'J), with t on n - p degrees of freedom; the JSON has both (stdErrorNist, tNist, pValueNist, intervalNist beside the MLE's) where the covariance is model-based, not with a robust --cov; (gaussian-mixture) none: the estimates alone, without the observed information's pass over the rows (O(n p^2) on the host, p the weights and means: seconds at 10^6 x 32 -> 16, where EM takes a fraction of that on a GPU)",
        none: true);

    private readonly Option<int?> _repeat = SharedOptions.Repeat("fits", "fitMs");
    private readonly Option<string?> _json = SharedOptions.Json("the fit");

    public FitCommand() : base("fit", "Fit a model to a data file by maximum likelihood, or MAP with --map.")
    {
        _data.AddTo(this);
        _estimation.AddTo(this);
        Add(_level);
        Add(_profile);
        Add(_cov);
        Add(_se);
        _device.AddTo(this);
        _mixture.AddTo(this);
        Add(_repeat);
        Add(_json);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var json = parse.GetValue(_json);
        if (parse.GetValue(_data.Model) == GaussianMixtureFit.ModelName)
        {
            RefuseForMixtures(parse, gaussian: true);
            RefuseForGaussianMixtures(parse);
            int? steps = parse.GetResult(_estimation.MaxIterations) is { Implicit: false } ? parse.GetValue(_estimation.MaxIterations) : null;
            return GaussianMixtureFit.Run(parse, _data, _mixture, _device, steps, parse.GetValue(_se) != "none", parse.GetValue(_repeat), json);
        }
        if (json is not null)
            OutputFile.Check("--json", json, _data.DataPath(parse));
        if (parse.GetValue(_data.Model) == MixtureSpec.ModelName)
            return RunMixture(parse, json);
        if (_mixture.Given(parse).FirstOrDefault(g => g.Given) is { Name: { } mixtureOnly })
            throw new InputException($"{mixtureOnly}: applies to mixtures (--model mixture), not to model '{parse.GetValue(_data.Model)}'");
        // Absent, the option reads as (null, null): the model-based covariance.
        var cov = parse.GetValue(_cov) is { Name: not null } given ? given : ("nonrobust", null);
        var options = _estimation.Read(parse) with { Level = parse.GetValue(_level) };
        ParameterChecks.Optimizer(parse.GetValue(_data.Model), options.Optimizer.Kind);
        if (options.Map && cov.Name != "nonrobust")
            throw new InputException($"--cov {cov.Column switch { null => cov.Name.ToLowerInvariant(), var c => $"cluster:{c}" }} with --map: robust standard errors apply to the MLE; a MAP fit reports posterior standard deviations (Laplace approximation), which have no sandwich form");
        // HC2 and HC3 weigh each row by its leverage, a value of every row: their data are read whole on each rank.
        var spread = _device.SpreadsRows(parse);
        var (model, groups) = _data.Load(parse, cov.Column, out var design, out var mean, cov.Name is "HC2" or "HC3" ? null : spread, options.Resolves);
        options = options with { Covariance = Covariance(cov.Name, cov.Column, groups) };
        options = options with { Profile = ProfileNames(parse.GetValue(_profile), model, options.Fixed) };
        ParameterChecks.Fit(model, options, _data.ColumnNames);
        if (parse.GetValue(_se) == "none")
            throw new InputException($"--se none: only --model gaussian-mixture leaves its standard errors out (its information pass is the costly part of its fit); model '{model.Name}' reports them");
        if (parse.GetValue(_se) == "nist" && model.Name is not (NonlinearRegression.Name or ModelCatalog.LinearName))
            throw new InputException($"--se nist: NIST's standard errors are those of a least-squares fit (--model linear or nonlinear), not of model '{model.Name}'");
        if (parse.GetValue(_se) == "nist" && cov.Name != "nonrobust")
            throw new InputException($"--se nist with --cov {cov.Column switch { null => cov.Name.ToLowerInvariant(), var c => $"cluster:{c}" }}: NIST's standard errors are the model-based ones from RSS/(n - p); a robust covariance does not involve the residual variance");
        if (parse.GetValue(_se) == "nist" && options.Map)
            throw new InputException("--se nist with --map: NIST's standard errors are those of the least-squares fit; a MAP fit reports posterior standard deviations (Laplace approximation)");
        int? repeat = parse.GetValue(_repeat);

        using var device = _device.Open(parse, model.Rows);
        using var session = new EstimationSession(model, device);
        var fit = session.Fit(options);
        // Warm timing: the same fit again with the data on the device and the code compiled.
        double? fitMs = repeat is { } count ? WarmTiming.MedianMs(count, () => fit = session.Fit(options)) : null;
        // After the timed fits, which they are no part of.
        fit = RegressionReport.Complete(fit, model, device, design, mean);
        FitTable.Write(output, fit, parse.GetValue(_se) == "nist");
        DroppedRows.Write(output, _data.DroppedRows, model.Rows);
        if (fitMs is { } ms)
            output.WriteLine($"fit time {Numbers.Milliseconds(ms)} (median of {repeat} repeated fits, data on the device)");
        if (json is not null)
            OutputFile.WriteText("--json", json, StandardErrorsChosen(DroppedRows.AddTo(JsonReport.Fit(fit, fitMs), _data.DroppedRows), parse.GetValue(_se)!));
        return fit.Converged ? GpuestApp.Ok : GpuestApp.NotConverged;
    }

    /// <summary>
    /// The fit's JSON with <c>standardErrors: "nist"</c> where the table gave least squares' errors (<c>--se nist</c>), so
    /// that <c>gpuest predict</c> gives its rows the same kind (a trial: a fit shown with R's errors predicted with the
    /// MLE's, 0.75% narrower than predict.lm's, without --se nist given again).
    /// </summary>
    private static string StandardErrorsChosen(string json, string se)
    {
        if (se != "nist")
            return json;
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        root.Add("standardErrors", se);
        return root.ToJsonString(JsonText.Options);
    }

    // Mixtures are fitted by maximum likelihood from their own starts: the options that steer other fits are refused by
    // name (a Gaussian mixture takes --se mle, its default, or none, its estimates alone).
    private void RefuseForMixtures(ParseResult parse, bool gaussian = false)
    {
        bool seGiven = parse.GetResult(_se) is { Implicit: false } && !(gaussian && parse.GetValue(_se) is "none" or "mle");
        var refused = new (string Name, bool Given)[]
        {
            ("--map", parse.GetValue(_estimation.Map)), ("--prior", parse.GetResult(_estimation.Prior) is { Implicit: false }),
            ("--fix", parse.GetResult(_estimation.Fix) is { Implicit: false }), ("--start", parse.GetResult(_estimation.Start) is { Implicit: false }),
            ("--cov", parse.GetValue(_cov) is { Name: not null }), (gaussian ? $"--se {parse.GetValue(_se)}" : "--se", seGiven),
        }.Where(r => r.Given).Select(r => r.Name).ToList();
        if (refused.Count > 0)
            throw new InputException($"{string.Join(", ", refused)}: not for mixtures, which are fitted by maximum likelihood from their own starts (--starts, --seed) with model-based standard errors" +
                (gaussian ? " (--se mle, the default, or none, which leaves them out)" : ""));
    }

    // A Gaussian mixture reads --x and is EM alone (no optimizer, profile or interval; --max-iter is EM's step limit):
    // what would steer another fit is refused by name, not ignored.
    private void RefuseForGaussianMixtures(ParseResult parse)
    {
        Option[] options = [_profile, _level, _estimation.Optimizer, _data.Column, _data.Y, _data.Formula, _data.Factor, _data.NoIntercept,
            _data.Trials, _data.TrialsColumn, _data.Family, _data.Link, _data.Offset, _data.Weights];
        var refused = options.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        if (refused.Count > 0)
            throw new InputException($"{string.Join(", ", refused)}: not for --model {GaussianMixtureFit.ModelName}, which fits the points of --x by EM (--starts, --seed, --max-iter its step limit) with standard errors of the weights, means and covariances");
    }

    // A mixture over one column: EM from several starts, then the exact likelihood.
    private int RunMixture(ParseResult parse, string? json)
    {
        RefuseForMixtures(parse);
        if (parse.GetResult(_mixture.Covariance) is { Implicit: false })
            throw new InputException("--covariance: applies to --model gaussian-mixture (several columns), not to a mixture over one column");
        var names = parse.GetValue(_profile);
        var options = _estimation.Read(parse) with { Level = parse.GetValue(_level), Profile = names is null or ["all"] ? [] : names };
        return MixtureFitRun.Run(parse, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, _data.DataPath(parse), _data.Missing(parse),
            parse.GetValue(_data.Column), _mixture, options, names is ["all"], _device, json, parse.GetValue(_repeat));
    }

    private static CovarianceType Covariance(string name, string? column, int[]? groups)
    {
        if (column is not null)
        {
            if (groups is null || groups.Distinct().Count() < 2)
                throw new InputException($"--cov cluster:{column}: the column holds one cluster; cluster-robust standard errors need at least two");
            return CovarianceType.Cluster(groups, column);
        }
        return name switch
        {
            "HC0" => CovarianceType.HC0,
            "HC1" => CovarianceType.HC1,
            "HC2" => CovarianceType.HC2,
            "HC3" => CovarianceType.HC3,
            _ => CovarianceType.NonRobust,
        };
    }

    // "all" means every estimated parameter: a fixed one has no interval (naming it explicitly is an error).
    private static IReadOnlyList<string> ProfileNames(string[]? names, IModelSpec model, IReadOnlyDictionary<string, double> fixes) => names switch
    {
        null => [],
        ["all"] => model.Parameters.Select(p => p.Name).Where(name => !fixes.ContainsKey(name)).ToArray(),
        _ => names,
    };
}
