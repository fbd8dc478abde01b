using System.Runtime.CompilerServices;
using GpuEstimation.Kernels;
using GpuEstimation.Data;
using GpuEstimation.Kernels.Models;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace GpuEstimation.Models;

/// <summary>The built-in models, by name: each builds its device struct, columns, starting values and scales from a dataset.</summary>
public static class ModelCatalog
{
    private static readonly Dictionary<string, (IReadOnlyList<ParameterInfo> Parameters, string Support, Func<Dataset, string, ReadOnlyMemory<double>?, IModelSpec> Create)> Families = new()
    {
        [NormalModel.Name] = Family<NormalModel>(),
        [LogNormalModel.Name] = Family<LogNormalModel>(),
        [ExponentialModel.Name] = Family<ExponentialModel>(),
        [GammaModel.Name] = Family<GammaModel>(),
        [BetaModel.Name] = Family<BetaModel>(),
        [WeibullModel.Name] = Family<WeibullModel>(),
        [StudentTModel.Name] = Family<StudentTModel>(),
        [CauchyModel.Name] = Family<CauchyModel>(),
        [LaplaceModel.Name] = Family<LaplaceModel>(),
        [LogisticModel.Name] = Family<LogisticModel>(),
        [PoissonModel.Name] = Family<PoissonModel>(),
        [BernoulliModel.Name] = Family<BernoulliModel>(),
        [BinomialModel.Name] = Family<BinomialModel>(),
        [NegativeBinomialModel.Name] = Family<NegativeBinomialModel>(),
        [GeometricModel.Name] = Family<GeometricModel>(),
    };

    /// <summary>
    /// Families whose MLE runs off to the edge of the domain on constant data, with the parameters that must all be
    /// estimated for that to happen (with one of them held the others have a finite MLE) and where they go.
    /// </summary>
    private static readonly Dictionary<string, (string[] Parameters, string Limit, string? Location)> DegenerateOnConstant = new()
    {
        [NormalModel.Name] = (["sigma"], "sigma → 0", "mu"),
        [LogNormalModel.Name] = (["sigma"], "sigma → 0", "mu"),
        [StudentTModel.Name] = (["sigma"], "sigma → 0", "mu"),
        [CauchyModel.Name] = (["scale"], "scale → 0", "location"),
        [LaplaceModel.Name] = (["scale"], "scale → 0", "location"),
        [LogisticModel.Name] = (["scale"], "scale → 0", "location"),
        [GammaModel.Name] = (["shape", "rate"], "shape and rate → ∞", null),
        [BetaModel.Name] = (["alpha", "beta"], "alpha and beta → ∞", null),
        [WeibullModel.Name] = (["shape", "scale"], "shape → ∞", null),
    };

    /// <summary>
    /// Why a model's data determine no finite MLE, kept beside the model until a fit asks (see <see cref="Refusal"/>):
    /// each reason registered, the last that applies said (an exact fit over a far-shifted column, say; held sigma, the
    /// far shift still applies, which one reason per model had lost, a review).
    /// </summary>
    private static readonly ConditionalWeakTable<IModelSpec, List<Degeneracy>> Degenerate = new();

    /// <summary>
    /// Parameters that, all estimated, run off; a location that keeps them running off only where it is estimated or
    /// held at <paramref name="At"/> (the constant's value on its scale: held elsewhere, the scale has a finite MLE).
    /// <paramref name="PriorCures"/>: whether a prior on one of them lets the fit go on (it bounds a posterior that runs
    /// off; it does not condition a far-shifted column, nor make a value's overflow finite). <paramref name="Ridged"/>:
    /// parameters whose normal priors, all given, let the fit go on (exactly collinear columns: a prior with a kink
    /// leaves a lasso's mode a set where the likelihood is flat).
    /// </summary>
    private sealed record Degeneracy(IReadOnlyList<string> Parameters, string Message, string? Location = null, double At = double.NaN, bool PriorCures = true,
        IReadOnlyList<string>? Ridged = null, bool Wide = false);

    private static void Add(IModelSpec model, Degeneracy degeneracy)
    {
        var reasons = Degenerate.GetOrCreateValue(model);
        lock (reasons)
            reasons.Add(degeneracy);
    }

    /// <summary>The name of the linear regression model.</summary>
    public const string LinearName = "linear";

    /// <summary>
    /// The names <see cref="Create"/> accepts. A mixture (<see cref="Mixtures.MixtureSpec.ModelName"/>, listed in
    /// <see cref="Models"/>) is built from its components instead (<see cref="Mixtures.MixtureSpec.Create"/>).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = [.. Families.Keys, LinearName, .. GlmNames.Models];

    /// <summary>The families whose engine sums an exact Hessian (each a linear-predictor model with a constant design).</summary>
    public static IReadOnlyList<string> ExactHessianFamilies { get; } = ["normal", "lognormal", "exponential", "gamma", "poisson", "bernoulli", "binomial", "geometric"];

    /// <summary>
    /// Whether the catalogue's model <paramref name="name"/> has an exact Hessian on the device, so that Newton's method
    /// can serve it: the GLMs, the linear model (which starts at its closed form, so that one pass confirms it and gives
    /// the information) and <see cref="ExactHessianFamilies"/>.
    /// </summary>
    public static bool HasExactHessian(string name) => GlmNames.IsGlm(name) || name == LinearName || ExactHessianFamilies.Contains(name);

    /// <summary>
    /// Why Newton's method cannot serve model <paramref name="name"/> (one without an exact Hessian on the device), and
    /// what can: the other methods, Levenberg–Marquardt first for a least-squares model (<paramref name="leastSquares"/>).
    /// </summary>
    public static string NoExactHessian(string name, bool leastSquares) =>
        $"model '{name}' has no exact Hessian on the device (Newton's method serves the GLMs, the linear model and the families {string.Join(", ", ExactHessianFamilies)}); " +
        $"use {(leastSquares ? "lm (its default), lbfgs or gradient" : "lbfgs or gradient")}";

    /// <summary>Every built-in model: name, parameters, the inputs it reads, support.</summary>
    public static IReadOnlyList<ModelDescription> Models { get; } =
    [
        .. Families.Select(f => new ModelDescription(
            f.Key,
            string.Join(", ", f.Value.Parameters.Select(p => p.Name)),
            f.Key == BinomialModel.Name ? ModelInputs.ColumnWithTrials : ModelInputs.Column,
            f.Value.Support)),
        new ModelDescription(LinearName, "intercept, one per feature column, sigma", ModelInputs.ResponseAndFeatures, "any y"),
        new ModelDescription(GlmNames.Glm, "intercept, one per feature column[, alpha|shape|sigma]", ModelInputs.FamilyResponseAndFeatures,
            "by family: binomial 0 to trials, poisson y >= 0 (non-integers: the quasi-likelihood), negbinomial counts, gamma y > 0, normal any y"),
        new ModelDescription(GlmNames.Logit, "intercept, one per feature column", ModelInputs.BinomialResponseAndFeatures, "y in {0, 1}, or 0 to the row's trials"),
        new ModelDescription(GlmNames.Probit, "intercept, one per feature column", ModelInputs.BinomialResponseAndFeatures, "y in {0, 1}, or 0 to the row's trials"),
        new ModelDescription(Mixtures.MixtureSpec.ModelName, "w1..wK (wK = 1 − the others, not estimated), then each component's parameters numbered (mu1, sigma1, ...)", ModelInputs.Column,
            "each row in the support of some component"),
    ];

    /// <summary>The built-in model <paramref name="name"/> over <paramref name="data"/>.</summary>
    public static IModelSpec Create(string name, Dataset data, ModelColumns columns)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columns);
        if (GlmNames.IsGlm(name))
            return Glm.Create(name, data, columns);
        if (name == LinearName)
        {
            if (columns.Column is not null)
                throw new InputException("model 'linear' reads a response column (Y) and feature columns (X), not a single Column", nameof(columns));
            if (!columns.Intercept)
                throw new InputException("model 'linear' always estimates an intercept; a regression without one is a GLM of the normal family with the identity link, or the linear model with the intercept held at 0", nameof(columns));
            if (columns.Offset is not null)
                throw new InputException($"model 'linear' takes no offset ('{columns.Offset}'); subtract it from the response, or fit a GLM of the normal family", nameof(columns));
        }
        RequireNoGlmColumns(name, columns);
        if (name == Mixtures.MixtureSpec.ModelName)
            throw new InputException("model 'mixture' is built from its components (MixtureSpec.Create) and fitted by EM from several starts (MixtureEstimator.Fit); it has no single-model form here", nameof(name));
        if (name == LinearName)
        {
            return Linear(data,
                columns.Y ?? throw new InputException("model 'linear' needs a response column (Y)", nameof(columns)),
                columns.X ?? []);
        }
        if (!Families.TryGetValue(name, out var family))
            throw new InputException($"unknown model '{name}' (available: {string.Join(", ", Names)})", nameof(name));
        if (columns.Y is not null || columns.X is not null)
            throw new InputException($"model '{name}' reads one Column, not a response (Y) and features (X)", nameof(columns));
        var column = columns.Column ?? throw new InputException($"model '{name}' needs a data Column", nameof(columns));
        return family.Create(data, column, Trials(name, data, columns));
    }

    /// <summary>Normal(mu, sigma) over one column; starts at the sample mean and standard deviation (divisor n).</summary>
    public static ModelSpec<NormalModel> Normal(Dataset data, string column) => Distribution<NormalModel>(data, column);

    /// <summary>
    /// A one-column family over <paramref name="column"/>: the data checked against the family's support (the first
    /// value outside it is an error naming its row), the kernel's columns derived, data-driven starting values.
    /// </summary>
    public static ModelSpec<T> Distribution<T>(Dataset data, string column, ReadOnlyMemory<double>? trials = null) where T : unmanaged, IDistribution<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(column);
        var values = data.Column(column);
        var x = values.Span;
        RequireRows(data);
        // A null array given as the trials converts to an empty column: none given.
        if (trials is { IsEmpty: true })
            trials = null;
        if (trials is { } counts && counts.Length != x.Length)
            throw new ArgumentException($"{counts.Length} numbers of trials for {x.Length} rows", nameof(trials));
        if (T.UsesTrials && trials is null)
            throw new InputException($"model '{T.Name}' needs the number of trials: the same for every row, or a column of them", nameof(trials));
        // Under MPI with the rows spread over the ranks, each rank checks and sums its own rows and the ranks agree
        // (Dataset.Spread): the same start, the same first row outside the support, on every rank.
        var spread = data.Spread;
        if (FirstOutside<T>(values, trials ?? ReadOnlyMemory<double>.Empty, spread) is var (row, value, count))
        {
            var detail = T.UsesTrials ? $" with {count} trials" : "";
            throw new InputException($"{data.Source}: {data.DescribeRow((int)row)}, column '{column}': {value}{detail} is outside the support of {T.Name} ({T.Support})", column);
        }
        ModelSpec<T> spec;
        double first;
        bool allZero, allFirst;
        (double Median, long Count)? tied = null;
        string? far = null;
        using (spread is null ? null : Moments.Spread(spread))
        {
            var start = T.Start(values, trials);
            spec = new ModelSpec<T>(T.Name, default, T.Columns(values, trials), T.Parameters, start, LocationScales<T>(start, data.Rows),
                fisherInformation: p => T.FisherInformation(p.ToArray()), limitAtInfinity: T.LimitAtInfinity, dataChecked: true)
            {
                OtherStarts = T.OtherStarts(values, trials),
                FlatMaximum = T.FlatMaximum(x),
                ScaleParameters = T.ScaleParameters,
                Spread = spread,
            };
            // Each a pass over the data, taken only for the families that ask (the same on every rank).
            first = spread?.ValueAt(values, 0) ?? x[0];
            allZero = (T.Name == ExponentialModel.Name || T.Name == NegativeBinomialModel.Name) && AllEqual(values, 0, spread);
            allFirst = DegenerateOnConstant.ContainsKey(T.Name) && AllEqual(values, first, spread);
            if (T.Name == CauchyModel.Name || T.Name == StudentTModel.Name)
            {
                far = FarOutlier(data, column, values, spec.Start[0], spec.Start[1], spread);
                if (T.Name == CauchyModel.Name && !allFirst)
                    tied = MostTied(values, spec.Start[0], spread);
            }
        }
        // Refused where the scale is estimated (held, at a value wide enough, the log-density is finite).
        if (far is not null)
            Add(spec, new Degeneracy([T.Parameters[1].Name], far, PriorCures: false));
        if (tied is var (median, ties) && 2 * ties > x.Length)
        {
            // More than half the values at one point (the median): at that location, log L ~ (n − 2k) log scale rises
            // without bound as scale → 0 (a trial: 0, 1, 1, 0, 1 ended at scale 2e-16 with advice to rescale).
            Add(spec, new Degeneracy(["location", "scale"],
                $"{data.Source}: column '{column}': {ties} of the {x.Length} values equal {median}, more than half, so at location {median} the Cauchy likelihood grows without bound as scale → 0 and location and scale have no finite maximum-likelihood estimate (hold scale fixed, or location at a value other than {median.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})",
                "location", median));
        }
        if (T.Name == ExponentialModel.Name && allZero)
        {
            // Exponential data all 0: log L = n log(rate) rises without bound (the constant-data refusal's twin; any
            // other constant c has the MLE 1/c).
            Add(spec, new Degeneracy(["rate"],
                $"{data.Source}: column '{column}': all {x.Length} values are 0, so the likelihood grows without bound as rate → ∞ and rate has no finite maximum-likelihood estimate (use data that are not all 0)"));
        }
        if (T.Name == NegativeBinomialModel.Name && allZero)
        {
            // Counts all 0: the likelihood is 1 at p = 1 whatever r is, so with both estimated r is not identified (a
            // fit used to report a meaningless r beside p = 1 as converged). With r held, p = 1 is an edge maximum;
            // with p held, r → 0.
            Add(spec, new Degeneracy(["r", "p"],
                $"{data.Source}: column '{column}': all {x.Length} values are 0, so the likelihood is largest at p → 1 (a mean of 0), where every r fits equally, and r has no maximum-likelihood estimate (fit poisson, whose rate = 0 is the MLE at its edge, or hold r fixed; or use counts that are not all 0)"));
        }
        if (DegenerateOnConstant.TryGetValue(T.Name, out var degenerate) && allFirst)
        {
            double at = T.Name == LogNormalModel.Name ? Math.Log(first) : first;
            string hold = degenerate.Location is { } location ? $"hold {degenerate.Parameters[0]} fixed, or {location} at a value other than {at.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" : $"hold {degenerate.Parameters[0]} fixed";
            Add(spec, new Degeneracy(degenerate.Parameters,
                $"{data.Source}: column '{column}': {(x.Length == 1 ? "its one value is" : $"all {x.Length} values equal")} {first}, so the likelihood grows without bound as {degenerate.Limit} and {string.Join(" and ", degenerate.Parameters)} {(degenerate.Parameters.Length == 1 ? "has" : "have")} no finite maximum-likelihood estimate ({hold}; or use data that vary)",
                degenerate.Location, at));
        }
        return spec;
    }

    // A location-scale family's first units (IDistribution.LocationScale): the location's a standard error's size, the
    // starting scale over √n; the others the default's (a tenth on the log scale of a positive parameter). Null for the
    // other families: the default throughout.
    private static double[]? LocationScales<T>(IReadOnlyList<double> start, long rows) where T : unmanaged, IDistribution<T>
    {
        if (!T.LocationScale || !(start[1] > 0 && double.IsFinite(start[1])))
            return null;
        var scales = Enumerable.Repeat(0.1, start.Count).ToArray();
        scales[0] = start[1] / Math.Sqrt(rows);
        return scales;
    }

    /// <summary>
    /// Why <paramref name="model"/>'s data determine no finite MLE when the parameters <paramref name="free"/> are
    /// estimated (constant data for a scale family, a response fitted exactly), or null. Asked before any iteration.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="free">The parameters estimated.</param>
    /// <param name="held">The values of those held.</param>
    /// <param name="priors">The parameters with a prior (MAP): a prior on one that runs off can bound the posterior, so
    /// the search is left to find its mode or the edge.</param>
    /// <param name="normalPriors">Those of them whose prior is normal (strictly log-concave): a ridge on exactly
    /// collinear columns gives the posterior one mode.</param>
    /// <param name="laplacePriors">Those of them whose prior is Laplace: a lasso over more columns than rows has one
    /// mode in general position (<see cref="NotUnique"/> checks the one found), not over columns that are combinations
    /// of others whatever the rows.</param>
    public static string? Refusal(IModelSpec model, IEnumerable<string> free, IReadOnlyDictionary<string, double> held, IEnumerable<string> priors,
        IEnumerable<string>? normalPriors = null, IEnumerable<string>? laplacePriors = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Degenerate.TryGetValue(model, out var reasons))
            return null;
        var estimated = free.ToHashSet(StringComparer.Ordinal);
        var withPrior = priors.ToHashSet(StringComparer.Ordinal);
        var withNormal = (normalPriors ?? []).ToHashSet(StringComparer.Ordinal);
        var withLaplace = (laplacePriors ?? []).ToHashSet(StringComparer.Ordinal);
        lock (reasons)
        {
            for (int k = reasons.Count - 1; k >= 0; k--)
            {
                var degeneracy = reasons[k];
                if (!degeneracy.Parameters.All(estimated.Contains) || (degeneracy.PriorCures && degeneracy.Parameters.Any(withPrior.Contains))
                    || (degeneracy.Ridged is { } ridged && ridged.All(r => withNormal.Contains(r) || (degeneracy.Wide && withLaplace.Contains(r)))))
                    continue;
                if (degeneracy.Location is { } location && held.TryGetValue(location, out var value) && value != degeneracy.At)
                    continue;
                return degeneracy.Message;
            }
        }
        return null;
    }

    /// <summary>
    /// Records that <paramref name="model"/>'s data determine no finite MLE when all of <paramref name="parameters"/> are
    /// estimated (<see cref="Refusal"/> gives <paramref name="message"/> then): a GLM whose mean fits the response exactly.
    /// </summary>
    internal static void AddDegeneracy(IModelSpec model, IReadOnlyList<string> parameters, string message, bool priorCures = true) =>
        Add(model, new Degeneracy(parameters, message, PriorCures: priorCures));

    /// <summary>
    /// Records <paramref name="model"/>'s exactly collinear design columns (<see cref="Design.Collinearity.Find"/>), so
    /// that a fit is refused with <paramref name="message"/> unless each dependent column's coefficient is held, or has
    /// a normal prior (ridge: the posterior then has one mode; the likelihood alone, or a lasso, is flat along the
    /// dependency, as R's NA coefficients say).
    /// </summary>
    internal static void AddCollinear(IModelSpec model, IReadOnlyList<Design.Collinearity.Dependency> dependencies, string message)
    {
        foreach (var dependency in dependencies)
            Add(model, new Degeneracy([dependency.Column, .. dependency.Involved], message, PriorCures: false, Ridged: [dependency.Column], Wide: dependency.Wide));
    }

    private static readonly ConditionalWeakTable<IModelSpec, Func<IReadOnlyList<string>, string?>> Dependents = new();

    /// <summary>
    /// Records how to find which of <paramref name="model"/>'s coefficients' design columns are combinations of the
    /// others among a set of them (<see cref="NotUnique"/>): a design with fewer rows than columns, which a lasso may fit.
    /// </summary>
    internal static void AddDependents(IModelSpec model, Func<IReadOnlyList<string>, string?> dependent) => Dependents.AddOrUpdate(model, dependent);

    /// <summary>
    /// Why a lasso's mode of <paramref name="model"/>, with <paramref name="active"/> the coefficients estimated off
    /// their prior's kink, is not the only one (a column of theirs a combination of the others: the posterior is flat
    /// along that combination, and the split found means nothing), or null. Only a design with fewer rows than columns
    /// is asked (a collinear one with more is refused before the fit).
    /// </summary>
    public static string? NotUnique(IModelSpec model, IReadOnlyList<string> active) =>
        Dependents.TryGetValue(model, out var dependent) ? dependent(active) : null;

    /// <summary>
    /// The degrees of freedom of <paramref name="fit"/>'s first <paramref name="coefficients"/> parameters (a regression's
    /// coefficients): those estimated, less a lasso's zeros (<see cref="Estimation.FitResult.FreeParameters"/>) and less the exactly
    /// collinear design columns (<see cref="AddCollinear"/>) estimated with every column they combine, which a ridge fits
    /// with one mode but no more information: the estimated columns' rank, as statsmodels' and R's.
    /// </summary>
    internal static int EstimatedRank(IModelSpec model, Estimation.FitResult fit, int coefficients)
    {
        var estimated = fit.Parameters.Take(coefficients).Where(p => !p.Fixed && !fit.Diagnostics.AtPriorKink.Contains(p.Name)).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (!Degenerate.TryGetValue(model, out var reasons))
            return estimated.Count;
        lock (reasons)
            return estimated.Count - reasons.Count(d => d.Ridged is not null && d.Parameters.All(estimated.Contains));
    }

    /// <summary>
    /// Whether least squares of <paramref name="z"/> on <paramref name="features"/> (and an intercept where
    /// <paramref name="intercept"/>) leaves every residual at the rounding level of the terms that make it: an exact fit.
    /// A singular design is no exact fit here (it is refused as collinear).
    /// </summary>
    internal static bool FitsExactly(ReadOnlyMemory<double> z, IReadOnlyList<ReadOnlyMemory<double>> features, bool intercept)
    {
        // Far from zero against its spread, judged as the linear model judges its response: centred, where that is exact.
        if (intercept && ExactCentre(z, null) is var centre && centre != 0)
        {
            double[] centred = [.. z.Span];
            for (int i = 0; i < centred.Length; i++)
                centred[i] -= centre;
            z = centred;
        }
        var fit = ExactOrLeastSquares(z, features, intercept, null);
        return !fit.Singular && z.Length > fit.Coefficients.Length && fit.Exact;
    }

    /// <summary>
    /// Least squares of <paramref name="z"/> on <paramref name="features"/> (and an intercept where
    /// <paramref name="intercept"/>; QR, <see cref="Design.Householder.Fit"/>), its residuals' squares
    /// (<see cref="Residuals"/>), and whether they are exact (at rounding level, <see cref="Rounding"/>). QR's coefficients carry a rounding
    /// error that grows with the rows: an exact fit of 10⁵ rows (y = 4 − x/2, x = 0 … 96 in turn) left residuals ~10
    /// times the rounding level, and was searched for 14 s toward σ → 0 instead of refused. So where the residuals are
    /// within 10⁻⁶ of their terms but not exact, the coefficients are refined once by the corrected semi-normal equations (δ from
    /// RᵀR δ = Xᵀr, one more pass over the rows), and kept where that makes the fit exact. Over rows spread across
    /// ranks (<paramref name="spread"/>), each rank's own rows, the parts combined in order.
    /// </summary>
    private static (double[] Coefficients, bool Singular, ScaledSquares Squares, bool Exact) ExactOrLeastSquares(ReadOnlyMemory<double> z,
        IReadOnlyList<ReadOnlyMemory<double>> features, bool intercept, RowSpread? spread)
    {
        int n = z.Length;
        var (coefficients, singular, r) = Design.Householder.Fit(z, features, intercept, spread: spread);
        var (squares, meanTerms) = Residuals(z, features, coefficients, intercept, spread);
        double level = Rounding(z, features, coefficients, intercept, spread, meanTerms);
        bool exact = level <= ExactLevel;
        if (singular || exact || n <= coefficients.Length || coefficients.Length == 0 || !(level <= 1e-6))
            return (coefficients, singular, squares, exact);
        var delta = Design.Householder.SolveNormal(r, Gradient(z, features, coefficients, intercept, spread));
        var refined = coefficients.Zip(delta, (b, d) => b + d).ToArray();
        var (refinedSquares, refinedTerms) = Residuals(z, features, refined, intercept, spread);
        return Rounding(z, features, refined, intercept, spread, refinedTerms) <= ExactLevel ? (refined, false, refinedSquares, true) : (coefficients, false, squares, false);
    }

    // Xᵀ(z − X b): each column's (the intercept's ones first, where there is one) inner product with the residuals,
    // summed in runs of rows and then in order.
    private static double[] Gradient(ReadOnlyMemory<double> z, IReadOnlyList<ReadOnlyMemory<double>> features, double[] coefficients, bool intercept, RowSpread? spread)
    {
        int p = coefficients.Length, first = intercept ? 1 : 0;
        var runs = RowSpread.Runs(spread, z.Length, p, (from, to, values) =>
        {
            var residuals = new double[ResidualBlock];
            for (int begin = (int)from; begin < to; begin += ResidualBlock)
            {
                int count = (int)Math.Min(ResidualBlock, to - begin);
                ResidualsOf(z, features, coefficients, intercept, begin, residuals.AsSpan(0, count), null);
                if (intercept)
                {
                    for (int i = 0; i < count; i++)
                        values[0] += residuals[i];
                }
                for (int j = 0; j < features.Count; j++)
                {
                    var x = features[j].Span.Slice(begin, count);
                    double sum = 0;
                    for (int i = 0; i < count; i++)
                        sum += x[i] * residuals[i];
                    values[first + j] += sum;
                }
            }
        });
        var g = new double[p];
        for (int c = 0; c < runs.Length; c += p)
        {
            for (int j = 0; j < p; j++)
                g[j] += runs[c + j];
        }
        return g;
    }

    // The rows of a block of residuals (Residuals, Gradient).
    private const int ResidualBlock = 4096;

    // z − X b over the rows [begin, begin + residuals' length), each feature's terms taken column by column (a column may
    // be a file's, mapped into memory) in the order row by row would take them; and where given, each row's sum of the
    // absolute terms.
    private static void ResidualsOf(ReadOnlyMemory<double> z, IReadOnlyList<ReadOnlyMemory<double>> features, double[] coefficients, bool intercept, int begin,
        Span<double> residuals, Span<double> terms)
    {
        int count = residuals.Length, first = intercept ? 1 : 0;
        bool sized = !terms.IsEmpty;
        var zs = z.Span.Slice(begin, count);
        for (int i = 0; i < count; i++)
        {
            residuals[i] = zs[i] - (intercept ? coefficients[0] : 0.0);
            if (sized)
                terms[i] = Math.Abs(zs[i]) + (intercept ? Math.Abs(coefficients[0]) : 0.0);
        }
        for (int j = 0; j < features.Count; j++)
        {
            var x = features[j].Span.Slice(begin, count);
            double c = coefficients[first + j];
            for (int i = 0; i < count; i++)
            {
                residuals[i] -= c * x[i];
                if (sized)
                    terms[i] += Math.Abs(c * x[i]);
            }
        }
    }

    // The residuals' squares (scaled: residuals around 10⁻³⁰⁰ are not an exact fit, nor do those around 10³⁰⁰ make sigma
    // ∞), and the mean over the rows of the sum of the absolute terms that make a residual; runs of rows summed on their
    // own and then in order (RowSpread.Runs: over rows spread across ranks, each rank's own).
    private static (ScaledSquares Squares, double MeanTerms) Residuals(ReadOnlyMemory<double> z, IReadOnlyList<ReadOnlyMemory<double>> features, double[] coefficients,
        bool intercept, RowSpread? spread = null)
    {
        int n = z.Length;
        var runs = RowSpread.Runs(spread, n, 3, (from, to, values) =>
        {
            var squares = new ScaledSquares();
            double terms = 0;
            ResidualBlocks(z, features, coefficients, intercept, from, to, (residuals, sums) =>
            {
                for (int i = 0; i < residuals.Length; i++)
                {
                    squares.Add(residuals[i]);
                    terms += sums[i] / n;
                }
            });
            (values[0], values[1]) = squares.Parts;
            values[2] = terms;
        });
        return ScaledSquares.Total(runs, 3);
    }

    // The residuals' rounding level: the root mean square over the rows of each residual over the terms that make it
    // plus the rows' mean terms (Residuals), runs summed on their own and then in order. The mean terms stand for the
    // coefficients' own rounding where a row's terms are near 0 (y = x: the row x = y = 0 has only the intercept's
    // rounding, 10⁻¹⁶, as residual and as terms); the row's own terms keep one row of a feature at 10⁶ beside values
    // near 1 from making noise of 10⁻⁹ look like rounding, as a level against the largest row's terms did (a review).
    private static double Rounding(ReadOnlyMemory<double> z, IReadOnlyList<ReadOnlyMemory<double>> features, double[] coefficients, bool intercept, RowSpread? spread,
        double meanTerms)
    {
        // Terms past the doubles' range (values near 1e308) say nothing of the residuals' rounding: no exact fit.
        if (!double.IsFinite(meanTerms))
            return double.NaN;
        var runs = RowSpread.Runs(spread, z.Length, 2, (from, to, values) =>
        {
            var ratios = new ScaledSquares();
            ResidualBlocks(z, features, coefficients, intercept, from, to, (residuals, sums) =>
            {
                for (int i = 0; i < residuals.Length; i++)
                {
                    // Terms of 0 make a residual of 0.
                    if (sums[i] + meanTerms > 0)
                        ratios.Add(residuals[i] / (sums[i] + meanTerms));
                }
            });
            (values[0], values[1]) = ratios.Parts;
        });
        return ScaledSquares.Total(runs, 2).Squares.RootMean(z.Length);
    }

    // The rows [from, to) a block of ResidualBlock rows at a time: each block's residuals and their terms' sums (ResidualsOf).
    private static void ResidualBlocks(ReadOnlyMemory<double> z, IReadOnlyList<ReadOnlyMemory<double>> features, double[] coefficients, bool intercept, long from, long to,
        Action<ReadOnlySpan<double>, ReadOnlySpan<double>> block)
    {
        var residuals = new double[ResidualBlock];
        var terms = new double[ResidualBlock];
        for (int begin = (int)from; begin < to; begin += ResidualBlock)
        {
            int count = (int)Math.Min(ResidualBlock, to - begin);
            ResidualsOf(z, features, coefficients, intercept, begin, residuals.AsSpan(0, count), terms.AsSpan(0, count));
            block(residuals.AsSpan(0, count), terms.AsSpan(0, count));
        }
    }

    // The rounding level (Rounding) at or below which the residuals are an exact fit, whatever the data's magnitude.
    private const double ExactLevel = 64 * UnitRoundoff;

    // Where a value lies so far from the start's location, in its scale, that z² passes the doubles' range (|z| past
    // √(largest double), 1.34e154), the reason naming its row, else null. The Cauchy and Student-t log-densities take
    // log(1 + z²), which overflowed to −∞ there, and the fit failed at its start without naming the row (a trial: one
    // value of 1e200 among values near 1).
    private static string? FarOutlier(Dataset data, string column, ReadOnlyMemory<double> x, double location, double scale, Data.RowSpread? spread)
    {
        double far = Math.Sqrt(double.MaxValue);
        long FirstFar(long from, long to)
        {
            var span = x.Span;
            for (long row = from; row < to; row++)
            {
                if (!(Math.Abs(span[(int)row] - location) / scale < far))
                    return row;
            }
            return -1;
        }
        return double.IsFinite(location) && scale > 0 && Data.RowSpread.FirstWhere(spread, x.Length, FirstFar, x) is var (row, found)
            ? $"{data.Source}: {data.DescribeRow((int)row)}, column '{column}': {found[0]} lies more than {far:G3} times the data's spread ({scale:G3}) from their centre ({location:G6}), " +
                "where the log-density's (x − location)²/scale² passes the doubles' range: remove the row, rescale the data, or hold the scale at a value wide enough"
            : null;
    }

    // The median (the Cauchy start's location, CauchyModel.Start) and how many values equal it (collectively over rows
    // spread across ranks): a Cauchy sample with more than half its values at one point has them at its median.
    private static (double Median, long Count) MostTied(ReadOnlyMemory<double> x, double median, Data.RowSpread? spread)
    {
        long Count(long from, long to)
        {
            var span = x.Span;
            long count = 0;
            for (long row = from; row < to; row++)
                count += span[(int)row] == median ? 1 : 0;
            return count;
        }
        return (median, spread is null ? Count(0, x.Length) : (long)spread.EachProcess(Count(spread.First, spread.End)).Sum());
    }

    // Whether every value equals `value`: over rows spread across ranks, each rank's own rows, and all ranks agree.
    private static bool AllEqual(ReadOnlyMemory<double> x, double value, Data.RowSpread? spread)
    {
        long FirstOther(long from, long to)
        {
            var span = x.Span;
            for (long row = from; row < to; row++)
            {
                if (span[(int)row] != value)
                    return row;
            }
            return -1;
        }
        return Data.RowSpread.FirstWhere(spread, x.Length, FirstOther) is null;
    }

    // The first row whose value (and number of trials, where the family reads them) lies outside family T's support:
    // its row, value and trials; null where none does.
    private static (long Row, double Value, double Trials)? FirstOutside<T>(ReadOnlyMemory<double> x, ReadOnlyMemory<double> trials, Data.RowSpread? spread)
        where T : unmanaged, IDistribution<T>
    {
        long FirstIn(long from, long to)
        {
            ReadOnlySpan<double> values = x.Span, counts = trials.Span;
            for (long row = from; row < to; row++)
            {
                if (!T.InSupport(values[(int)row], counts.IsEmpty ? 0 : counts[(int)row]))
                    return row;
            }
            return -1;
        }
        return Data.RowSpread.FirstWhere(spread, x.Length, FirstIn, x, trials.IsEmpty ? x : trials) is var (row, found)
            ? (row, found[0], trials.IsEmpty ? 0 : found[1])
            : null;
    }

    private static (IReadOnlyList<ParameterInfo>, string, Func<Dataset, string, ReadOnlyMemory<double>?, IModelSpec>) Family<T>() where T : unmanaged, IDistribution<T> =>
        (T.Parameters, T.Support, (data, column, trials) => Distribution<T>(data, column, trials));

    private static ReadOnlyMemory<double>? Trials(string name, Dataset data, ModelColumns columns)
    {
        if (name != BinomialModel.Name)
        {
            if (columns.Trials is not null || columns.TrialsColumn is not null)
                throw new InputException($"the number of trials applies to model 'binomial', not '{name}'", nameof(columns));
            return null;
        }
        if (columns.Trials is not null && columns.TrialsColumn is not null)
            throw new InputException("the number of trials: give one for every row or a column of them, not both", nameof(columns));
        if (columns.TrialsColumn is { } trialsColumn)
            return data.Column(trialsColumn);
        if (columns.Trials is { } trials)
        {
            if (!(trials >= 1 && trials == Math.Floor(trials)))
                throw new InputException($"number of trials {trials}: must be a whole number of at least 1", nameof(columns));
            // Over rows spread across ranks, the rank's own rows only, in memory taken only there.
            if (data.Spread is { } spread)
            {
                var own = spread.Allocate(data.Rows);
                own.Span[(int)spread.First..(int)spread.End].Fill(trials);
                return own;
            }
            return Enumerable.Repeat(trials, data.Rows).ToArray();
        }
        return null;
    }

    /// <summary>
    /// Linear regression of <paramref name="y"/> on <paramref name="x"/> with an intercept; parameters
    /// <c>intercept</c>, one per feature column (named after it) and <c>sigma</c>. Starts at least squares (QR, refined
    /// once where the fit is nearly exact). Over rows spread across MPI ranks (<see cref="Dataset.Spread"/>), each rank
    /// reduces and sums its own rows in runs (<see cref="RowSpread.Runs"/>), with one process's bits; HC2 and HC3 (each
    /// row's leverage) then need the data read whole.
    /// </summary>
    public static ModelSpec<LinearModel> Linear(Dataset data, string y, IReadOnlyList<string> x)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count == 0)
            throw new InputException("model 'linear' needs at least one feature column (X); with none, y ~ 1, it is the normal family (model 'normal' on the response)", nameof(x));
        // The columns where they lie (a file's, mapped into memory, is not loaded): the response is read as it is and
        // the features centred into one aligned copy each, which the native backend reads where it lies.
        var yValues = data.Column(y);
        var features = x.Select(c => data.Column(c)).ToArray();
        RequireRows(data);
        var names = new[] { "intercept" }.Concat(x).Append("sigma").ToArray();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InputException($"feature columns: parameter name '{duplicate.Key}' would appear twice (a feature column may not be named intercept or sigma, nor given twice)", nameof(x));

        if (features.Length > LinearModel.MaxFeatures)
            throw new InputException($"feature columns: at most {LinearModel.MaxFeatures} are supported, {features.Length} were given", nameof(x));
        if (x.Contains(y, StringComparer.Ordinal))
            throw new InputException($"feature columns: '{y}' is the response; a response given as its own feature fits exactly and leaves sigma no positive estimate", nameof(x));
        if (data.Rows <= features.Length + 1)
            throw new InputException($"{data.Source}: {data.Rows} row{(data.Rows == 1 ? "" : "s")} for {features.Length + 1} coefficients and sigma: a linear model needs more rows than coefficients, whatever the priors on them (the mean then fits every row, and sigma's maximum is at 0)", nameof(data));

        // Under MPI with the rows spread over the ranks, each rank sums and reduces its own rows and the ranks combine the
        // parts in order (Dataset.Spread): the same start and checks, with one process's bits, on every rank.
        var spread = data.Spread;
        using var statistics = spread is null ? null : Moments.Spread(spread);
        var means = features.Select(f => Moments.Mean(f.Span)).ToArray();
        var shift = Design.Collinearity.FarShift(data.Source, x, features, means);
        // The device reads the features centred, and the response where that is exact (see LinearModel); the parameters
        // stay those of the raw columns.
        double responseMean = ExactCentre(yValues, spread);
        var columns = new List<ReadOnlyMemory<double>> { responseMean == 0 ? yValues : ColumnArrays.CentredAligned(yValues.Span, responseMean, spread) };
        columns.AddRange(features.Select((f, j) => ColumnArrays.CentredAligned(f.Span, means[j], spread)));
        // The start from the response as the device reads it: centred, its residuals are judged against the terms of
        // the centred response (10¹³ + 3x + noise of 0.1 was called an exact fit against terms of 10¹³, a trial).
        var (start, scales, exact, singular) = LeastSquaresStart(columns[0], features, means, spread, responseMean);
        // A constant or collinear feature (given straight from C#, or under a ridge's normal priors: a formula or the
        // flags check the design first) is refused at the fit naming the columns, as there, unless a normal prior on
        // each dependent column's coefficient gives the posterior one mode; a fit is not wandered into a split of no
        // meaning with a singular Hessian. The start then has every slope 0.
        var collinear = singular ? Design.Collinearity.Find(data, x, intercept: true) : ([], null);
        // The centred features as arrays for the hat matrix's host sums (HC2, HC3), copied once when first asked (an
        // aligned column is not a whole array): the leverages and the coefficients rows of leverage 1 fit both read them.
        double[][]? centredArrays = null;
        double[][] CentredArrays() => centredArrays ??= [.. columns.Skip(1).Select(c => c.AsArray())];
        var spec = new ModelSpec<LinearModel>(
            LinearName,
            new LinearModel(means, responseMean),
            columns,
            names.Select((n, k) => new ParameterInfo(n, k == names.Length - 1 ? ParameterDomain.Positive : ParameterDomain.Real)).ToArray(),
            start,
            scales,
            coefficients: x,
            dataChecked: true)
        {
            // statsmodels' OLS counts the coefficients only in its HC1 and cluster corrections.
            ScaleParameters = ["sigma"],
            Spread = spread,
            // The hat matrix's diagonal is a value of every row, which a rank of spread rows does not hold.
            LeveragesFrom = spread is null ? () => Leverages(CentredArrays(), yValues.Length)
                : () => throw new InputException($"{data.Source}: HC2 and HC3 weigh each row by its leverage, which needs every row: read the data whole on each MPI rank for them"),
            FittedOnlyByFrom = rows => FittedOnlyBy(["intercept", .. x], CentredArrays(), means, yValues.Length, rows),
        };
        // Refused at the fit where the intercept and that slope are both estimated (through the origin, with the
        // intercept held, the raw column is well conditioned).
        if (shift is { } far)
            Add(spec, new Degeneracy(["intercept", far.Column], far.Message, PriorCures: false));
        if (collinear.Problems.Count > 0)
            AddCollinear(spec, collinear.Problems, collinear.Message!);
        if (exact)
        {
            // Exact with every coefficient estimated; with one held (NoInt1's intercept at 0) the residuals are others.
            Add(spec, new Degeneracy(names,
                $"{data.Source}: the features fit response '{y}' exactly (every residual is zero to rounding), so sigma has no positive maximum-likelihood estimate (hold sigma fixed, at any value, for the coefficients of the exact fit)"));
        }
        return spec;
    }

    /// <summary>
    /// The coefficients (intercept, then one per feature, named <paramref name="names"/>) that a change of row i's
    /// response moves, for each of <paramref name="rows"/>: (XᵀX)⁻¹ xᵢ, in the centred coordinates (the intercept's
    /// part 1/n, the slopes' (X̃ᵀX̃)⁻¹ x̃ᵢ) carried to the raw ones (b₀ = c − Σ bⱼ mⱼ), each part weighed by its column's
    /// spread (1 for the intercept) and kept above 10⁻⁸ of the largest. For a row of leverage 1 these are the
    /// coefficients it alone fits.
    /// </summary>
    private static string[] FittedOnlyBy(string[] names, double[][] centred, IReadOnlyList<double> means, int n, IReadOnlyList<int> rows)
    {
        int k = centred.Length;
        var gram = Gram(centred, n);
        var spread = centred.Select(c => Math.Sqrt(c.Sum(v => v * v) / Math.Max(1, n))).ToArray();
        var moved = new SortedSet<int>();
        foreach (int row in rows)
        {
            var slopes = k == 0 ? [] : gram.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(k, j => centred[j][row])).ToArray();
            double intercept = 1.0 / n - slopes.Select((d, j) => d * means[j]).Sum();
            var weighed = new[] { Math.Abs(intercept) }.Concat(slopes.Select((d, j) => Math.Abs(d) * spread[j])).ToArray();
            double largest = weighed.Max();
            for (int j = 0; j < weighed.Length; j++)
            {
                if (weighed[j] > 1e-8 * largest)
                    moved.Add(j);
            }
        }
        return [.. moved.Select(j => names[j])];
    }

    /// <summary>X̃ᵀX̃ of <paramref name="centred"/> features over <paramref name="rows"/> rows, each entry summed in row order.</summary>
    private static MathNet.Numerics.LinearAlgebra.Matrix<double> Gram(double[][] centred, int rows)
    {
        int k = centred.Length;
        var gram = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(k, k);
        for (int a = 0; a < k; a++)
        {
            for (int b = a; b < k; b++)
            {
                double sum = 0;
                for (int i = 0; i < rows; i++)
                    sum += centred[a][i] * centred[b][i];
                gram[a, b] = gram[b, a] = sum;
            }
        }
        return gram;
    }

    /// <summary>
    /// The hat matrix's diagonal of a design of an intercept and <paramref name="centred"/> features (each centred on
    /// its mean): hᵢ = 1/n + x̃ᵢᵀ (X̃ᵀX̃)⁻¹ x̃ᵢ, the intercept's column orthogonal to the centred ones.
    /// </summary>
    private static double[] Leverages(double[][] centred, int rows)
    {
        int k = centred.Length;
        var gram = Gram(centred, rows);
        var inverse = k == 0 ? gram : gram.Inverse();
        var leverages = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double h = 1.0 / rows;
            for (int a = 0; a < k; a++)
            {
                double row = 0;
                for (int b = 0; b < k; b++)
                    row += inverse[a, b] * centred[b][i];
                h += centred[a][i] * row;
            }
            leverages[i] = h;
        }
        return leverages;
    }

    /// <summary>
    /// Least squares by a blocked Householder QR of [1 X y] (blocks of rows stacked under the running R), so the start
    /// is as accurate as QR on ill-conditioned designs while memory stays O(p²). A singular design starts flat.
    /// <paramref name="means"/>: the features' means, as the model centres them; <paramref name="centre"/>: what
    /// <paramref name="y"/> is the response less (its exact centre, or 0), added back to the intercept.
    /// </summary>
    private static (double[] Start, double[] Scales, bool Exact, bool Singular) LeastSquaresStart(ReadOnlyMemory<double> y, IReadOnlyList<ReadOnlyMemory<double>> features,
        IReadOnlyList<double> means, RowSpread? spread, double centre)
    {
        int n = y.Length, k = features.Count, p = k + 1;
        var (coefficients, singular, squares, exact) = ExactOrLeastSquares(y, features, intercept: true, spread);
        // A singular design's split among its collinear columns means nothing (its fit is refused unless a ridge's priors
        // make the posterior's mode unique): the slopes start at 0.
        if (singular || coefficients.Any(v => !double.IsFinite(v)) || coefficients.All(v => v == 0))
        {
            Array.Clear(coefficients);
            coefficients[0] = Moments.Mean(y.Span);
            (squares, double meanTerms) = Residuals(y, features, coefficients, intercept: true, spread);
            exact = Rounding(y, features, coefficients, intercept: true, spread, meanTerms) <= ExactLevel;
        }
        // Scaled: residuals around 10⁻³⁰⁰ are not an exact fit, nor do those around 10³⁰⁰ make sigma ∞.
        double sigma = squares.RootMean(n);
        double sdY = Moments.StandardDeviation(y.Span);
        double yScale = sdY > 0 ? sdY : 1.0;

        var start = new double[k + 2];
        var scales = new double[k + 2];
        coefficients.CopyTo(start, 0);
        start[0] += centre;
        scales[0] = yScale;
        for (int j = 0; j < k; j++)
        {
            double sdX = Moments.StandardDeviation(features[j].Span);
            scales[j + 1] = sdX > 0 ? yScale / sdX : 1.0;
            scales[0] += Math.Abs(means[j]) * scales[j + 1];
        }
        start[k + 1] = sigma > 0 ? sigma : yScale;
        scales[k + 1] = 0.1;
        return (start, scales, exact, singular);
    }

    /// <summary>
    /// The mean of <paramref name="y"/> where every value lies within a factor 2 of it (so that each y − ȳ is exact, by
    /// Sterbenz's lemma: data far from zero against their spread, such as 10¹² ± 10³), else 0. Centring such a response
    /// costs no digit and keeps the residuals' differences small; centring any other would round each y − ȳ.
    /// </summary>
    private static double ExactCentre(ReadOnlyMemory<double> y, RowSpread? spread)
    {
        double mean = Moments.Mean(y.Span);
        if (!(double.IsFinite(mean) && mean != 0))
            return 0;
        double low = Math.Abs(mean) / 2, high = 2 * Math.Abs(mean);
        long FirstFar(long from, long to)
        {
            var span = y.Span;
            for (long row = from; row < to; row++)
            {
                double size = mean > 0 ? span[(int)row] : -span[(int)row];
                if (!(size >= low && size <= high))
                    return row;
            }
            return -1;
        }
        return RowSpread.FirstWhere(spread, y.Length, FirstFar) is null ? mean : 0;
    }

    /// <summary>The spacing of doubles at 1 (2⁻⁵²).</summary>
    private const double UnitRoundoff = 2.220446049250313e-16;

    // The GLM-only inputs, named for a model that does not read them.
    private static void RequireNoGlmColumns(string name, ModelColumns columns)
    {
        var given = new (string Label, bool Given)[]
        {
            (nameof(ModelColumns.Family), columns.Family is not null), (nameof(ModelColumns.Link), columns.Link is not null),
            (nameof(ModelColumns.Offset), columns.Offset is not null), (nameof(ModelColumns.Weights), columns.Weights is not null),
            ($"{nameof(ModelColumns.Intercept)} = false", !columns.Intercept),
        }.Where(g => g.Given).Select(g => g.Label).ToList();
        if (given.Count > 0)
            throw new InputException($"model '{name}' does not read {string.Join(", ", given)}: those go with the generalized linear models ({string.Join(", ", GlmNames.Models)})", nameof(columns));
    }

    private static void RequireRows(Dataset data)
    {
        if (data.Rows == 0)
            throw new InputException($"{data.Source}: the dataset is empty");
    }

}
