using System.Text.Json;
using GpuEstimation.Data;
using GpuEstimation.Design;
using GpuEstimation.Expressions;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;

namespace GpuEstimation.Results;

/// <summary>
/// A regression fit read back from its JSON (<see cref="JsonReport.Fit"/>): the link, the coefficients of the design's
/// columns, their covariance and the design, from which <see cref="Predict(Dataset, double, bool)"/> gives the linear predictor, the mean and
/// their standard errors for new rows; or a nonlinear regression's mean function (<see cref="MeanFunction"/>) with its
/// parameters and their covariance, whose mean is its own "linear predictor" (an identity link) and whose standard
/// errors come from the mean's gradient in the parameters (the delta method).
/// </summary>
public sealed class FittedRegression
{
    private readonly double[] _coefficients;
    private readonly double[,]? _covariance;
    private double? SigmaEstimate { get; init; }
    private double? ResidualSd { get; init; }
    private double? ResidualDf { get; init; }
    private double[,]? OrdinaryCovariance { get; init; }

    // The coefficients' names, in the order of the estimates and the covariance.
    private string[] Names { get; init; } = [];

    private FittedRegression(string model, GlmLink link, FittedDesign? design, FittedMean? mean, double[] coefficients, (double[,] Matrix, string[] Held)? covariance)
    {
        Model = model;
        Link = link;
        Design = design;
        MeanFunction = mean;
        _coefficients = coefficients;
        _covariance = covariance?.Matrix;
        HeldCoefficients = covariance?.Held ?? [];
    }

    /// <summary>The model's name as the fit wrote it (<c>linear</c>, <c>logit</c>, <c>glm(poisson, log)</c>, ...).</summary>
    public string Model { get; }

    /// <summary>The link: the mean is its inverse at the linear predictor (identity for <c>linear</c>).</summary>
    public GlmLink Link { get; }

    /// <summary>The response's family (<c>binomial</c>, <c>poisson</c>, ...; <c>normal</c> for <c>linear</c>), whose mean range predictions are checked against.</summary>
    public string Family { get; private init; } = "normal";

    /// <summary>The design as fitted; null for a nonlinear regression (<see cref="MeanFunction"/>).</summary>
    public FittedDesign? Design { get; }

    /// <summary>A nonlinear regression's mean as fitted; null for the linear and generalized linear models (<see cref="Design"/>).</summary>
    public FittedMean? MeanFunction { get; }

    /// <summary>The model as a formula, for messages: the design's (<c>y ~ x + C(g)</c>) or the mean's (<c>y ~ b1*(1-exp(-b2*x))</c>).</summary>
    public string Formula => Design?.Formula ?? MeanFunction!.Formula;

    /// <summary>The columns that new rows must hold (not the response): numeric ones, and factors read as text.</summary>
    public (IReadOnlyList<string> Numeric, IReadOnlyList<string> Factors) InputColumns() =>
        Design?.InputColumns() ?? (MeanFunction!.Columns, []);

    /// <summary>The factors whose fitted levels are text, which new rows must read as text (<see cref="Data.DataFile.Read"/>'s textFactors).</summary>
    public IReadOnlyList<string> TextFactors => Design?.TextFactors ?? [];

    /// <summary>Whether the fit had a covariance of its coefficients (else the standard errors are NaN).</summary>
    public bool HasCovariance => _covariance is not null;

    /// <summary>Whether the fit was a MAP estimate: its covariance is the Laplace approximation's to the posterior, not the MLE's.</summary>
    public bool Posterior { get; private init; }

    /// <summary>
    /// Coefficients the fit gave no standard deviation beside others that have one (a lasso's exact zeros, at the
    /// prior's kink, where the others' come from the curvature with them held): held at their estimates here too, so
    /// the standard errors of predictions are conditional on them, as the others' are.
    /// </summary>
    public IReadOnlyList<string> HeldCoefficients { get; }

    /// <summary>
    /// Whether the fit's table gave least squares' standard errors (its JSON's <c>standardErrors: "nist"</c>, which the
    /// command line writes beside such a table): predictions then give theirs by default.
    /// </summary>
    public bool LeastSquaresChosen { get; private init; }

    /// <summary>The fit's covariance as its JSON names it (<c>nonrobust</c>, <c>HC0</c>…<c>HC3</c>, <c>cluster</c>): the one predictions use.</summary>
    public string CovarianceType { get; private init; } = "nonrobust";

    /// <summary>
    /// Coefficients of a robust fit whose standard error is undefined (HC2 and HC3 give none to a coefficient that a
    /// row of leverage 1 alone fits): a prediction that uses one (its design value not 0) has no standard error (NaN).
    /// </summary>
    public IReadOnlyList<string> UndefinedCoefficients { get; private init; } = [];

    /// <summary>
    /// The regression of <paramref name="fit"/>, for predictions: its JSON report (<see cref="JsonReport.Fit"/>) read
    /// back, so that a fit in hand and the same fit saved predict alike. The fit must carry its design (or a nonlinear
    /// regression's mean function): <see cref="RegressionReport.Complete"/> adds it.
    /// </summary>
    public static FittedRegression Of(Estimation.FitResult fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (fit.Design is null && fit.MeanFunction is null)
            throw new ArgumentException($"the fit of {fit.Model} carries no design: RegressionReport.Complete adds it (FittedDesign.Of of the design matrix the model was built from, or FittedDesign.FromColumns of its response, features and offset where it was built from columns)", nameof(fit));
        return FromJson(JsonReport.Fit(fit), fit.Model);
    }

    /// <summary>
    /// Reads a fit's JSON text <paramref name="json"/> (named <paramref name="source"/> in messages): a regression
    /// (model <c>linear</c>, <c>logit</c>, <c>probit</c> or <c>glm(...)</c>) written with its <c>design</c>; what is
    /// missing or malformed is an error naming the field.
    /// </summary>
    public static FittedRegression FromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InputException($"{source}: not a fit's JSON (not JSON at all: line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InputException($"{source}: not a fit's JSON (an object with model, parameters, covariance and design)");
            var model = Text(root, "model", source) ?? throw Missing(source, "model");
            // A fit that did not converge has no estimate to predict with (its end point is where the search stopped).
            if (root.TryGetProperty("converged", out var converged) && converged.ValueKind == JsonValueKind.False)
                throw new InputException($"{source}: the fit did not converge ({Text(root, "reason", source) ?? "no reason given"}); there are no estimates to predict with");
            if (model == NonlinearRegression.Name)
                return Nonlinear(root, source);
            // A logit or probit fit's link is its name; a glm(family, link) fit's is its link field.
            bool glm = model is GlmNames.Logit or GlmNames.Probit || model.StartsWith(GlmNames.Glm + "(", StringComparison.Ordinal);
            GlmLink link = model == "linear" ? GlmLink.Identity
                : !glm ? throw new InputException($"{source}: model '{model}' is not a regression; predictions are for the regressions (linear, glm, logit, probit, nonlinear)")
                : Text(root, "link", source) is { } linkName
                    ? GlmNames.Links.Contains(linkName) ? GlmNames.Link(linkName) : throw new InputException($"{source}: link: unknown link '{linkName}' (links: {string.Join(", ", GlmNames.Links)})")
                : model is GlmNames.Logit or GlmNames.Probit ? GlmNames.Link(model)
                : throw Missing(source, "link");
            if (!root.TryGetProperty("design", out var designElement) || designElement.ValueKind != JsonValueKind.Object)
                throw new InputException($"{source}: no design; predictions need the design of a regression (linear, glm, logit, probit) as the fit's JSON writes it");
            var design = ReadDesign(designElement, source);
            var names = (design.Intercept ? ["intercept"] : Array.Empty<string>()).Concat(design.Columns).ToArray();
            var (coefficients, covariance) = Coefficients(root, names, "the design's column", source);
            var family = model switch
            {
                "linear" => "normal",
                GlmNames.Logit or GlmNames.Probit => "binomial",
                _ => Text(root, "family", source) ?? "normal",
            };
            return new FittedRegression(model, link, design, null, coefficients, covariance) { Family = family }.WithResiduals(root, names, source);
        }
    }

    // A nonlinear regression: its mean function (meanFunction), the mean's parameters and their covariance.
    private static FittedRegression Nonlinear(JsonElement root, string source)
    {
        if (!root.TryGetProperty("meanFunction", out var element) || element.ValueKind != JsonValueKind.Object)
            throw new InputException($"{source}: no meanFunction; predictions need a nonlinear regression's mean as the fit's JSON writes it");
        string Field(string name) => Text(element, name, source) ?? throw Missing(source, $"meanFunction.{name}");
        string[] Names(string name) => element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Missing(source, $"meanFunction.{name}"))]
            : throw Missing(source, $"meanFunction.{name}");
        var mean = new FittedMean(Field("expression"), Field("response"), Names("columns"), Names("parameters"));
        Dataset empty;
        try
        {
            empty = Dataset.FromColumns([.. mean.Columns.Select(c => (c, Array.Empty<double>()))]);
        }
        catch (InputException e)
        {
            throw new InputException($"{source}: meanFunction.columns: {e.Message}");
        }
        try
        {
            // The expression read back over its columns and parameters, once, so that a damaged one is named here.
            mean.Evaluate(empty, new double[mean.Parameters.Count]);
        }
        catch (InputException e)
        {
            throw new InputException($"{source}: meanFunction.expression: {e.Message}");
        }
        var (coefficients, covariance) = Coefficients(root, [.. mean.Parameters], "the mean's parameter", source);
        return new FittedRegression(NonlinearRegression.Name, GlmLink.Identity, null, mean, coefficients, covariance).WithResiduals(root, [.. mean.Parameters], source);
    }

    // The estimates of the parameters named (in that order) and their covariance, from the fit's parameters and covariance.
    private static (double[] Estimates, (double[,] Matrix, string[] Held)? Covariance) Coefficients(JsonElement root, string[] names, string what, string source) =>
        Coefficients(root, names, what, source, "covariance");

    private static (double[] Estimates, (double[,] Matrix, string[] Held)? Covariance) Coefficients(JsonElement root, string[] names, string what, string source, string covariance)
    {
        var parameters = root.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Select((e, k) => (Name: Text(e, "name", source) ?? throw Missing(source, $"parameters[{k}].name"), Estimate: Number(e, "estimate", source, $"parameters[{k}]")))
                .ToList()
            : throw Missing(source, "parameters");
        var index = names.Select(n => parameters.FindIndex(q => q.Name == n) is var k and >= 0
            ? k : throw new InputException($"{source}: {what} '{n}' has no parameter of that name")).ToArray();
        return ([.. index.Select(k => parameters[k].Estimate)], Covariance(root, index, names, parameters.Count, source, covariance));
    }

    // What the observations' intervals and NIST's errors need beside the coefficients: σ̂ (the parameter sigma, where the
    // response is normal), s = √(RSS/(n − p)) and n − p, and s² (XᵀX)⁻¹ or s² (JᵀJ)⁻¹ (covarianceNist) where the fit has them.
    private FittedRegression WithResiduals(JsonElement root, string[] names, string source)
    {
        double? Field(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        double? sigma = root.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Where(e => Text(e, "name", source) == "sigma").Select(e => (double?)Number(e, "estimate", source, "parameters[sigma]")).FirstOrDefault()
            : null;
        var ordinary = root.TryGetProperty("covarianceNist", out var c) && c.ValueKind == JsonValueKind.Array
            ? Coefficients(root, names, "the design's column", source, "covarianceNist").Covariance?.Matrix : null;
        // A robust fit's coefficient without a standard error has none defined (a row of leverage 1 alone fits it,
        // under HC2 or HC3): not held, as a lasso's zero is, but unknown in the rows that use it.
        string covariance = Text(root, "covType", source) ?? "nonrobust";
        bool robust = covariance != "nonrobust";
        return new FittedRegression(Model, Link, Design, MeanFunction, _coefficients, _covariance is null ? null : (_covariance, robust ? [] : [.. HeldCoefficients]))
        {
            UndefinedCoefficients = robust ? [.. HeldCoefficients] : [],
            CovarianceType = covariance,
            LeastSquaresChosen = Text(root, "standardErrors", source) == "nist",
            Names = names,
            Family = Family,
            Posterior = Text(root, "method", source) == "map",
            SigmaEstimate = Family == "normal" ? sigma : null,
            ResidualSd = Field("residualStdError"),
            ResidualDf = Field("dfResid"),
            OrdinaryCovariance = ordinary,
        };
    }

    /// <summary>
    /// The linear predictor, the mean and their standard errors (delta method: se(mean) = |dμ/dη| se(η), se(η)² =
    /// gᵀ V g with V the coefficients' covariance and g the gradient of η in them: the design's row x for a regression,
    /// the mean's gradient for a nonlinear one, whose η is its mean) for each row of <paramref name="data"/>, which holds
    /// the design's columns (and the offset, where the fit had one) or the mean's; a factor level the fit did not have
    /// is an error naming its row.
    /// </summary>
    public Prediction Predict(Dataset data, double level = 0.95) => Predict(data, level, ordinary: false);

    /// <summary>
    /// As <see cref="Predict(Dataset, double)"/>; with <paramref name="ordinary"/> the least-squares covariance
    /// (s² (XᵀX)⁻¹ or s² (JᵀJ)⁻¹: R's <c>predict.lm</c>, statsmodels' OLS <c>get_prediction</c>) and t on n − p degrees
    /// of freedom instead of the MLE's covariance and z (a linear or nonlinear fit's JSON has it; another's is an error).
    /// For a normal response (linear, nonlinear, a normal GLM) the observations' intervals too: the mean ∓ q √(se(mean)² +
    /// σ²), σ the MLE's σ̂ (or s with <paramref name="ordinary"/>), as R's <c>interval = "prediction"</c>.
    /// </summary>
    public Prediction Predict(Dataset data, double level, bool ordinary)
    {
        ArgumentNullException.ThrowIfNull(data);
        Estimation.Interval.CheckLevel(level, nameof(level));
        if (ordinary && (OrdinaryCovariance is null || ResidualDf is not > 0 || ResidualSd is null))
            throw new InputException($"the {Model} fit has no least-squares covariance (covarianceNist): NIST's, R lm's and nls's standard errors are those of linear and nonlinear fits by maximum likelihood with the model-based covariance (a fit with a robust or cluster covariance, or a MAP fit, has none: fit again without it)");
        var covariance = ordinary ? OrdinaryCovariance : _covariance;
        var (linear, offset) = Linearized(data);
        int[] undefined = [.. UndefinedCoefficients.Select(n => Array.IndexOf(Names, n)).Where(j => j >= 0)];
        int rows = data.Rows, p = _coefficients.Length;
        var eta = new double[rows];
        var mean = new double[rows];
        var seEta = new double[rows];
        var seMean = new double[rows];
        var x = new double[p];
        for (int i = 0; i < rows; i++)
        {
            double value = linear(i, x);
            double se = double.NaN;
            // A nonlinear mean that is not finite (a log of a value outside its domain) has no standard error either.
            if (covariance is { } v && (MeanFunction is null || double.IsFinite(value)) && !undefined.Any(j => x[j] != 0))
            {
                double variance = Quadratic(v, x, 1.0);
                // Where xᵀVx overflows (a mean of 10¹⁷⁶, whose gradient's square does; a trial saw a standard error of ∞
                // beside a finite mean), with x scaled by its largest entry.
                double scale = double.IsFinite(variance) ? 0 : x.Aggregate(0.0, (largest, value) => Math.Max(largest, Math.Abs(value)));
                se = scale > 0 && double.IsFinite(scale)
                    ? scale * Math.Sqrt(Math.Max(Quadratic(v, x, scale), 0))
                    : Math.Sqrt(Math.Max(variance, 0));
            }
            eta[i] = value;
            mean[i] = GlmMean.Of(Link, value);
            seEta[i] = se;
            seMean[i] = Math.Abs(GlmMean.Slope(Link, value)) * seEta[i];
        }
        // Wald intervals on the linear predictor, mapped through the link's inverse (monotone; decreasing for the
        // inverse link), as statsmodels' summary_frame gives mean_ci_lower and mean_ci_upper for a GLM.
        double z = ordinary
            ? MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, ResidualDf!.Value, 0.5 + level / 2)
            : MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.5 + level / 2);
        var lower = new double[rows];
        var upper = new double[rows];
        double? residualSd = ordinary ? ResidualSd : SigmaEstimate;
        var obsLower = residualSd is null ? [] : new double[rows];
        var obsUpper = residualSd is null ? [] : new double[rows];
        for (int i = 0; i < rows; i++)
        {
            if (residualSd is { } sd)
            {
                double half = z * double.Hypot(seMean[i], sd);
                (obsLower[i], obsUpper[i]) = (mean[i] - half, mean[i] + half);
            }
            double low = eta[i] - z * seEta[i], high = eta[i] + z * seEta[i];
            double a = GlmMean.Of(Link, low), b = GlmMean.Of(Link, high);
            (lower[i], upper[i]) = a <= b ? (a, b) : (b, a);
            // The inverse link's 1/η has its pole at 0: an interval on η across it maps to two half-lines, of which the
            // one holding the mean is reported (sorting the two ends gave an "interval" without the mean in it).
            if (Link == GlmLink.Inverse && low < 0 && high > 0)
                (lower[i], upper[i]) = eta[i] > 0 ? (b, double.PositiveInfinity) : (double.NegativeInfinity, a);
        }
        return new Prediction(eta, mean, seEta, seMean, offset) { Level = level, MeanLower = lower, MeanUpper = upper, ObsLower = obsLower, ObsUpper = obsUpper };
    }

    // (x/s)ᵀ V (x/s), term by term in a fixed order.
    private static double Quadratic(double[,] v, double[] x, double s)
    {
        double sum = 0;
        for (int j = 0; j < x.Length; j++)
        {
            double row = 0;
            for (int l = 0; l < x.Length; l++)
                row += v[j, l] * (x[l] / s);
            sum += x[j] / s * row;
        }
        return sum;
    }

    // η of row i, its gradient in the coefficients written to the span, and the offset column (where the fit had one).
    private (Func<int, double[], double> Linear, double[]? Offset) Linearized(Dataset data)
    {
        if (MeanFunction is { } function)
        {
            var (means, gradients) = function.Evaluate(data, _coefficients);
            return ((i, g) =>
            {
                gradients[i].CopyTo(g, 0);
                return means[i];
            }, null);
        }
        var design = Design!;
        var columns = design.Rows(data).Select(c => c.AsArray()).ToArray();
        var offset = DesignMatrix.OffsetValues(data, design.Spec());
        int first = design.Intercept ? 1 : 0;
        return ((i, x) =>
        {
            if (first == 1)
                x[0] = 1;
            for (int j = 0; j < columns.Length; j++)
                x[first + j] = columns[j][i];
            double value = offset?[i] ?? 0.0;
            for (int j = 0; j < x.Length; j++)
                value += _coefficients[j] * x[j];
            return value;
        }, offset);
    }

    private static FittedDesign ReadDesign(JsonElement design, string source)
    {
        string Field(string name) => Text(design, name, source) ?? throw Missing(source, $"design.{name}");
        var columns = design.TryGetProperty("columns", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Missing(source, "design.columns")).ToArray()
            : throw Missing(source, "design.columns");
        bool intercept = design.TryGetProperty("intercept", out var i) && i.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? i.GetBoolean() : throw Missing(source, "design.intercept");
        var factors = new List<FittedFactor>();
        if (design.TryGetProperty("factors", out var f) && f.ValueKind == JsonValueKind.Array)
        {
            foreach (var factor in f.EnumerateArray())
            {
                var column = Text(factor, "column", source) ?? throw Missing(source, "design.factors[].column");
                var levels = factor.TryGetProperty("levels", out var l) && l.ValueKind == JsonValueKind.Array
                    ? l.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Missing(source, $"design.factors[{column}].levels")).ToArray()
                    : throw Missing(source, $"design.factors[{column}].levels");
                factors.Add(new FittedFactor(column, levels));
            }
        }
        var fitted = new FittedDesign(Field("formula"), Field("response"), columns, intercept, Text(design, "offset", source), factors);
        try
        {
            fitted.Spec();
        }
        catch (InputException e)
        {
            throw new InputException($"{source}: design.formula: {e.Message}");
        }
        return fitted;
    }

    // The covariance of the coefficients at index (a P × P matrix in the JSON, row by row), or null where the fit has none;
    // a coefficient whose row is null (no standard deviation: at a prior's kink) is held, its row and column 0.
    private static (double[,] Matrix, string[] Held)? Covariance(JsonElement root, int[] index, string[] names, int count, string source, string property)
    {
        if (!root.TryGetProperty(property, out var c) || c.ValueKind == JsonValueKind.Null)
            return null;
        var rows = c.ValueKind == JsonValueKind.Array ? c.EnumerateArray().ToArray() : throw Missing(source, property);
        if (rows.Length != count || rows.Any(r => r.ValueKind != JsonValueKind.Array || r.GetArrayLength() != count))
            throw new InputException($"{source}: {property}: expected {count} rows of {count} numbers, one per parameter");
        var matrix = new double[index.Length, index.Length];
        for (int j = 0; j < index.Length; j++)
        {
            for (int l = 0; l < index.Length; l++)
            {
                var cell = rows[index[j]][index[l]];
                matrix[j, l] = cell.ValueKind == JsonValueKind.Number ? cell.GetDouble() : double.NaN;
            }
        }
        // Null but for the 0s of a fixed parameter's column (a lasso with --fix: the zeroed coefficient's row was null
        // beside the fixed one's 0, counted as no hold, and every prediction's standard error was NaN).
        var held = Enumerable.Range(0, index.Length).Where(j =>
        {
            var cells = rows[index[j]].EnumerateArray().ToArray();
            return cells.Any(cell => cell.ValueKind == JsonValueKind.Null)
                && cells.All(cell => cell.ValueKind == JsonValueKind.Null || (cell.ValueKind == JsonValueKind.Number && cell.GetDouble() == 0));
        }).ToArray();
        foreach (int j in held)
        {
            for (int l = 0; l < index.Length; l++)
                matrix[j, l] = matrix[l, j] = 0;
        }
        return (matrix, held.Select(j => names[j]).ToArray());
    }

    private static string? Text(JsonElement element, string name, string source) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new InputException($"{source}: {name}: expected text, found {value.ValueKind.ToString().ToLowerInvariant()}");

    private static double Number(JsonElement element, string name, string source, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Missing(source, $"{where}.{name}");

    private static InputException Missing(string source, string field) => new($"{source}: no valid '{field}' (a regression's fit report, as JsonReport.Fit writes it, has it)");
}

/// <summary>Predictions for new rows, one entry per row.</summary>
/// <param name="Eta">The linear predictor η = xᵀb (+ offset).</param>
/// <param name="Mean">The mean g⁻¹(η) (a probability for the binomial models).</param>
/// <param name="SeEta">The standard error of η: √(xᵀ V x).</param>
/// <param name="SeMean">The standard error of the mean by the delta method: |dμ/dη| × se(η).</param>
/// <param name="Offset">The offset of each row, where the fit had one.</param>
public sealed record Prediction(double[] Eta, double[] Mean, double[] SeEta, double[] SeMean, double[]? Offset)
{
    /// <summary>The confidence level of <see cref="MeanLower"/> and <see cref="MeanUpper"/>.</summary>
    public double Level { get; init; } = 0.95;

    /// <summary>The lower end of each mean's Wald interval: g⁻¹ of η ∓ z se(η), the smaller (NaN where se(η) is).</summary>
    public double[] MeanLower { get; init; } = [];

    /// <summary>The upper end of each mean's Wald interval.</summary>
    public double[] MeanUpper { get; init; } = [];

    /// <summary>
    /// For a normal response, the lower end of each new observation's interval (the mean less q √(se(mean)² + σ²): R's
    /// <c>interval = "prediction"</c>, statsmodels' <c>obs_ci_lower</c>); empty for other families.
    /// </summary>
    public double[] ObsLower { get; init; } = [];

    /// <summary>The upper end of each new observation's interval (see <see cref="ObsLower"/>).</summary>
    public double[] ObsUpper { get; init; } = [];

    /// <summary>
    /// The rows whose mean lies outside <paramref name="family"/>'s range (binomial: [0, 1]; poisson, negbinomial: ≥ 0;
    /// gamma: &gt; 0; normal: any), or not finite: possible under an identity or inverse link away from the data.
    /// </summary>
    public IReadOnlyList<int> OutsideRange(string family) => Enumerable.Range(0, Mean.Length).Where(i => Mean[i] switch
    {
        var m when !double.IsFinite(m) => true,
        var m => family switch
        {
            "binomial" => m < 0 || m > 1,
            "poisson" or "negbinomial" => m < 0,
            "gamma" => m <= 0,
            _ => false,
        },
    }).ToArray();
}
