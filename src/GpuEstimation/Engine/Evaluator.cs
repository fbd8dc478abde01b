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

    public double[] ScoreProducts(ReadOnlySpan<double> parameters)
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
        return Finished(parameters, raw);
    }

    public double[] ClusterScoreProducts(ReadOnlySpan<double> parameters, IReadOnlyList<int> clusters, int clusterCount)
    {
        int p = Terms - 1;
        long rows = Owner.Rows;
        var sums = new double[(long)clusterCount * p];
        int chunkRows = (int)Math.Min(rows, ScoreChunkRows);
        var scores = new double[(long)chunkRows * p];
        // Row order within each cluster, whatever the backend: the sums do not depend on how the scores were computed.
        for (long first = 0; first < rows; first += chunkRows)
        {
            int count = (int)Math.Min(chunkRows, rows - first);
            Scores(parameters, first, count, scores);
            for (int i = 0; i < count; i++)
            {
                long at = (long)clusters[(int)(first + i)] * p;
                for (int k = 0; k < p; k++)
                    sums[at + k] += scores[(long)i * p + k];
            }
        }
        // Finish is linear: applied to each cluster's sum it gives the sum of that cluster's natural-scale scores.
        var product = new double[p * p];
        var sum = new double[p];
        for (int g = 0; g < clusterCount; g++)
        {
            Array.Copy(sums, (long)g * p, sum, 0, p);
            TModel.Finish(Owner.Model, parameters, sum);
            for (int a = 0; a < p; a++)
            {
                for (int b = 0; b < p; b++)
                    product[a * p + b] += sum[a] * sum[b];
            }
        }
        return product;
    }

    /// <summary>
    /// L R Lᵀ, where L is the model's Finish (linear: the map from raw gradient terms to the gradient) and
    /// <paramref name="raw"/> (P×P) a sum of outer products of raw terms.
    /// </summary>
    private double[] Finished(ReadOnlySpan<double> parameters, double[] raw)
    {
        int p = Terms - 1;
        var column = new double[p];
        var left = new double[p * p];
        for (int c = 0; c < p; c++)
        {
            for (int r = 0; r < p; r++)
                column[r] = raw[r * p + c];
            TModel.Finish(Owner.Model, parameters, column);
            for (int r = 0; r < p; r++)
                left[r * p + c] = column[r];
        }
        var result = new double[p * p];
        for (int r = 0; r < p; r++)
        {
            // Row r of L R, mapped: (L (L R)ᵀ)ᵀ = L R Lᵀ, R symmetric.
            Array.Copy(left, r * p, column, 0, p);
            TModel.Finish(Owner.Model, parameters, column);
            Array.Copy(column, 0, result, r * p, p);
        }
        return result;
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
