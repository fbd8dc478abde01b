using GpuEstimation.Backends;
using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>
/// Evaluates one model's total log-likelihood and gradient over one dataset on one device. The data is uploaded
/// and the kernel loaded once, here; every <see cref="Evaluate"/> is then one launch and one small read-back (on the
/// native backend, one parallel pass over host memory).
/// </summary>
public sealed class LikelihoodEngine<TModel> : ILikelihoodEngine where TModel : unmanaged, ILikelihoodModel<TModel>
{
    private readonly IEvaluator _evaluator;

    /// <param name="device">The device; borrowed, not disposed here.</param>
    /// <param name="model">The model, with its fixed configuration.</param>
    /// <param name="columns">
    /// The model's data columns, in the order it reads them, all of one length: arrays, or a file's doubles mapped into
    /// memory (<see cref="Data.Dataset.Column"/>). The native backend reads a single column (and columns that lie one
    /// after another) where it lies, pinned, not copied, so the values must not change while the engine lives.
    /// </param>
    /// <param name="modelName">The model's name in error messages (by default the model type's name).</param>
    /// <param name="spread">
    /// Under MPI, where each rank has read only its own rows of the columns (<see cref="Data.Dataset.Spread"/>): which
    /// rows, which the passes evaluate: the native backend's chunks, or an accelerator's row blocks, of the rank's own rows.
    /// </param>
    public LikelihoodEngine(ComputeDevice device, TModel model, IReadOnlyList<ReadOnlyMemory<double>> columns, string? modelName = null,
        Data.RowSpread? spread = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count != model.ColumnCount)
            throw new ArgumentException($"the model reads {model.ColumnCount} columns, {columns.Count} were given", nameof(columns));
        if (columns.Any(c => c.Length != columns[0].Length))
            throw new ArgumentException("all columns must have the same length", nameof(columns));

        // Under MPI each rank evaluates its chunks of the data it read itself: the same data on every rank, or an error
        // (a file whose rows are spread over the ranks was compared as it was read: RowSpread.Over).
        if (spread is null)
            Backends.RowCollective.Current.CheckSameData(columns);
        else if (spread.Ranks != Backends.RowCollective.Current || columns.Any(c => c.Length != spread.Rows))
            throw new ArgumentException($"the columns are spread over {spread.Rows} rows of other ranks than this engine's", nameof(spread));
        else if (device.Backend == Backend.Native ? spread.Unit != Backends.RowCollective.RowAlignment : spread.Unit % KernelBlocks.BlockRowsFor(Math.Max(1, columns.Count)) != 0)
            // The passes evaluate the rows of the native backend's chunks, or of the accelerator's row blocks, each rank its own.
            throw new ArgumentException($"the ranks' rows come in units of {spread.Unit}, which {device.Kind} does not evaluate by (Data.RowSpread.UnitFor)", nameof(spread));
        Spread = spread;
        Device = device;
        Model = model;
        ModelName = modelName ?? typeof(TModel).Name;
        ParameterCount = model.ParameterCount;
        Rows = columns.Count == 0 ? 0 : columns[0].Length;
        // The term vector carries both the P + 1 sums and the model's per-evaluation arguments.
        int terms = Math.Max(model.ParameterCount + 1, TModel.ArgumentCount(model));
        _evaluator = terms switch
        {
            <= 4 => Create<Vec4>(columns),
            <= 8 => Create<Twice<Vec4>>(columns),
            <= 16 => Create<Twice<Twice<Vec4>>>(columns),
            <= 32 => Create<Twice<Twice<Twice<Vec4>>>>(columns),
            <= 64 => Create<Twice<Twice<Twice<Twice<Vec4>>>>>(columns),
            // Wider: a linear-predictor model's coefficients go to memory (docs/design.md, "Wide designs"); other
            // models only for the arguments (a 16-component mixture prepares up to 144), the sums staying at most 64.
            _ => HessianPasses.Wide(this, columns, device.Backend switch
                {
                    Backend.Native => null,
                    Backend.OpenCL => typeof(SharedTreeSum),
                    _ => typeof(WarpShuffleSum),
                })
                ?? (terms <= 128 && model.ParameterCount < 64
                    ? Create<Twice<Twice<Twice<Twice<Twice<Vec4>>>>>>(columns)
                    : throw new ArgumentException($"at most 63 parameters are supported, the model has {model.ParameterCount} (only a linear-predictor model has more)", nameof(model))),
        };
    }

    /// <summary>Where each MPI rank read only its own rows of the columns: which (null: every rank read them all).</summary>
    internal Data.RowSpread? Spread { get; }

    /// <summary>The device that runs the kernel.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The model.</summary>
    public TModel Model { get; }

    /// <summary>The model's name, as errors give it.</summary>
    public string ModelName { get; }

    /// <summary>The number of observations.</summary>
    public int Rows { get; }

    /// <summary>
    /// The data's row blocks on an accelerator (none on the native backend): all of them, and those streamed through
    /// the device because they do not fit there (docs/design.md, "Row blocks and streaming"). Streamed or not, the
    /// results are the same bits.
    /// </summary>
    public (int Streamed, int Count) RowBlocks => _evaluator.RowBlocks;

    /// <inheritdoc/>
    public int SweepPointsAtOnce => _evaluator.SweepPointsAtOnce;

    /// <summary>The number of parameters.</summary>
    // Read once: a family's count comes from an interface default (its Parameters list), not worth calling per evaluation.
    public int ParameterCount { get; }

    /// <summary>
    /// The total log-likelihood at <paramref name="parameters"/> (natural scale); its gradient is written to
    /// <paramref name="gradient"/>. Both come from one pass over the data; at the point of the last
    /// <see cref="EvaluateHessian"/> (where a Newton fit ends), from that pass's sums, without another.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        if (gradient.Length != ParameterCount)
            throw new ArgumentException($"expected room for {ParameterCount} gradient values, got {gradient.Length}", nameof(gradient));
        // Where the last Hessian pass was (a Newton fit's end point, which the fit evaluates once more): its sums.
        if (_hessianPoint is not null && parameters.SequenceEqual(_hessianPoint))
        {
            _hessianGradient.CopyTo(gradient);
            return _hessianValue;
        }
        return _evaluator.Evaluate(parameters, gradient);
    }

    // The last Hessian pass's point, value and gradient (bit for bit the point: the same parameters give these).
    private double[]? _hessianPoint;
    private double _hessianValue;
    private double[] _hessianGradient = [];

    /// <summary>Whether <see cref="EvaluateHessian"/> is offered: the model is an <see cref="ILinearPredictorModel{TSelf}"/>.</summary>
    public bool HasExactHessian => _evaluator.Hessian is not null;

    /// <summary>
    /// The total log-likelihood at <paramref name="parameters"/> (natural scale), its gradient and its exact Hessian
    /// (P×P, row-major) from one pass over the data, summed in a fixed order.
    /// </summary>
    public double EvaluateHessian(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian)
    {
        var pass = _evaluator.Hessian ?? throw new NotSupportedException($"model {ModelName} has no exact Hessian: it is not a linear-predictor model");
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        if (gradient.Length != ParameterCount)
            throw new ArgumentException($"expected room for {ParameterCount} gradient values, got {gradient.Length}", nameof(gradient));
        if (hessian.Length != ParameterCount * ParameterCount)
            throw new ArgumentException($"expected room for {ParameterCount * ParameterCount} Hessian values, got {hessian.Length}", nameof(hessian));
        double value = pass.Evaluate(parameters, gradient, hessian);
        _hessianPoint = parameters.ToArray();
        _hessianValue = value;
        _hessianGradient = gradient.ToArray();
        _hessianInDesign = pass.DesignMap is null ? null : hessian.ToArray();
        if (pass.DesignMap is { } map)
            DesignCoordinates.ToParameters(map, hessian);
        return value;
    }

    // The last Hessian pass's Hessian in the design's coordinates, where the model has a map (DesignHessian).
    private double[]? _hessianInDesign;

    /// <inheritdoc/>
    public HessianInDesign? DesignHessian(ReadOnlySpan<double> parameters)
    {
        if (_evaluator.Hessian?.DesignMap is not { } map)
            return null;
        int passes = 0;
        if (_hessianPoint is null || !parameters.SequenceEqual(_hessianPoint))
        {
            EvaluateHessian(parameters, new double[ParameterCount], new double[ParameterCount * ParameterCount]);
            passes = 1;
        }
        return new HessianInDesign(_hessianInDesign!.ToArray(), map.ToArray(), _hessianGradient.ToArray(), passes);
    }

    /// <inheritdoc/>
    public double[]? DesignMap => _evaluator.Hessian?.DesignMap?.ToArray();

    /// <summary>The normal equations of least squares where the model is a nonlinear regression; else null.</summary>
    public ILeastSquares? LeastSquares => _evaluator.LeastSquares;

    /// <summary>
    /// The log-likelihood at each of <paramref name="points"/> (natural-scale parameter vectors): one launch per tile
    /// of points over (point, data chunk), not one evaluation per point.
    /// </summary>
    public double[] LogLikelihoods(IReadOnlyList<double[]> points)
    {
        foreach (var point in points)
        {
            if (point.Length != ParameterCount)
                throw new ArgumentException($"expected {ParameterCount} parameters per point, got {point.Length}", nameof(points));
        }
        var output = new double[points.Count];
        if (points.Count > 0)
            _evaluator.Sweep(points, output);
        return output;
    }

    /// <summary>The log-density of each observation at <paramref name="parameters"/> (natural scale).</summary>
    public double[] LogDensities(ReadOnlySpan<double> parameters)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        var output = new double[Rows];
        _evaluator.Pointwise(parameters, output);
        return output;
    }

    /// <summary>
    /// Σᵢ sᵢ sᵢᵀ over the observations' scores at <paramref name="parameters"/> (natural scale), P×P: one pass over the
    /// data per block of 64 entries of the upper triangle (one pass up to 10 parameters), fixed-order sums.
    /// </summary>
    public double[,] ScoreProducts(ReadOnlySpan<double> parameters)
    {
        var (l, r) = ScoreProductFactors(parameters);
        return Congruence.Of(l, r);
    }

    /// <summary>
    /// Σ_g S_g S_gᵀ over clusters, S_g the sum of cluster g's scores at <paramref name="parameters"/> (natural scale),
    /// added in row order; <paramref name="clusters"/> holds each row's cluster in 0 … <paramref name="clusterCount"/> − 1.
    /// </summary>
    public double[,] ClusterScoreProducts(ReadOnlySpan<double> parameters, IReadOnlyList<int> clusters, int clusterCount)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        var (l, r) = ScoreProductFactors(parameters, clusters, clusterCount);
        return Congruence.Of(l, r);
    }

    /// <inheritdoc/>
    public (double[,] L, double[,] R) ScoreProductFactors(ReadOnlySpan<double> parameters, IReadOnlyList<int>? clusters = null, int clusterCount = 0)
    {
        CheckParameters(parameters);
        if (clusters is not null)
            CheckClusters(clusters, clusterCount);
        var r = clusters is null ? _evaluator.RawScoreProducts(parameters) : _evaluator.RawClusterScoreProducts(parameters, clusters, clusterCount);
        return (Square(_evaluator.FinishMap(parameters)), Square(r));
    }

    /// <inheritdoc/>
    public (double[,] L, double[,] R) WeightedScoreProductFactors(ReadOnlySpan<double> parameters, IReadOnlyList<double> rowWeights)
    {
        CheckParameters(parameters);
        ArgumentNullException.ThrowIfNull(rowWeights);
        if (rowWeights.Count != Rows)
            throw new ArgumentException($"expected one weight per row ({Rows}), got {rowWeights.Count}", nameof(rowWeights));
        return (Square(_evaluator.FinishMap(parameters)), Square(_evaluator.RawWeightedScoreProducts(parameters, rowWeights)));
    }

    private void CheckClusters(IReadOnlyList<int> clusters, int clusterCount)
    {
        if (clusters.Count != Rows)
            throw new ArgumentException($"expected one cluster per row ({Rows}), got {clusters.Count}", nameof(clusters));
        ArgumentOutOfRangeException.ThrowIfNegative(clusterCount);
        for (int i = 0; i < clusters.Count; i++)
        {
            if ((uint)clusters[i] >= (uint)clusterCount)
                throw new ArgumentOutOfRangeException(nameof(clusters), $"row {i + 1}: cluster {clusters[i]} is outside 0 … {clusterCount - 1}");
        }
    }

    private void CheckParameters(ReadOnlySpan<double> parameters)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
    }

    private double[,] Square(double[] rowByRow)
    {
        var matrix = new double[ParameterCount, ParameterCount];
        for (int r = 0; r < ParameterCount; r++)
        {
            for (int c = 0; c < ParameterCount; c++)
                matrix[r, c] = rowByRow[r * ParameterCount + c];
        }
        return matrix;
    }

    /// <summary>Releases the device buffers (or the native backend's host copy of the data).</summary>
    public void Dispose() => _evaluator.Dispose();

    // OpenCL gets the shared-memory group sum: ILGPU's OpenCL code generator has no warp shuffles.
    private IEvaluator Create<TVec>(IReadOnlyList<ReadOnlyMemory<double>> columns) where TVec : unmanaged, ITermVector<TVec> => Device.Backend switch
    {
        Backend.Native => new NativeEvaluator<TModel, TVec>(this, columns),
        Backend.OpenCL => new KernelEvaluator<TModel, TVec, SharedTreeSum>(this, columns),
        _ => new KernelEvaluator<TModel, TVec, WarpShuffleSum>(this, columns),
    };
}
