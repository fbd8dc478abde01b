using GpuEstimation.Data;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Models;

/// <summary>
/// Generalized linear models over a dataset (<see cref="GlmModel"/> on the device): the columns read and checked
/// against the family's support (each error naming its line), the per-row constants computed once, the features
/// centred, and starting values from one least-squares pass on the link scale.
/// </summary>
public static class Glm
{
    /// <summary>
    /// The model <paramref name="name"/> (<c>glm</c>, <c>logit</c> or <c>probit</c>) over <paramref name="data"/>:
    /// parameters <c>intercept</c> (unless <see cref="ModelColumns.Intercept"/> is false), one per feature column
    /// named after it, then <c>alpha</c> (negbinomial), <c>shape</c> (gamma) or <c>sigma</c> (normal).
    /// </summary>
    public static ModelSpec<GlmModel> Create(string name, Dataset data, ModelColumns columns)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columns);
        data.RequireWhole($"model '{name}'");
        var (family, link) = FamilyAndLink(name, columns);
        if (columns.Column is not null)
            throw new InputException($"model '{name}' reads a response column (Y) and feature columns (X), not a single Column", nameof(columns));
        var y = columns.Y ?? throw new InputException($"model '{name}' needs a response column (Y)", nameof(columns));
        var x = columns.X ?? [];
        return Create(name, data, family, link, y, x, columns);
    }

    /// <summary>The family and link that <paramref name="name"/> and <paramref name="columns"/> ask for, checked against each other.</summary>
    public static (GlmFamily Family, GlmLink Link) FamilyAndLink(string name, ModelColumns columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (name != GlmNames.Glm)
        {
            if (!GlmNames.IsGlm(name))
                throw new InputException($"model '{name}' is not a generalized linear model", nameof(name));
            if (columns.Family is not null || columns.Link is not null)
                throw new InputException($"model '{name}' is the binomial family with the {name} link; a Family or Link goes with model 'glm'", nameof(columns));
            return (GlmFamily.Binomial, name == GlmNames.Logit ? GlmLink.Logit : GlmLink.Probit);
        }
        var familyName = columns.Family ?? throw new InputException($"model 'glm' needs a Family ({string.Join(", ", GlmNames.Families)})", nameof(columns));
        var family = GlmNames.Family(familyName);
        var link = columns.Link is { } linkName ? GlmNames.Link(linkName) : GlmNames.DefaultLink(family);
        if (!GlmModel.Supports(family, link))
            throw new InputException($"the {GlmNames.Name(link)} link does not fit the {familyName} family (links for {familyName}: {string.Join(", ", GlmNames.LinksOf(family))})", nameof(columns));
        return (family, link);
    }

    private static ModelSpec<GlmModel> Create(string name, Dataset data, GlmFamily family, GlmLink link, string yName, IReadOnlyList<string> x, ModelColumns columns)
    {
        if (data.Rows == 0)
            throw new InputException($"{data.Source}: the dataset is empty");
        var parameterNames = ParameterNames(family, x, columns.Intercept);
        if (x.Count > GlmModel.MaxFeatures)
            throw new InputException($"feature columns: at most {GlmModel.MaxFeatures} are supported, {x.Count} were given", nameof(columns));
        if (x.Contains(yName, StringComparer.Ordinal))
            throw new InputException($"feature columns: '{yName}' is the response; it cannot also be a feature", nameof(columns));
        if (x.Count == 0 && !columns.Intercept)
            throw new InputException($"model '{name}' without an intercept needs at least one feature column (X)", nameof(columns));

        var y = data.Column(yName).AsArray();
        // The features where they lie (a file's, mapped into memory, is not loaded): the device reads them centred, each
        // centred copy written once, aligned, where the native backend reads it (below).
        var features = x.Select(c => data.Column(c)).ToArray();
        var trials = Trials(name, family, data, columns);
        var offset = columns.Offset is { } offsetName ? data.Column(offsetName).AsArray() : null;
        var weights = columns.Weights is { } weightsName ? data.Column(weightsName).AsArray() : null;
        CheckWeights(data, columns.Weights, weights);
        CheckSupport(name, family, data, yName, y, trials, columns.TrialsColumn);

        int coefficients = x.Count + (columns.Intercept ? 1 : 0);
        bool extra = GlmModel.HasExtraParameter(family);
        int rows = weights is null ? data.Rows : weights.Count(w => w > 0);
        // Fewer rows than coefficients: the design's columns are dependent, and the fit is refused as a collinear one is
        // (below), unless priors on the coefficients give the posterior one mode (a ridge's normal ones, or a lasso's
        // checked at the fit: glmnet's p > n). With a scale or dispersion to estimate, the mean then fits the rows exactly and the
        // scale runs off (σ → 0, the gamma's shape → ∞) whatever the priors on the coefficients: refused here.
        bool tooFewRows = rows < coefficients;
        if (extra && rows <= coefficients)
            throw new InputException($"{data.Source}: {rows} row{(rows == 1 ? "" : "s")}{(weights is null ? "" : " of positive weight")} for {coefficients} coefficients: model '{name}' needs more rows than coefficients, to estimate {GlmNames.ExtraParameter(family)}", nameof(data));

        var constants = Constants(family, y, trials);
        // Centred up to GlmModel.MaxCentred features (the means travel in the model struct); a wider design is fitted
        // as it is: Newton's steps do not depend on the shift, only the last bits do.
        var featureMeans = features.Select(f => Moments.Mean(f.Span)).ToArray();
        var shift = columns.Intercept ? Design.Collinearity.FarShift(data.Source, x, features, featureMeans) : null;
        double[] means = columns.Intercept && features.Length <= GlmModel.MaxCentred ? featureMeans : new double[features.Length];
        // A feature not centred is read as it is (a copy of it would cost a GPU backend's host memory; the native
        // backend aligns it itself); the centred ones are written once, aligned, where the native backend reads them.
        var centred = features.Select((f, j) => means[j] == 0 ? f : ColumnArrays.CentredAligned(f.Span, means[j])).ToArray();
        var model = new GlmModel(family, link, means, columns.Intercept, trials is not null, constants is not null, offset is not null, weights is not null,
            LargeCounts(family, y) || ManyTrials(family, trials));
        var deviceColumns = new List<ReadOnlyMemory<double>> { y };
        foreach (var column in new[] { trials, constants, offset, weights })
        {
            if (column is not null)
                deviceColumns.Add(column);
        }
        deviceColumns.AddRange(centred);

        var (start, scales) = GlmStart.Values(family, link, y, trials, offset, weights, centred, means, columns.Intercept);
        var parameters = parameterNames
            .Select((n, k) => new ParameterInfo(n, extra && k == parameterNames.Length - 1 ? ParameterDomain.Positive : ParameterDomain.Real))
            .ToArray();
        var spec = new ModelSpec<GlmModel>(Describe(name, family, link), model, deviceColumns, parameters, start, scales, coefficients: x,
            noFiniteMaximum: family == GlmFamily.Binomial ? Separation : null, dataChecked: true)
        {
            FrequencyWeights = weights,
            TermSize = TermSize(family, y, weights),
            // statsmodels' GLM estimates no scale as a parameter: its HC1 and cluster corrections count coefficients only.
            ScaleParameters = family is GlmFamily.Gamma or GlmFamily.Normal ? [parameterNames[^1]] : [],
            EdgeModels = family == GlmFamily.NegativeBinomial
                ? new Dictionary<string, string> { [parameterNames[^1]] = "the Poisson GLM" }
                : new Dictionary<string, string>(),
            MeansBound = MeansBound(data, family, link, y, features, offset, weights, columns.Intercept),
            HeldStart = held => HeldStart(family, link, y, trials, offset, weights, centred, means, columns.Intercept, parameterNames, held),
        };
        // Refused at the fit where the intercept and that slope are both estimated (with the intercept held, the raw
        // column is well conditioned: a trial's timestamps with --fix intercept=0 were refused, as the linear model's
        // are not).
        if (shift is { } far)
            ModelCatalog.AddDegeneracy(spec, ["intercept", far.Column], far.Message, priorCures: false);
        if (family is GlmFamily.Normal or GlmFamily.Gamma && FitsExactly(link, y, features, offset, weights, columns.Intercept))
        {
            // The scale runs off (σ → 0, the gamma's shape → ∞) with every coefficient estimated, as the linear model's
            // exact fit: refused before any iteration (a trial: 4,775 evaluations, exit 3, shape 1.8e308 printed).
            string scale = parameterNames[^1];
            ModelCatalog.AddDegeneracy(spec, parameterNames,
                $"{data.Source}: the mean fits response '{yName}' exactly (the link of every response is a combination of the features, to rounding{(family == GlmFamily.Gamma ? ": constant data, for one" : "")}), " +
                $"so {scale} has no finite maximum-likelihood estimate ({(family == GlmFamily.Gamma ? $"{scale} → ∞" : $"{scale} → 0")}; hold {scale} fixed, at any value, for the coefficients of the exact fit)");
        }
        // Refused at the fit where all the columns it names are estimated without a prior (held, or with a prior, the
        // rest is identified); registered last, so that it is the one said where the design also fits exactly (holding
        // the scale then fitted the nearly collinear design without a word, a review).
        var near = Design.Collinearity.NearlyCollinear(data.Source, x, features, columns.Intercept ? featureMeans : new double[features.Length], columns.Intercept, weights);
        // Exactly collinear (given straight from C#, or under a ridge's normal priors: a formula or the flags check the
        // design first): refused unless each dependent column's coefficient has a normal prior, which gives the
        // posterior one mode (a lasso's is a set along the dependency). Looked for where a column is nearly collinear or
        // constant over the rows that count (the near check passes over a column without spread).
        var exact = tooFewRows || near is not null || features.Any(f => Constant(f.Span, weights)) ? Design.Collinearity.Find(data, x, columns.Intercept, columns.Weights) : ([], null);
        // A column exactly collinear is that (the near check's refusal, which any prior cures, would outlast a ridge).
        if (near is { } found && !exact.Problems.Any(p => p.Column == found.Columns[0]))
            ModelCatalog.AddDegeneracy(spec, found.Columns, found.Message);
        if (exact.Problems.Count > 0)
            ModelCatalog.AddCollinear(spec, exact.Problems, exact.Message!);
        // Over more columns than rows a lasso's mode is checked at the fit: the columns it leaves off zero independent.
        if (tooFewRows)
        {
            bool intercept = columns.Intercept;
            ModelCatalog.AddDependents(spec, active =>
            {
                var slopes = active.Where(a => a != "intercept").ToArray();
                var (problems, _) = Design.Collinearity.Find(data, slopes, intercept && active.Contains("intercept"), columns.Weights);
                return problems.Count == 0 ? null
                    : $"{data.Source}: the lasso's mode is not the only one: of the columns whose coefficients it leaves off zero, {problems[0].Text}{(problems.Count > 1 ? $" (and {problems.Count - 1} more)" : "")}, " +
                      "so the posterior is level along that combination and the split found means nothing; remove such columns, or give them normal priors (a ridge's), which give the posterior one mode";
            });
        }
        return spec;
    }

    // Whether a feature takes one value over the rows of positive weight (every row without weights).
    private static bool Constant(ReadOnlySpan<double> feature, double[]? weights)
    {
        double? first = null;
        for (int i = 0; i < feature.Length; i++)
        {
            if (weights is not null && !(weights[i] > 0))
                continue;
            first ??= feature[i];
            if (feature[i] != first)
                return false;
        }
        return true;
    }

    // Whether g(y) less the offset is a combination of the features (and the intercept), on the rows of positive weight.
    private static bool FitsExactly(GlmLink link, double[] y, ReadOnlyMemory<double>[] features, double[]? offset, double[]? weights, bool intercept)
    {
        // Without weights every row counts: the features as they are, not a copy of the whole design.
        var rows = weights is null ? null : Enumerable.Range(0, y.Length).Where(i => weights[i] > 0).ToArray();
        var z = (rows ?? Enumerable.Range(0, y.Length)).Select(i => GlmMean.LinkOf(link, y[i]) - (offset?[i] ?? 0.0)).ToArray();
        if (z.Any(v => !double.IsFinite(v)))
            return false;
        return ModelCatalog.FitsExactly(z, rows is null ? features : [.. features.Select(f => (ReadOnlyMemory<double>)rows.Select(i => f.Span[i]).ToArray())], intercept);
    }

    // The start with coefficients held (--fix): their terms join the offset and the free ones start as R's glm would
    // with that offset. With the held values put into the unheld start instead, the means could leave the family's range
    // (a gamma inverse-link fit with a slope held at −0.4: η < 0 on some rows), and the fit was refused at the boundary.
    // The raw features are the centred ones plus their means (held by the model, so the raw copies need not be).
    private static double[]? HeldStart(GlmFamily family, GlmLink link, double[] y, double[]? trials, double[]? offset, double[]? weights,
        ReadOnlyMemory<double>[] centred, double[] means, bool intercept, string[] names, IReadOnlyDictionary<string, double> held)
    {
        int first = intercept ? 1 : 0;
        bool interceptHeld = intercept && held.ContainsKey(names[0]);
        // Each feature's held coefficient, looked up once, not at every row.
        var slopes = Enumerable.Range(0, centred.Length).Select(j => held.TryGetValue(names[first + j], out double b) ? b : (double?)null).ToArray();
        var free = Enumerable.Range(0, centred.Length).Where(j => slopes[j] is null).ToArray();
        if (!interceptHeld && free.Length == centred.Length)
            return null;
        double constant = interceptHeld ? held[names[0]] : 0.0;
        // Each row's offset, constant, then the held features' terms in order, a column at a time.
        var shifted = new double[y.Length];
        for (int i = 0; i < shifted.Length; i++)
            shifted[i] = (offset?[i] ?? 0.0) + constant;
        for (int j = 0; j < centred.Length; j++)
        {
            if (slopes[j] is not { } b)
                continue;
            var x = centred[j].Span;
            for (int i = 0; i < shifted.Length; i++)
                shifted[i] += b * (x[i] + means[j]);
        }
        // Centred features where the sub-problem has an intercept to take the means (as Create centres them), else raw.
        bool freeIntercept = intercept && !interceptHeld;
        var sub = free.Select(j => freeIntercept || means[j] == 0 ? centred[j] : ColumnArrays.CentredAligned(centred[j].Span, -means[j])).ToArray();
        var subMeans = free.Select(j => freeIntercept ? means[j] : 0.0).ToArray();
        var (start, _) = GlmStart.Values(family, link, y, trials, shifted, weights, sub, subMeans, freeIntercept);
        var result = new double[names.Length];
        int at = 0;
        if (intercept)
            result[0] = interceptHeld ? held[names[0]] : start[at++];
        for (int j = 0; j < centred.Length; j++)
            result[first + j] = slopes[j] ?? start[at++];
        if (GlmModel.HasExtraParameter(family))
            result[^1] = start[^1];
        return result;
    }

    /// <summary>
    /// The constant-only model of <paramref name="model"/>: the same response, trials, offset and weights, an intercept
    /// and no features (statsmodels' and R's null model, which the null deviance and pseudo-R² compare with).
    /// </summary>
    internal static ModelSpec<GlmModel> NullModel(ModelSpec<GlmModel> model, double[]? held = null)
    {
        var m = model.Model;
        double[]? Column(int index) => index >= 0 ? model.Columns[index].AsArray() : null;
        // The held coefficients' terms join the offset (R's and statsmodels' null model of a fit with an offset).
        var offset = held is null ? Column(m.OffsetColumn)
            : Column(m.OffsetColumn) is { } given ? [.. given.Select((v, i) => v + held[i])] : held;
        var constant = new GlmModel(m.Family, m.Link, [], intercept: true, trials: m.TrialsColumn >= 0,
            constant: m.ConstantColumn >= 0, offset: offset is not null, weights: m.WeightsColumn >= 0, largeCounts: m.LargeCounts);
        var (start, scales) = GlmStart.Values(m.Family, m.Link, model.Columns[0].AsArray(), Column(m.TrialsColumn), offset,
            Column(m.WeightsColumn), [], [], intercept: true);
        bool extra = GlmModel.HasExtraParameter(m.Family);
        var names = ParameterNames(m.Family, [], intercept: true);
        var parameters = names
            .Select((n, k) => new ParameterInfo(n, extra && k == names.Length - 1 ? ParameterDomain.Positive : ParameterDomain.Real))
            .ToArray();
        // Columns in GlmModel's order: y, trials, constant, offset, weights.
        var columns = new List<ReadOnlyMemory<double>> { model.Columns[0] };
        foreach (var column in new[] { Column(m.TrialsColumn), Column(m.ConstantColumn), offset, Column(m.WeightsColumn) })
        {
            if (column is not null)
                columns.Add(column);
        }
        // The weights too: the search measures its stopping rules against their mean (a review: with weights of 1e-20 the
        // null model stopped at its start).
        return new ModelSpec<GlmModel>($"{model.Name}, constant only", constant, [.. columns], parameters, start, scales, dataChecked: true)
        {
            FrequencyWeights = model.FrequencyWeights,
            TermSize = model.TermSize,
        };
    }

    // A link that does not map every η into the family's mean range (identity or inverse for counts and the gamma;
    // identity or log for probabilities): where the search ended without a stationary point, the row whose mean sits
    // at (within 1e-8 of the scale of y) or beyond the range's end is named; the maximum is on that bound, which the
    // link cannot reach smoothly. R's glm stops there too ("no valid set of coefficients has been found").
    private static Func<IReadOnlyList<double>, bool, string?>? MeansBound(Dataset data, GlmFamily family, GlmLink link, double[] y,
        ReadOnlyMemory<double>[] features, double[]? offset, double[]? weights, bool intercept)
    {
        bool positive = family is GlmFamily.Poisson or GlmFamily.NegativeBinomial or GlmFamily.Gamma && link is GlmLink.Identity or GlmLink.Inverse;
        bool probability = family == GlmFamily.Binomial && link is GlmLink.Identity or GlmLink.Log;
        if (!positive && !probability)
            return null;
        double scale = positive ? Math.Max(y.Average(Math.Abs), 1e-300) : 1.0;
        // With `outside`, the first row strictly outside the range (what makes a log-likelihood NaN) where there is one.
        return (parameters, outside) =>
        {
            int first = intercept ? 1 : 0;
            for (int pass = outside ? 0 : 1; pass < 2; pass++)
            {
                for (int i = 0; i < y.Length; i++)
                {
                    if (weights?[i] == 0)
                        continue;
                    double eta = (intercept ? parameters[0] : 0.0) + (offset?[i] ?? 0.0);
                    for (int j = 0; j < features.Length; j++)
                        eta += parameters[first + j] * features[j].Span[i]; // a failure path: a span per value is no cost here
                    double mu = GlmMean.Of(link, eta);
                    bool atBound = pass == 0
                        ? positive ? !(mu >= 0) : !(mu >= 0 && mu <= 1)
                        : positive ? !(mu > 1e-8 * scale) : !(mu < 1 - 1e-8) || (link == GlmLink.Identity && !(mu > 1e-8));
                    if (!atBound)
                        continue;
                    return $"{data.Source}: {data.DescribeRow(i)}: the {GlmNames.Name(link)} link drives this row's mean to {mu:G6} (η = {eta:G6}), " +
                        $"at or past the edge of the {GlmNames.Name(family)} family's range ({(positive ? "means > 0" : "probabilities strictly between 0 and 1")}; " +
                        $"the {(positive ? "log" : "logit")} link keeps every mean inside it)";
                }
            }
            return null;
        };
    }

    // A Poisson row's term, y log μ − μ, is of the size of y: the (weighted) mean response where it is below 1, else 1
    // (IModelSpec.TermSize). A quasi-likelihood of responses near 10⁻¹⁵ has model-based errors ~10⁷ times its robust
    // ones, and a search stopped in those units 0.005 robust errors short (a trial, with a far start: 1.5% off).
    private static double TermSize(GlmFamily family, double[] y, double[]? weights)
    {
        if (family != GlmFamily.Poisson)
            return 1;
        double total = 0, sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double w = weights?[i] ?? 1.0;
            total += w;
            sum += w * y[i];
        }
        double mean = sum / total;
        return mean > 0 && double.IsFinite(mean) ? Math.Min(1, mean) : 1;
    }

    // statsmodels raises PerfectSeparationError; R warns "fitted probabilities numerically 0 or 1 occurred".
    private static string Separation(IReadOnlyList<string> parameters) =>
        $"perfect or quasi-complete separation: the log-likelihood keeps rising without bound as {string.Join(", ", parameters)}, " +
        "with fitted probabilities approaching 0 or 1 for the rows they separate, so no finite maximum-likelihood estimate exists " +
        "(drop or merge the separating columns or factor levels, or fit by MAP with a prior on them)";

    /// <summary>The model's name in results: <c>logit</c>, <c>probit</c>, or <c>glm(family, link)</c>.</summary>
    public static string Describe(string name, GlmFamily family, GlmLink link) =>
        name == GlmNames.Glm ? $"glm({GlmNames.Name(family)}, {GlmNames.Name(link)})" : name;

    private static string[] ParameterNames(GlmFamily family, IReadOnlyList<string> x, bool intercept)
    {
        // The model's own parameter names, which no feature may take (an NB2 feature named alpha, a review found, was
        // told that only intercept was taken).
        string[] first = intercept ? ["intercept"] : [], last = GlmNames.ExtraParameter(family) is { } extra ? [extra] : [];
        string[] reserved = [.. first, .. last];
        var names = first.Concat(x).Concat(last).ToList();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var taken = reserved.Length == 0 ? "" : $"may not be named {string.Join(" or ", reserved)}, nor ";
            throw new InputException($"feature columns: parameter name '{duplicate.Key}' would appear twice (a feature column {taken}given twice)", nameof(x));
        }
        return [.. names];
    }

    private static double[]? Trials(string name, GlmFamily family, Dataset data, ModelColumns columns)
    {
        if (family != GlmFamily.Binomial)
        {
            if (columns.Trials is not null || columns.TrialsColumn is not null)
                throw new InputException($"the number of trials applies to the binomial family, not '{GlmNames.Name(family)}'", nameof(columns));
            return null;
        }
        if (columns.Trials is not null && columns.TrialsColumn is not null)
            throw new InputException("the number of trials: give one for every row or a column of them, not both", nameof(columns));
        if (columns.TrialsColumn is { } trialsColumn)
        {
            var trials = data.Column(trialsColumn).AsArray();
            for (int i = 0; i < trials.Length; i++)
            {
                if (!(trials[i] >= 1 && trials[i] == Math.Floor(trials[i])))
                    throw new InputException($"{data.Source}: {data.DescribeRow(i)}, column '{trialsColumn}': {trials[i]} trials; the number of trials must be a whole number of at least 1");
            }
            return trials;
        }
        if (columns.Trials is { } count)
        {
            if (!(count >= 1 && count == Math.Floor(count)))
                throw new InputException($"number of trials {count}: must be a whole number of at least 1", nameof(columns));
            return count == 1 ? null : Enumerable.Repeat(count, data.Rows).ToArray();
        }
        return null;
    }

    private static void CheckWeights(Dataset data, string? name, double[]? weights)
    {
        if (weights is null)
            return;
        for (int i = 0; i < weights.Length; i++)
        {
            if (!(weights[i] >= 0))
                throw new InputException($"{data.Source}: {data.DescribeRow(i)}, column '{name}': weight {weights[i]} is negative; frequency weights are counts of at least 0");
        }
        if (weights.All(w => w == 0))
            throw new InputException($"{data.Source}: column '{name}': every weight is 0");
    }

    private static void CheckSupport(string name, GlmFamily family, Dataset data, string column, double[] y, double[]? trials, string? trialsColumn)
    {
        for (int i = 0; i < y.Length; i++)
        {
            double v = y[i];
            bool inside = family switch
            {
                GlmFamily.Binomial => v >= 0 && v == Math.Floor(v) && v <= (trials?[i] ?? 1),
                // A Poisson GLM of non-negative non-integers is the Poisson quasi-likelihood (PPML), as statsmodels'
                // GLM and R's glm (with a warning) fit it; the statistics' note says so (GlmStatistics.QuasiNote).
                GlmFamily.Poisson => v >= 0,
                GlmFamily.NegativeBinomial => v >= 0 && v == Math.Floor(v),
                GlmFamily.Gamma => v > 0,
                _ => true,
            };
            if (!inside)
            {
                var detail = trials is not null ? $" with {trials[i]} trials{(trialsColumn is null ? "" : $" (column '{trialsColumn}')")}" : "";
                throw new InputException($"{data.Source}: {data.DescribeRow(i)}, column '{column}': {v}{detail} is outside the support of model '{name}' (family {GlmNames.Name(family)}: {GlmNames.Support(family, trials is not null)})", column);
            }
        }
    }

    // The part of each row's log-density that no parameter touches: log C(n, y), −log y!, −log y.
    // Counts beyond GlmModel.LargeCount: the model's LargeCounts form, whose constants are y log y − y − log y!.
    private static bool LargeCounts(GlmFamily family, double[] y) =>
        family is GlmFamily.Poisson or GlmFamily.NegativeBinomial && y.Any(v => v > GlmModel.LargeCount);

    // A binomial row of more than GlmModel.ManyTrials trials: the model's LargeCounts form takes the rows beyond
    // BinomialModel.StableTrials in Loader's saddle-point form (the constants stay log C(n, y), for the other rows).
    private static bool ManyTrials(GlmFamily family, double[]? trials) =>
        family == GlmFamily.Binomial && trials is not null && trials.Any(n => n > GlmModel.ManyTrials);

    private static double[]? Constants(GlmFamily family, double[] y, double[]? trials) => family switch
    {
        GlmFamily.Binomial when trials is not null => y.Select((v, i) =>
            DeviceMath.LogGamma(trials[i] + 1) - DeviceMath.LogGamma(v + 1) - DeviceMath.LogGamma(trials[i] - v + 1)).ToArray(),
        // Rows below 1 keep the direct form's −log y! (0 for y = 0; a quasi-likelihood's 0 < y < 1 need it too: a review
        // found the log-likelihood 6.6 off where one y passed 10⁶ beside 133 of them).
        GlmFamily.Poisson or GlmFamily.NegativeBinomial when LargeCounts(family, y) =>
            y.Select(v => v >= 1 ? BinomialModel.StirlingTerm(v) : -DeviceMath.LogGamma(v + 1)).ToArray(),
        GlmFamily.Poisson or GlmFamily.NegativeBinomial => y.Select(v => -DeviceMath.LogGamma(v + 1)).ToArray(),
        GlmFamily.Gamma => y.Select(v => -DeviceMath.Log(v)).ToArray(),
        _ => null,
    };
}
