using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>What both evaluators share: the model's arguments for a point, and the ordered sum of partials.</summary>
internal abstract class Evaluator<TModel, TVec> : IEvaluator
    where TModel : unmanaged, ILikelihoodModel<TModel>
    where TVec : unmanaged, ITermVector<TVec>
{
    private readonly double[] _arguments = new double[TVec.Capacity];

    protected Evaluator(LikelihoodEngine<TModel> owner)
    {
        Owner = owner;
        Terms = owner.ParameterCount + 1;
    }

    protected LikelihoodEngine<TModel> Owner { get; }

    /// <summary>P + 1: the log-density and one gradient term per parameter.</summary>
    protected int Terms { get; }

    public abstract double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);

    public abstract void Pointwise(ReadOnlySpan<double> parameters, double[] output);

    public abstract void Sweep(IReadOnlyList<double[]> points, double[] output);

    /// <inheritdoc/>
    public virtual int SweepPointsAtOnce => 1;

    /// <summary>The value, gradient and Hessian in one pass, where the model is a linear-predictor model; else null.</summary>
    public IHessianPass? Hessian { get; protected init; }

    /// <summary>The normal equations of least squares in one pass, where the model is a nonlinear regression; else null.</summary>
    public ILeastSquares? LeastSquares { get; protected init; }

    /// <summary>Row blocks of the data streamed through the device, and all of them (none on the native backend).</summary>
    public virtual (int Streamed, int Count) RowBlocks => (0, 0);

    public abstract void Dispose();

    /// <summary>
    /// The upper triangle of Σᵢ tᵢ tᵢᵀ over the rows' raw gradient terms tᵢ (as Accumulate adds them, before the
    /// model's Finish), row by row along the triangle: P(P + 1)/2 values into <paramref name="triangle"/>.
    /// </summary>
    protected abstract void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle);

    /// <summary>The raw gradient terms of rows [first, first + count), P per row, into <paramref name="output"/>.</summary>
    protected abstract void Scores(ReadOnlySpan<double> parameters, long first, int count, double[] output);

    /// <summary>Rows per chunk of <see cref="Scores"/> for cluster sums: about 4M doubles (32 MB) at a time.</summary>
    protected int ScoreChunkRows => Math.Max(1, (4 << 20) / Math.Max(1, Terms - 1));

    /// <summary>
    /// Σᵢ tᵢ tᵢᵀ over the rows' raw gradient terms tᵢ (as Accumulate adds them, before the model's Finish), P×P row by
    /// row: the meat of the robust covariance is L R Lᵀ with L the model's Finish (<see cref="FinishMap"/>). A GLM's raw
    /// terms are over its centred features, so R keeps the digits that L R Lᵀ in the features' own units would lose.
    /// </summary>
    public double[] RawScoreProducts(ReadOnlySpan<double> parameters)
    {
        int p = Terms - 1;
        var triangle = new double[p * (p + 1) / 2];
        if (Owner.Rows > 0)
            ScoreTriangle(parameters, triangle);
        var raw = new double[p * p];
        for (int a = 0, e = 0; a < p; a++)
        {
            for (int b = a; b < p; b++, e++)
                raw[a * p + b] = raw[b * p + a] = triangle[e];
        }
        return raw;
    }

    /// <summary>
    /// Σ_g S_g S_gᵀ over the clusters, S_g the sum of cluster g's raw gradient terms (before the model's Finish, which
    /// is linear: L S_g is the sum of the cluster's scores), added in row order whatever the backend, P×P row by row.
    /// </summary>
    public double[] RawClusterScoreProducts(ReadOnlySpan<double> parameters, IReadOnlyList<int> clusters, int clusterCount)
    {
        int p = Terms - 1;
        var sums = new double[(long)clusterCount * p];
        ForEachScoreChunk(parameters, (first, count, scores) =>
        {
            for (int i = 0; i < count; i++)
            {
                long at = (long)clusters[(int)(first + i)] * p;
                for (int k = 0; k < p; k++)
                    sums[at + k] += scores[(long)i * p + k];
            }
        });
        var product = new double[p * p];
        for (int g = 0; g < clusterCount; g++)
        {
            long at = (long)g * p;
            for (int a = 0; a < p; a++)
            {
                for (int b = 0; b < p; b++)
                    product[a * p + b] += sums[at + a] * sums[at + b];
            }
        }
        return product;
    }

    /// <summary>
    /// Σᵢ cᵢ tᵢ tᵢᵀ over the rows' raw gradient terms, row i's times <paramref name="rowWeights"/>[i] (HC2, HC3), added
    /// in row order whatever the backend, P×P row by row.
    /// </summary>
    public double[] RawWeightedScoreProducts(ReadOnlySpan<double> parameters, IReadOnlyList<double> rowWeights)
    {
        int p = Terms - 1;
        var product = new double[p * p];
        ForEachScoreChunk(parameters, (first, count, scores) =>
        {
            for (int i = 0; i < count; i++)
            {
                double c = rowWeights[(int)(first + i)];
                long at = (long)i * p;
                for (int a = 0; a < p; a++)
                {
                    double ca = c * scores[at + a];
                    for (int b = 0; b < p; b++)
                        product[a * p + b] += ca * scores[at + b];
                }
            }
        });
        return product;
    }

    // The rows' scores (raw gradient terms, P a row) chunk after chunk, in row order: action(first row, rows, scores).
    private void ForEachScoreChunk(ReadOnlySpan<double> parameters, Action<long, int, double[]> action)
    {
        int p = Terms - 1;
        long rows = Owner.Rows;
        int chunkRows = (int)Math.Min(rows, ScoreChunkRows);
        var scores = new double[(long)chunkRows * p];
        for (long first = 0; first < rows; first += chunkRows)
        {
            int count = (int)Math.Min(chunkRows, rows - first);
            Scores(parameters, first, count, scores);
            action(first, count, scores);
        }
    }

    /// <summary>L, the model's Finish as a P×P matrix row by row (column c is Finish of the c-th unit vector).</summary>
    public double[] FinishMap(ReadOnlySpan<double> parameters)
    {
        int p = Terms - 1;
        var column = new double[p];
        var map = new double[p * p];
        for (int c = 0; c < p; c++)
        {
            Array.Clear(column);
            column[c] = 1;
            TModel.Finish(Owner.Model, parameters, column);
            for (int r = 0; r < p; r++)
                map[r * p + c] = column[r];
        }
        return map;
    }

    protected TVec Arguments(ReadOnlySpan<double> parameters) => ModelArguments.Of<TModel, TVec>(Owner.Model, parameters, _arguments);

    /// <summary>Sums the partials in their fixed order (group or chunk 0, 1, 2, ...), so the result does not depend on scheduling.</summary>
    protected double Reduce(ReadOnlySpan<double> parameters, ReadOnlySpan<double> partials, Span<double> gradient)
    {
        double value = 0;
        gradient.Clear();
        for (int offset = 0; offset < partials.Length; offset += Terms)
        {
            value += partials[offset];
            for (int k = 1; k < Terms; k++)
                gradient[k - 1] += partials[offset + k];
        }
        TModel.Finish(Owner.Model, parameters, gradient);
        return value;
    }
}
