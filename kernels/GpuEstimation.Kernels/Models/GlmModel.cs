using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// A generalized linear model: the linear predictor η = b₀ + Σ bₖ xₖ + offset, the mean μ = g⁻¹(η) through the
/// link g, and y from the family with that mean; each row's log-density multiplied by its frequency weight.
/// Parameters: the intercept b₀ (unless left out), one coefficient per feature column, then the family's own:
/// α for the NB2 negative binomial (variance μ + αμ²), the shape k for the gamma (variance μ²/k), σ for the normal.
/// <list type="bullet">
/// <item>binomial, y successes of n: <c>log f = y log μ + (n − y) log(1 − μ) + log C(n, y)</c></item>
/// <item>Poisson: <c>log f = y log μ − μ − log y!</c></item>
/// <item>NB2, r = 1/α: <c>log f = log Γ(y + r) − log Γ(r) − log y! + r log(r/(r + μ)) + y log(μ/(r + μ))</c></item>
/// <item>gamma: <c>log f = k log k − log Γ(k) + (k − 1) log y − k log μ − k y/μ</c></item>
/// <item>normal: <c>log f = −log σ − ½ log 2π − ½ ((y − μ)/σ)²</c></item>
/// </list>
/// statsmodels: <c>GLM(y, X, family=..., offset=..., freq_weights=...)</c> (same coefficients; its gamma and normal
/// scale is Pearson's, here k and σ are maximum-likelihood estimates), <c>Logit</c>, <c>Probit</c>, <c>Poisson</c>,
/// <c>NegativeBinomial</c>; R: <c>glm</c>, MASS <c>glm.nb</c> (θ = 1/α).
/// </summary>
/// <remarks>
/// One struct for every family and link: they are fields, the same for every row, so each branch on them is uniform
/// across a warp, and the generic kernels stay one per shape. Columns, in order: y; then, where present, the number
/// of trials (binomial), a per-row constant (log C(n, y), −log y!, or −log y: host-computed once, so no row pays for
/// a log-gamma that never changes), the offset, the weight; then the K feature columns. Feature columns are centred
/// as in <see cref="LinearModel"/> when there is an intercept (the centred intercept b₀ + Σ bₖ mₖ is one constant
/// per evaluation, <see cref="Finish"/> maps the gradient back); without one, their means are 0. Where y lies
/// outside the family's support or μ outside the link's range (μ ≤ 0 under an identity link, say), the row gives
/// NaN or −∞, which the host reports.
/// </remarks>
public unsafe struct GlmModel : ILinearPredictorModel<GlmModel>
{
    /// <summary>
    /// The most feature columns. Up to 60 the arguments (3 values for the family's parameter, the centred intercept,
    /// K coefficients) and the P + 1 sums fit the widest term vector, 64, and the kernels keep them in registers; wider
    /// designs take the wide passes, coefficients in device memory (docs/design.md, "Wide designs"). The bound comes
    /// from <see cref="HessianEntry"/>'s packing: design indices below 255.
    /// </summary>
    public const int MaxFeatures = 250;

    /// <summary>
    /// The most feature columns whose means the model carries, centring them (a fixed buffer in the struct, which every
    /// kernel receives as an argument: kept small). Wider designs are not centred: their means must be 0.
    /// </summary>
    public const int MaxCentred = 60;

    /// <summary>The argument that holds the centred intercept γ₀ (0 without an intercept); the coefficients b₁ … b_K follow it.</summary>
    public const int InterceptArgument = RowCurvature.OwnArguments - 1;

    // Fields the device reads come before the fixed buffer (see LinearModel).

    /// <summary>The family.</summary>
    public GlmFamily Family { get; }

    /// <summary>The link.</summary>
    public GlmLink Link { get; }

    /// <summary>The number of feature columns, K.</summary>
    public int Features { get; }

    /// <summary>1 where the model has an intercept parameter, else 0.</summary>
    public int Intercept { get; }

    /// <summary>The column of each row's number of trials (binomial), or −1 (one trial per row).</summary>
    public int TrialsColumn { get; }

    /// <summary>The column of each row's constant term of the log-density, or −1 (none: Bernoulli, normal).</summary>
    public int ConstantColumn { get; }

    /// <summary>The column of the offset added to the linear predictor, or −1.</summary>
    public int OffsetColumn { get; }

    /// <summary>The column of the frequency weights, or −1 (every row once).</summary>
    public int WeightsColumn { get; }

    /// <summary>The column of the first feature; the others follow it.</summary>
    public int FirstFeature { get; }

    /// <summary>
    /// Poisson and NB2 counts beyond <see cref="LargeCount"/>: the constant column holds y log y − y − log y! (not
    /// −log y!) and y log μ − μ − log y! is taken as y (log(1 + t) − t) + that, t = (μ − y)/y, each term small (the
    /// direct form subtracts terms ~y log μ: 1e-3 of a row at counts of 10¹²); NB2 rows (y ≥ 1) are taken in the
    /// binomial saddle-point form (<see cref="NegativeBinomialModel.LargeCountLogDensity"/>, as R's <c>dnbinom</c>).
    /// Binomial fits with a row of more than <see cref="ManyTrials"/> trials: rows of more than
    /// <see cref="BinomialModel.StableTrials"/> trials in the saddle-point form too (the constants stay log C(n, y)).
    /// </summary>
    public bool LargeCounts => _largeCounts != 0;

    // An int, not a bool: a bool field would make the struct non-blittable for the kernels' arguments.
    private readonly int _largeCounts;

    /// <summary>The count beyond which a Poisson or NB2 response is taken in the <see cref="LargeCounts"/> form.</summary>
    public const double LargeCount = 1e6;

    /// <summary>
    /// The trials beyond which (in any row) a binomial fit takes the <see cref="LargeCounts"/> form: below, the direct
    /// form's log C(n, y) ~ n loses ~n·10⁻¹⁶ a row (10⁻¹⁰ at 10⁶ trials), and common data (thousands of trials a row)
    /// keep the logit's sixteen-lane path and their bits.
    /// </summary>
    public const double ManyTrials = 1e6;

    // Read on the host only (Prepare, Finish).
    private fixed double _means[MaxCentred];

    /// <param name="family">The family.</param>
    /// <param name="link">The link; <see cref="Supports"/> says which fit the family.</param>
    /// <param name="means">The mean subtracted from each feature column (all 0 without an intercept).</param>
    /// <param name="intercept">Whether the model has an intercept parameter.</param>
    /// <param name="trials">Whether a column of trials follows y (binomial only).</param>
    /// <param name="constant">Whether a column of per-row constants follows.</param>
    /// <param name="offset">Whether an offset column follows.</param>
    /// <param name="weights">Whether a frequency-weights column follows.</param>
    /// <param name="largeCounts">The <see cref="LargeCounts"/> form (Poisson and NB2 counts, binomial trials).</param>
    public GlmModel(GlmFamily family, GlmLink link, ReadOnlySpan<double> means, bool intercept = true,
        bool trials = false, bool constant = false, bool offset = false, bool weights = false, bool largeCounts = false)
    {
        if (largeCounts && family is not (GlmFamily.Poisson or GlmFamily.NegativeBinomial) && !(family == GlmFamily.Binomial && trials))
            throw new ArgumentException("only Poisson and NB2 counts and binomial trials take the large-count form", nameof(largeCounts));
        _largeCounts = largeCounts ? 1 : 0;
        if (!Supports(family, link))
            throw new ArgumentException($"the {link} link does not fit the {family} family", nameof(link));
        if (means.Length > MaxFeatures)
            throw new ArgumentException($"at most {MaxFeatures} feature columns are supported, {means.Length} were given", nameof(means));
        if (means.Length > MaxCentred && means.IndexOfAnyExcept(0.0) >= 0)
            throw new ArgumentException($"more than {MaxCentred} feature columns are not centred: their means must be 0", nameof(means));
        if (!intercept && means.IndexOfAnyExcept(0.0) >= 0)
            throw new ArgumentException("without an intercept the feature columns are not centred: their means must be 0", nameof(means));
        if (trials && family != GlmFamily.Binomial)
            throw new ArgumentException("only the binomial family reads trials", nameof(trials));
        Family = family;
        Link = link;
        Features = means.Length;
        Intercept = intercept ? 1 : 0;
        int column = 1;
        TrialsColumn = trials ? column++ : -1;
        ConstantColumn = constant ? column++ : -1;
        OffsetColumn = offset ? column++ : -1;
        WeightsColumn = weights ? column++ : -1;
        FirstFeature = column;
        for (int j = 0; j < Math.Min(means.Length, MaxCentred); j++)
            _means[j] = means[j];
    }

    /// <summary>
    /// Whether <paramref name="link"/> fits <paramref name="family"/>: its inverse maps every η, or a region
    /// that a fit can stay in, into the family's mean range. Binomial: logit, probit, cloglog, log, identity;
    /// Poisson and NB2: log, identity; gamma: inverse, log, identity; normal: identity, log, inverse (as statsmodels).
    /// </summary>
    public static bool Supports(GlmFamily family, GlmLink link) => family switch
    {
        GlmFamily.Binomial => link is GlmLink.Logit or GlmLink.Probit or GlmLink.CLogLog or GlmLink.Log or GlmLink.Identity,
        GlmFamily.Poisson or GlmFamily.NegativeBinomial => link is GlmLink.Log or GlmLink.Identity,
        GlmFamily.Gamma or GlmFamily.Normal => link is GlmLink.Inverse or GlmLink.Log or GlmLink.Identity,
        _ => false,
    };

    /// <summary>Whether <paramref name="family"/> has a parameter of its own after the coefficients (α, shape, σ).</summary>
    public static bool HasExtraParameter(GlmFamily family) => family is GlmFamily.NegativeBinomial or GlmFamily.Gamma or GlmFamily.Normal;

    /// <summary>The number of coefficients: the intercept (if any) and one per feature.</summary>
    public readonly int Coefficients => Intercept + Features;

    /// <inheritdoc/>
    public readonly int ParameterCount => Coefficients + (HasExtraParameter(Family) ? 1 : 0);

    /// <inheritdoc/>
    public readonly int ColumnCount => FirstFeature + Features;

    /// <inheritdoc/>
    public readonly int DesignWidth => Coefficients;

    /// <inheritdoc/>
    public readonly int ExtraParameters => HasExtraParameter(Family) ? 1 : 0;

    /// <summary>Design value 0 is the intercept's 1 (where there is one); the others are the centred feature columns.</summary>
    public readonly int DesignColumn(int j) => j < Intercept ? -1 : FirstFeature + j - Intercept;

    /// <summary>γ₀ (the centred intercept, or 0 without one) is argument 3 and bₖ argument 3 + k, so design value j's is j + 4 − Intercept.</summary>
    public readonly int DesignArgument(int j) => j + InterceptArgument + 1 - Intercept;

    /// <summary>The mean subtracted from feature column <paramref name="feature"/> (0-based; 0 beyond <see cref="MaxCentred"/>).</summary>
    public readonly double Mean(int feature) => feature < MaxCentred ? _means[feature] : 0.0;

    /// <inheritdoc/>
    public static int ArgumentCount(in GlmModel model) => model.Features + RowCurvature.OwnArguments;

    /// <summary>
    /// Arguments: first the family's own (<see cref="RowCurvature.OwnArguments"/>, all that <see cref="Curvature"/>
    /// reads) NB2: 1/α, α; gamma: k, k log k − k − log Γ(k), log k − ψ(k); normal: 1/σ, −log σ − ½ log 2π; then, at
    /// <see cref="InterceptArgument"/>, b₀ + Σ bₖ mₖ (0 + ... without an intercept), then b₁ … b_K.
    /// </summary>
    public static void Prepare(in GlmModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        int k = model.Features, first = model.Intercept;
        double centred = first == 1 ? parameters[0] : 0.0;
        for (int j = 0; j < k; j++)
        {
            centred += parameters[first + j] * model.Mean(j);
            arguments[InterceptArgument + 1 + j] = parameters[first + j];
        }
        arguments[InterceptArgument] = centred;
        if (!HasExtraParameter(model.Family))
            return;
        double extra = parameters[model.Coefficients];
        switch (model.Family)
        {
            case GlmFamily.NegativeBinomial:
                arguments[0] = 1.0 / extra;
                arguments[1] = extra;
                break;
            case GlmFamily.Gamma:
                // Each in a form that keeps its digits for a large shape (a response fitted nearly exactly), where
                // k log k − k and log Γ(k), log k and ψ(k), are each much larger than their difference.
                arguments[0] = extra;
                arguments[1] = DeviceMath.XLogXMinusXMinusLogGamma(extra);
                arguments[2] = DeviceMath.LogMinusDigamma(extra);
                break;
            default:
                arguments[0] = 1.0 / extra;
                arguments[1] = -DeviceMath.Log(extra) - KernelConstants.HalfLogTwoPi;
                break;
        }
    }

    /// <summary>With an intercept: ∂/∂bₖ = (sum over centred xₖ) + mₖ · ∂/∂b₀.</summary>
    public static void Finish(in GlmModel model, ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        if (model.Intercept == 0)
            return;
        for (int j = 0; j < model.Features; j++)
            gradient[j + 1] += model.Mean(j) * gradient[0];
    }

    /// <summary>The row's frequency weight (1 without a weights column).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Multiplicity<TRows>(in GlmModel model, in TRows data, long row) where TRows : struct, IDataRows =>
        model.WeightsColumn >= 0 ? data[model.WeightsColumn, row] : 1.0;

    /// <summary>With an intercept the sums are in the centred coordinates γ₀ = b₀ + Σ bₖ mₖ, γₖ = bₖ: C is the identity plus m in row 0.</summary>
    public static bool DesignMap(in GlmModel model, Span<double> map)
    {
        if (model.Intercept == 0)
            return false;
        var copy = model;
        CentredDesign.Map(map, copy.ParameterCount, copy.Features, copy.Mean);
        return true;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in GlmModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        // The loops over the features are walks over the term vectors' leaves (DesignSum, DesignTerms): a loop over k
        // would index the coefficients and the sums at run time, a jump table each on a GPU (docs/design.md, "Term vectors").
        int k = model.Features, first = model.FirstFeature;
        var eta = new DesignSum<TRows>(data, row, first, k, arguments.Get(InterceptArgument));
        arguments.ReadLeaves(ref eta, 0);
        Row<TVec, TRows, FirstOrder>(model, arguments, data, row, eta.Sum, out double w, out var c);
        // A row of weight 0 is not there (its terms might be −∞ · 0).
        if (w == 0)
            return;
        terms.Add(0, w * c.Value);
        double ws = w * c.Eta;
        bool intercept = model.Intercept == 1;
        if (intercept)
            terms.Add(1, ws);
        bool extra = HasExtraParameter(model.Family);
        var gradient = new DesignTerms<TRows>(data, row, first, k, intercept ? 2 : 1, ws, extra, extra ? w * c.Extra : 0.0);
        terms.AddToLeaves(ref gradient, 0);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in GlmModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        Row<TVec, TRows, SecondOrder>(model, arguments, data, row, design, out double w, out curvature);
        curvature.Value *= w;
        curvature.Eta *= w;
        curvature.Extra *= w;
        curvature.EtaEta *= w;
        curvature.EtaExtra *= w;
        curvature.ExtraExtra *= w;
    }

    /// <summary>
    /// The logit's and the Poisson log link's derivatives sixteen rows at a time (<see cref="Lanes16"/>: the per-row
    /// exp and log dominate their native pass, and run at 512 bits where the hardware has them): the same formulas as
    /// <see cref="Curvature"/>, with the vector exp and log (within 2 and 3 ulps of the host's libm, WideDesign's
    /// VectorMath test) for the scalar ones; other families and links, and a block's last rows short of sixteen, one
    /// row at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void CurvatureBlock(in GlmModel model, Vec4 own, in HostRows data, long first, int count, double* design,
        double* derivatives, int stride)
    {
        bool logit = model.Family == GlmFamily.Binomial && model.Link == GlmLink.Logit && !model.LargeCounts;
        if (!logit && !(model.Family == GlmFamily.Poisson && model.Link == GlmLink.Log && !model.LargeCounts))
        {
            RowBlocks.OneByOne(model, own, data, first, count, design, derivatives, stride);
            return;
        }
        double* y = data.Column(0) + first;
        double* trials = model.TrialsColumn >= 0 ? data.Column(model.TrialsColumn) + first : null;
        double* constants = model.ConstantColumn >= 0 ? data.Column(model.ConstantColumn) + first : null;
        double* offsets = model.OffsetColumn >= 0 ? data.Column(model.OffsetColumn) + first : null;
        double* weights = model.WeightsColumn >= 0 ? data.Column(model.WeightsColumn) + first : null;
        int i = 0;
        for (; i + Lanes16.Count <= count; i += Lanes16.Count)
        {
            var eta = Lanes16.Load(design + i);
            if (offsets != null)
                eta += Lanes16.Load(offsets + i);
            var yi = Lanes16.Load(y + i);
            var (logf, score, second) = logit
                ? LogitRows(eta, yi, trials != null ? Lanes16.Load(trials + i) : Lanes16.Create(1.0))
                : PoissonLogRows(eta, yi);
            if (constants != null)
                logf += Lanes16.Load(constants + i);
            var w = weights != null ? Lanes16.Load(weights + i) : Lanes16.Create(1.0);
            StoreBlock(derivatives + i, stride, w.A, weights != null, logf.A, score.A, second.A);
            StoreBlock(derivatives + i + 4, stride, w.B, weights != null, logf.B, score.B, second.B);
            StoreBlock(derivatives + i + 8, stride, w.C, weights != null, logf.C, score.C, second.C);
            StoreBlock(derivatives + i + 12, stride, w.D, weights != null, logf.D, score.D, second.D);
        }
        RowBlocks.OneByOne(model, own, data, first + i, count - i, design + i, derivatives + i, stride);
    }

    // The binomial under its logit link, y successes of n (f = n − y failures): log f without its constant, ∂/∂η and
    // ∂²/∂η², unweighted. With e = e^−|η| and u = 1 + e: log(1 + e) = log(u)·e/(u − 1) (HostRows.Log1p; e itself where
    // u rounds to 1), p = 1/u or e/u by η's sign.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Lanes16 LogF, Lanes16 Score, Lanes16 Second) LogitRows(Lanes16 eta, Lanes16 y, Lanes16 n)
    {
        var one = Lanes16.Create(1.0);
        var zero = Lanes16.Create(0.0);
        var f = n - y;
        var e = VectorMath.Exp(-Lanes16.Abs(eta));
        var u = one + e;
        var softplus = Lanes16.ConditionalSelect(Lanes16.Equal(u, one), e, VectorMath.Log(u) * (e / (u - one)));
        var small = e / u;
        var large = one / u;
        var positive = Lanes16.GreaterThanOrEqual(eta, zero);
        var logP = Lanes16.ConditionalSelect(positive, -softplus, eta - softplus);
        var logQ = Lanes16.ConditionalSelect(positive, -eta - softplus, -softplus);
        var toP = Lanes16.ConditionalSelect(positive, small, large);
        var toQ = Lanes16.ConditionalSelect(positive, large, small);
        var dToQ = small * large;
        var hasY = Lanes16.NotEqual(y, zero);
        var hasF = Lanes16.NotEqual(f, zero);
        return ((hasY & (y * logP)) + (hasF & (f * logQ)),
            (hasY & (y * toP)) - (hasF & (f * toQ)),
            (hasY & (y * -dToQ)) - (hasF & (f * dToQ)));
    }

    // y log μ − μ − log y! with the row's constant (−log y!, or y log y − y − log y! for LargeCounts). The direct form
    // where y = 0 (its constant then 0): NaN for a mean below 0, which stops a search at the edge of the means.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CountLogDensity(in GlmModel model, double y, double mu, double logMu, double constant)
    {
        if (!model.LargeCounts || y < 1)
            return DeviceMath.XLogY(y, logMu) - mu + constant;
        return y * DeviceMath.Log1pMinusXOfRatio(mu, y) + constant;
    }

    // The Poisson GLM under its log link: μ = e^η, log f = y η − μ without its constant (y η is 0 where y = 0, as XLogY
    // gives), ∂/∂η = y − μ, ∂²/∂η² = −μ, unweighted.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Lanes16 LogF, Lanes16 Score, Lanes16 Second) PoissonLogRows(Lanes16 eta, Lanes16 y)
    {
        var mu = VectorMath.Exp(eta);
        return ((Lanes16.NotEqual(y, Lanes16.Create(0.0)) & (y * eta)) - mu, y - mu, -mu);
    }

    // Four rows' weighted derivatives into the block's six rows (value, ∂/∂η, ∂/∂α, ∂²/∂η², ∂²/∂η∂α, ∂²/∂α²; a model
    // without α leaves its three 0). A row of weight 0 is not there (its terms might be −∞ · 0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreBlock(double* at, int stride, Vector256<double> w, bool weighted,
        Vector256<double> logf, Vector256<double> score, Vector256<double> second)
    {
        if (weighted)
        {
            var present = ~Vector256.Equals(w, Vector256<double>.Zero);
            logf = present & (logf * w);
            score = present & (score * w);
            second = present & (second * w);
        }
        Vector256.Store(logf, at);
        Vector256.Store(score, at + stride);
        Vector256.Store(Vector256<double>.Zero, at + 2 * stride);
        Vector256.Store(second, at + 3 * stride);
        Vector256.Store(Vector256<double>.Zero, at + 4 * stride);
        Vector256.Store(Vector256<double>.Zero, at + 5 * stride);
    }

    // One row, unweighted, and its weight, given η's design part b₀ + Σ bₖ xₖ: log f and its first derivatives in
    // (η, α), and where TOrder asks, the second ones (a constant the compilers fold, so the gradient pass carries no
    // second-order arithmetic). A row of weight 0 gets zeros.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TVec, TRows, TOrder>(in GlmModel model, in TVec arguments, in TRows data, long row, double eta, out double w, out RowCurvature c)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
        where TOrder : struct, IDerivativeOrder
    {
        c = default;
        w = model.WeightsColumn >= 0 ? data[model.WeightsColumn, row] : 1.0;
        if (w == 0)
            return;
        if (model.OffsetColumn >= 0)
            eta += data[model.OffsetColumn, row];
        double y = data[0, row];
        double constant = model.ConstantColumn >= 0 ? data[model.ConstantColumn, row] : 0.0;

        double logf, score, extra = 0, etaEta = 0, etaExtra = 0, extraExtra = 0;
        // Loader's saddle point, where a row takes it (a binomial row of many trials, an NB2 row of a large count), is
        // computed once below for both families: one copy of its code in the kernel, which OpenCL compilers take
        // tens of seconds over per copy.
        bool saddle = false;
        double successes = 0, failures = 0, trials = 0, expectedSuccesses = 0, expectedFailures = 0, saddleLog = 0;
        if (model.Family == GlmFamily.Binomial)
        {
            double n = model.TrialsColumn >= 0 ? data[model.TrialsColumn, row] : 1.0;
            Binomial<TRows, TOrder>(model.Link, eta, y, n - y, out logf, out score, out etaEta, out double logP, out double logQ);
            // Many trials: Loader's saddle-point form (the direct one adds log C(n, y) ~ n to terms ~ −n).
            if (model.LargeCounts && n > BinomialModel.StableTrials && y >= 1 && n - y >= 1)
            {
                saddle = true;
                (successes, failures, trials, expectedSuccesses, expectedFailures) = (y, n - y, n, n * TRows.Exp(logP), n * TRows.Exp(logQ));
            }
            else
            {
                logf += constant;
            }
        }
        else
        {
            // μ, dμ/dη and (dμ/dη)/μ, each directly (no 0/0 where μ underflows); (d²μ/dη²)/μ for the second order.
            double mu, slope, relative, curve;
            if (model.Link == GlmLink.Log)
            {
                mu = TRows.Exp(eta);
                slope = mu;
                relative = 1.0;
                curve = 1.0;
            }
            else if (model.Link == GlmLink.Identity)
            {
                mu = eta;
                slope = 1.0;
                relative = 1.0 / eta;
                curve = 0.0;
            }
            else
            {
                mu = 1.0 / eta;
                slope = -mu * mu;
                relative = -mu;
                curve = 2.0 * mu * mu;
            }

            if (model.Family == GlmFamily.Normal)
            {
                double inverseSigma = arguments.Get(0);
                double z = (y - mu) * inverseSigma;
                logf = arguments.Get(1) - 0.5 * z * z;
                score = z * inverseSigma * slope;
                extra = (z * z - 1.0) * inverseSigma;
                if (TOrder.Second)
                {
                    double scaled = slope * inverseSigma;
                    etaEta = z * inverseSigma * curve * mu - scaled * scaled;
                    etaExtra = -2.0 * z * inverseSigma * scaled;
                    extraExtra = (1.0 - 3.0 * z * z) * inverseSigma * inverseSigma;
                }
            }
            else if (model.Family == GlmFamily.Gamma)
            {
                // log f = [k log k − k − log Γ(k)] − log y + k (log(1 + d) − d), d = y/μ − 1: no cancellation near μ = y.
                // Far below the mean (y < μ/2) as log(y/μ) − d (log y − log μ where y/μ is subnormal): there d rounds towards −1, and log(1 + d) was −∞
                // once y/μ fell below 1e-16 (a gamma of shape 0.2 has such rows; every fit of it failed, a hunt).
                double shape = arguments.Get(0);
                double ratio = y / mu;
                double d = ratio - 1.0;
                double m = d >= -0.5 ? DeviceMath.Log1pMinusX(d)
                    : (ratio >= KernelConstants.SmallestNormal ? DeviceMath.Log(ratio) : DeviceMath.Log(y) - DeviceMath.Log(mu)) - d;
                logf = arguments.Get(1) + constant + shape * m;
                score = shape * d * relative;
                extra = arguments.Get(2) + m;
                if (TOrder.Second)
                {
                    etaEta = shape * (d * curve - (1.0 + 2.0 * d) * relative * relative);
                    etaExtra = d * relative;
                    extraExtra = DeviceMath.InverseMinusTrigamma(shape);
                }
            }
            else
            {
                double logMu = model.Link == GlmLink.Log ? eta : DeviceMath.Log(mu);
                if (model.Family == GlmFamily.Poisson)
                {
                    logf = CountLogDensity(model, y, mu, logMu, constant);
                    score = (y - mu) * relative;
                    if (TOrder.Second)
                        etaEta = model.Link == GlmLink.Log ? -mu : (y - mu) * curve - y * relative * relative;
                }
                else
                {
                    // NB2 with r = 1/α, t = αμ: log f = [log Γ(y + r) − log Γ(r) − y log r] − log y! + y log μ − μ
                    // − r (log(1 + t) − t) − y log(1 + t), whose parts stay as small as log f as α → 0 (the Poisson
                    // limit); likewise ∂/∂α = −r² [ψ(y + r) − ψ(r) − y/r] + r² (log(1 + t) − t) + μ(μ − y)/(1 + t).
                    double r = arguments.Get(0);
                    double alpha = arguments.Get(1);
                    double t = alpha * mu;
                    double m = DeviceMath.Log1pMinusX(t);
                    // (The sums in this order below LargeCount: the bits the fits had.) With large counts, log(r/(y + r))
                    // plus the binomial saddle point of r successes in y + r trials (as R's dnbinom): where αμ is large
                    // too, the form above cancels terms ~y log y (0.03 nats at μ ~ 1e10, α = 0.01).
                    if (model.LargeCounts && y >= 1 && y + r >= DeviceMath.AsymptoticArgument)
                    {
                        // NegativeBinomialModel.LargeCountLogDensity's terms, the saddle point below: r successes in
                        // y + r trials (at least 50 of them: below, the form above has nothing large to cancel),
                        // n p = (y + r) r/(r + μ), n q = (y + r) μ/(r + μ); the constant is T(y) here.
                        double ratio = (y + r) / (r + mu);
                        saddle = true;
                        (successes, failures, trials, expectedSuccesses, expectedFailures) = (r, y, y + r, r * ratio, mu * ratio);
                        saddleLog = DeviceMath.Log(r / (y + r));
                        logf = 0;
                    }
                    else
                    {
                        logf = model.LargeCounts
                            ? DeviceMath.LogGammaIncrement(r, y) + CountLogDensity(model, y, mu, logMu, constant) - (r * m + y * TRows.Log1p(t))
                            : DeviceMath.LogGammaIncrement(r, y) + constant + DeviceMath.XLogY(y, logMu) - mu - (r * m + y * TRows.Log1p(t));
                    }
                    score = (y - mu) / (1.0 + t) * relative;
                    double r2 = r * r;
                    // Where the count or the mean passes r, that form's parts are ~y/r or ~t each and cancel (10⁶ at counts
                    // of 10¹² with α = 10⁻⁶: the score 3e-5 off, α stopping 8e-6 short); there ∂/∂α is −r² [log(1 + d) − d
                    // + (log r − ψ(r)) − (log(y + r) − ψ(y + r))], d = (y − μ)/(r + μ), whose parts are as small as it is.
                    // Where r² passes the doubles (α below ~1e-154), the limit at α = 0, ½((y − μ)² − y), to O(α).
                    extra = y > r || t > 1.0
                        ? -r2 * (DeviceMath.Log1pMinusX((y - mu) / (r + mu)) + (DeviceMath.LogMinusDigamma(r) - DeviceMath.LogMinusDigamma(y + r)))
                        : r2 <= double.MaxValue
                            ? r2 * (m - DeviceMath.DigammaIncrementMinusLinear(r, y)) + mu * (mu - y) / (1.0 + t)
                            : 0.5 * ((y - mu) * (y - mu) - y);
                    if (TOrder.Second)
                    {
                        // ∂²/∂α² = r⁴ ∂²/∂r² + 2r³ ∂/∂r, ∂²/∂r² = ψ′(y + r) − ψ′(r) + μ/(r(r + μ)) − (μ − y)/(r + μ)².
                        double onePlus = 1.0 + t, inverse2 = 1.0 / (onePlus * onePlus);
                        etaEta = model.Link == GlmLink.Log
                            ? -mu * (1.0 + alpha * y) * inverse2
                            : (y - mu) / onePlus * curve - (mu * onePlus + (y - mu) * (1.0 + 2.0 * t)) * inverse2 * relative * relative;
                        etaExtra = -(y - mu) * mu * inverse2 * relative;
                        extraExtra = r2 * r2 * DeviceMath.TrigammaIncrement(r, y) + r2 * (mu / onePlus - (mu - y) * inverse2) - 2.0 * r * extra;
                    }
                }
            }
        }
        if (saddle)
        {
            logf = saddleLog + BinomialModel.SaddlePoint(successes, failures, trials, expectedSuccesses, expectedFailures,
                model.Family == GlmFamily.Binomial ? BinomialModel.StirlingTerm(failures) : constant);
        }
        c.Value = logf;
        c.Eta = score;
        c.Extra = extra;
        c.EtaEta = etaEta;
        c.EtaExtra = etaExtra;
        c.ExtraExtra = extraExtra;
    }

    // y successes and f failures: log f = y log p + f log(1 − p) (plus the constant) and its η-derivative
    // y (dp/dη)/p − f (dp/dη)/(1 − p), each factor computed directly for the link so that neither tail loses digits.
    // exp and log1p from TRows: the host's libm on the native backend, DeviceMath in the kernels.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    // The second order: y d(toP)/dη − f d(toQ)/dη.
    private static void Binomial<TRows, TOrder>(GlmLink link, double eta, double y, double f, out double logf, out double score, out double second,
        out double logP, out double logQ)
        where TRows : struct, IDataRows
        where TOrder : struct, IDerivativeOrder
    {
        double toP, toQ, dToP = 0, dToQ = 0;
        if (link == GlmLink.Logit)
        {
            double e = TRows.Exp(-Math.Abs(eta));
            double softplus = TRows.Log1p(e);
            double small = e / (1.0 + e), large = 1.0 / (1.0 + e);
            logP = eta >= 0 ? -softplus : eta - softplus;
            logQ = eta >= 0 ? -eta - softplus : -softplus;
            // (dp/dη)/p = 1 − p, (dp/dη)/(1 − p) = p.
            toP = eta >= 0 ? small : large;
            toQ = eta >= 0 ? large : small;
            if (TOrder.Second)
            {
                dToQ = small * large;
                dToP = -dToQ;
            }
        }
        else if (link == GlmLink.Probit)
        {
            // Only the side a row needs: each costs an erfcx.
            logP = y != 0 ? DeviceMath.LogNormalCdf(eta) : 0.0;
            toP = y != 0 ? DeviceMath.NormalCdfRatio(eta) : 0.0;
            logQ = f != 0 ? DeviceMath.LogNormalCdf(-eta) : 0.0;
            toQ = f != 0 ? DeviceMath.NormalCdfRatio(-eta) : 0.0;
            // r(η) = φ(η)/Φ(η) has r′(η) = −r(η)(η + r(η)).
            if (TOrder.Second)
            {
                dToP = -toP * (eta + toP);
                dToQ = toQ * (toQ - eta);
            }
        }
        else if (link == GlmLink.CLogLog)
        {
            // p = 1 − e^{−u}, u = e^η: log(1 − p) = −u; where u < 2e-16, log p = η − u/2 + ... = η to rounding.
            double u = TRows.Exp(eta);
            logQ = -u;
            logP = eta < -36 ? eta : DeviceMath.LogOneMinusExp(-u);
            toP = u < 1e-300 ? 1.0 : u < 746 ? u / DeviceMath.Expm1(u) : 0.0;
            toQ = u;
            if (TOrder.Second)
            {
                // toP = u/(eᵘ − 1) has derivative −toP·h, h = u/(1 − e^{−u}) − 1, by its series where that cancels.
                double h = u < 0.05 ? u * (0.5 + u * (1.0 / 12 - u * u * (1.0 / 720 - u * u / 30240))) : u / -DeviceMath.Expm1(-u) - 1.0;
                dToP = toP == 0 ? 0.0 : -toP * h;
                dToQ = u;
            }
        }
        else if (link == GlmLink.Log)
        {
            logP = eta;
            logQ = DeviceMath.LogOneMinusExp(eta);
            toP = 1.0;
            toQ = 1.0 / DeviceMath.Expm1(-eta);
            if (TOrder.Second)
                dToQ = toQ * (1.0 + toQ);
        }
        else
        {
            logP = DeviceMath.Log(eta);
            logQ = DeviceMath.Log1p(-eta);
            toP = 1.0 / eta;
            toQ = 1.0 / (1.0 - eta);
            if (TOrder.Second)
            {
                dToP = -toP * toP;
                dToQ = toQ * toQ;
            }
        }
        logf = DeviceMath.XLogY(y, logP) + DeviceMath.XLogY(f, logQ);
        score = (y != 0 ? y * toP : 0.0) - (f != 0 ? f * toQ : 0.0);
        second = (y != 0 ? y * dToP : 0.0) - (f != 0 ? f * dToQ : 0.0);
    }

    private struct FirstOrder : IDerivativeOrder
    {
        public static bool Second => false;
    }

    private struct SecondOrder : IDerivativeOrder
    {
        public static bool Second => true;
    }
}
