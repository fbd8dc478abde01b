using GpuEstimation.Data;
using GpuEstimation.Kernels;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace GpuEstimation.Design;

/// <summary>
/// Finds exactly collinear design columns, so that a fit is refused with their names instead of wandering along a
/// ridge of equal likelihood. R's <c>lm</c> and <c>glm</c> drop such columns (their coefficients print as NA); this
/// engine refuses the design and says which columns to remove.
/// </summary>
internal static class Collinearity
{
    /// <summary>
    /// The most a feature's mean may exceed its standard deviation beside an intercept (<see cref="FarShift"/>).
    /// </summary>
    public const double MaxShift = 1e7;

    /// <summary>
    /// The first feature column whose mean is more than <see cref="MaxShift"/> times its standard deviation (e.g.
    /// 10⁹ ± 1), with the message refusing it beside an estimated intercept; null where none is. The device reads the
    /// column centred, but the coefficients searched for and reported are the raw column's, whose information about the
    /// intercept and that slope is then nearly singular: its condition number grows as (mean / sd)², past 10¹⁴ here,
    /// so that the search and the standard errors have a few digits left, or none. The message says how to shift the
    /// column.
    /// </summary>
    public static (string Column, string Message)? FarShift(string source, IReadOnlyList<string> names, IReadOnlyList<ReadOnlyMemory<double>> features, IReadOnlyList<double> means)
    {
        for (int j = 0; j < names.Count; j++)
        {
            // The mean square about the mean (a block at a time, over a spread column's own rows under Moments.Spread).
            double mean = means[j];
            double sd = features[j].Length == 0 ? 0 : Math.Sqrt(Moments.Mean(features[j].Span, v => (v - mean) * (v - mean)));
            if (sd > 0 && Math.Abs(mean) > MaxShift * sd)
            {
                return (names[j],
                    $"{source}: column '{names[j]}': its mean, {mean:G10}, is {Math.Abs(mean) / sd:G2} times its standard deviation ({sd:G3}), so beside an " +
                    $"intercept that column's coefficient and the intercept cannot be told apart in double precision (their information's condition number " +
                    $"passes 10¹⁴); subtract a constant from the column first (e.g. {Math.Round(mean):R}: the slope is the same, the intercept moves by slope × that constant)");
            }
        }
        return null;
    }

    /// <summary>
    /// Refuses a design where a column (in order: the intercept, then <paramref name="names"/>) is a combination of the
    /// columns before it, to within <see cref="DesignMatrix.CollinearTolerance"/> of the terms that combine. With
    /// frequency weights (column <paramref name="weights"/>), each row counts with the square root of its weight, as in
    /// the weighted fit's information: a column that is zero, or a combination of others, in the rows of positive
    /// weight is refused too (a factor level all of whose rows weigh 0). Where every such column is one of
    /// <paramref name="ridged"/> (a coefficient under a normal prior, which bounds the posterior along every direction
    /// the likelihood is flat in: a ridge fit of duplicated columns has one mode), nothing is refused here: the model
    /// finds them again (<see cref="Find"/>) and refuses a fit without those priors (<see cref="Models.ModelCatalog"/>).
    /// </summary>
    public static void Check(Dataset data, IReadOnlyList<string> names, bool intercept, string? weights = null, Func<string, bool>? ridged = null)
    {
        var (problems, message) = Find(data, names, intercept, weights);
        if (problems.Count > 0 && (ridged is null || !problems.All(p => ridged(p.Column))))
            throw new InputException(message!, problems[0].Column);
    }

    /// <summary>
    /// A design column that is a combination of those before it (<see cref="Involved"/>; none: zero in every row), and
    /// the words of <see cref="Check"/>'s refusal for it.
    /// </summary>
    /// <remarks><see cref="Wide"/>: the design has fewer rows than columns, so that dependencies are the rows' number's,
    /// not a relation among the columns (a lasso's mode is then one in general position, Tibshirani 2013).</remarks>
    internal sealed record Dependency(string Column, IReadOnlyList<string> Involved, string Text, bool Wide = false);

    /// <summary>The dependent columns as <see cref="Check"/> finds them, and the message refusing them (null where there are none).</summary>
    public static (IReadOnlyList<Dependency> Problems, string? Message) Find(Dataset data, IReadOnlyList<string> names, bool intercept, string? weights = null)
    {
        var labels = (intercept ? ["intercept"] : Array.Empty<string>()).Concat(names).ToArray();
        var columns = (intercept ? [null] : Array.Empty<ReadOnlyMemory<double>?>()).Concat(names.Select(n => (ReadOnlyMemory<double>?)data.Column(n))).ToArray();
        // Weights that are not all finite and non-negative with one positive are left to the model's own check, which
        // names the row; here the design is then checked unweighted.
        var scale = RowScale(weights is null ? null : data.Column(weights).AsArray());
        if (scale is not null && data.Spread is not null)
            throw new ArgumentException($"{data.Source}: frequency weights over rows spread across MPI ranks: a weighted design is checked over every row; read the data whole", nameof(data));
        var r = Triangle(columns, scale, data.Rows, spread: data.Spread);
        var problems = Dependent(r, labels, scale is not null);
        if (problems.Count == 0)
            return (problems, null);
        var weighted = scale is null ? "" : $" in the rows weighted by '{weights}' (a row of weight 0 counts for nothing)";
        // More coefficients than rows: every column past the rows' number is a combination of the others, named as such
        // by the hundred; the count says it.
        int rows = scale is null ? data.Rows : scale.Count(s => s > 0);
        if (rows < labels.Length)
            return ([.. problems.Select(p => p with { Wide = true })], $"{data.Source}: {rows} row{(rows == 1 ? "" : "s")}{(scale is null ? "" : $" of positive weight in '{weights}'")} for {labels.Length} coefficients: the design's columns are collinear, " +
                $"{problems.Count} of them combinations of the others, so the likelihood has no single maximum (R would give {problems.Count} coefficients as NA); " +
                "give at least as many rows as coefficients, or, for MAP, a prior on each coefficient: normal (a ridge's on every slope) gives the posterior one mode, Laplace (a lasso's) one where no column of the coefficients it leaves off zero is a combination of the others");
        return (problems, $"{data.Source}: the design's columns are collinear{weighted}: {string.Join("; ", problems.Take(3).Select(p => p.Text))}" +
            (problems.Count > 3 ? $"; and {problems.Count - 3} more" : "") +
            " (R would drop such columns; remove them, or the terms that make them, from the design; or hold the coefficient of each column named as a combination, or, for MAP, give it a normal prior, as a ridge fit does)");
    }

    /// <summary>
    /// A column's distance from the span of the columns before it, relative to its own length, below which a generalized
    /// linear model's design is nearly collinear (<see cref="NearlyCollinear"/>): R's <c>lm</c> takes the same tolerance
    /// (1e-7, its QR's <c>tol</c>) to drop a column as aliased.
    /// </summary>
    public const double NearTolerance = 1e-7;

    /// <summary>
    /// Where a generalized linear model's design is nearly collinear once centred (each feature less its
    /// <paramref name="means"/>, beside the intercept, as its information is summed and inverted up to 60 features; each
    /// row counted with its frequency weight): the first column (in order: the intercept where <paramref name="intercept"/>, then
    /// <paramref name="names"/>) within <see cref="NearTolerance"/> of its length of the span of those before it, the
    /// columns it combines, and the message refusing the fit; null where none is. There the information's condition
    /// number passes ~10¹⁴, and a search stops short of the maximum: a trial's logit with x3 = 2x + 1 + 10⁻⁹ noise
    /// ended 0.07 log-likelihood units short, coefficients 14% off, "converged". A polynomial in a feature far from
    /// zero (a year, and its square) is not near collinear once centred, and fits. The linear model's least squares
    /// are solved by QR, which keeps even a nearly collinear fit (NIST's Filip), so only the GLMs ask.
    /// </summary>
    public static (string[] Columns, string Message)? NearlyCollinear(string source, IReadOnlyList<string> names,
        IReadOnlyList<ReadOnlyMemory<double>> features, IReadOnlyList<double> means, bool intercept, double[]? weights)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(means);
        var labels = (intercept ? ["intercept"] : Array.Empty<string>()).Concat(names).ToArray();
        int rows = features.Count > 0 ? features[0].Length : 0;
        if (labels.Length < 2 || rows < labels.Length)
            return null;
        var columns = (intercept ? [null] : Array.Empty<ReadOnlyMemory<double>?>()).Concat(features.Select(f => (ReadOnlyMemory<double>?)f)).ToArray();
        var shifts = (intercept ? [0.0] : Array.Empty<double>()).Concat(means).ToArray();
        var scale = RowScale(weights);
        var r = Triangle(columns, scale, rows, shifts);
        for (int j = 1; j < labels.Length; j++)
        {
            // R's diagonal is the column's distance from the span of those before it (a QR without pivoting).
            var v = r.Column(j);
            double norm = v.L2Norm(), distance = Math.Abs(r[j, j]);
            if (norm == 0 || !double.IsFinite(norm) || distance >= NearTolerance * norm)
                continue;
            var c = r.SubMatrix(0, j, 0, j).Solve(v.SubVector(0, j));
            var involved = Involved(r, labels, [.. Enumerable.Range(0, j)], c, norm);
            var weighted = scale is null ? "" : " (rows counted with their weights)";
            // The intercept is named too: held, it lets the columns' means tell them apart (x3 = 2x + 1 + ε then is not 2x).
            string[] columnsNamed = intercept && !involved.Contains(labels[0]) ? [labels[j], .. involved, labels[0]] : [labels[j], .. involved];
            return (columnsNamed,
                $"{source}: the design's columns are nearly collinear{weighted}: '{labels[j]}' lies within {(distance / norm).ToString("G2", System.Globalization.CultureInfo.InvariantCulture)} of its length of a combination of " +
                $"{string.Join(", ", involved.Select(l => $"'{l}'"))}{(intercept ? " (each column less its mean, beside the intercept)" : "")}, so the model's information is singular to double precision and its maximum cannot be located " +
                "(R's lm drops a column within 1e-7 of its length as aliased); remove one of them, hold one of their coefficients, or put a prior on them");
        }
        return null;
    }

    /// <summary>
    /// The columns of <paramref name="names"/> that are combinations of a constant and the columns before them, in the
    /// words of <see cref="Check"/> ("'t' is a combination of 'constant', 'a'"), unweighted; empty where none is.
    /// </summary>
    public static IReadOnlyList<string> Dependencies(IReadOnlyList<string> names, IReadOnlyList<ReadOnlyMemory<double>> columns, int rows)
    {
        if (rows <= names.Count)
            return [];
        ReadOnlyMemory<double>?[] all = [null, .. columns.Select(c => (ReadOnlyMemory<double>?)c)];
        return [.. Dependent(Triangle(all, null, rows), ["constant", .. names], weighted: false).Select(p => p.Text)];
    }

    // √w of frequency weights, where they are all finite and non-negative with one positive; null otherwise (weights that
    // are not are left to the model's own check, which names the row, and the design is checked unweighted).
    private static double[]? RowScale(double[]? weights) =>
        weights is not null && weights.All(w => w >= 0 && double.IsFinite(w)) && weights.Any(w => w > 0) ? weights.Select(Math.Sqrt).ToArray() : null;

    // The labels of the columns (of those in kept) that a combination with coefficients c uses, each above 10⁻⁸ of its size.
    private static string[] Involved(Matrix<double> r, string[] labels, int[] kept, MathNet.Numerics.LinearAlgebra.Vector<double> c, double norm)
    {
        double size = Math.Max(norm, kept.Select((k, i) => Math.Abs(c[i]) * r.Column(k).L2Norm()).Sum());
        return [.. kept.Select((k, i) => (k, Math.Abs(c[i]) * r.Column(k).L2Norm())).Where(e => e.Item2 > 1e-8 * size).Select(e => labels[e.k])];
    }

    /// <summary>
    /// R of a QR of the columns (null: the intercept's ones), each less its <paramref name="shifts"/> where given and
    /// each row times its <paramref name="scale"/> where given, p × p: the columns' inner products without their rows
    /// (<see cref="Householder.ReduceColumns"/>, in parallel; over rows spread across ranks, <paramref name="spread"/>,
    /// each rank its own).
    /// </summary>
    private static Matrix<double> Triangle(ReadOnlyMemory<double>?[] columns, double[]? scale, int rows, IReadOnlyList<double>? shifts = null, RowSpread? spread = null)
    {
        int p = columns.Length;
        var r = Householder.ReduceColumns(columns, scale, rows, shifts, spread);
        var square = Matrix<double>.Build.Dense(p, p);
        square.SetSubMatrix(0, 0, Matrix<double>.Build.DenseOfArray(r).SubMatrix(0, Math.Min(p, r.GetLength(0)), 0, p));
        return square;
    }

    /// <summary>
    /// Each column of <paramref name="r"/> (whose inner products are the design's) that least squares on the columns
    /// before it that are not themselves dependent reproduces to rounding, with the columns it combines.
    /// </summary>
    private static List<Dependency> Dependent(Matrix<double> r, string[] labels, bool weighted)
    {
        var problems = new List<Dependency>();
        var kept = new List<int>();
        for (int j = 0; j < labels.Length; j++)
        {
            var v = r.Column(j);
            double norm = v.L2Norm();
            if (norm == 0)
            {
                problems.Add(new(labels[j], [], weighted ? $"'{labels[j]}' is zero in every row of positive weight" : $"'{labels[j]}' is zero in every row (levels that never occur together?)"));
                continue;
            }
            if (kept.Count > 0)
            {
                // While every column before it is kept, they span R's first j coordinates: the least squares is R's
                // triangle solved (O(j²)) and the residual |R_jj|; after a column is left out, a QR of those kept
                // (a QR a column over 151 columns was 1.2 s of a 10⁵ × 150 design's check).
                Vector<double> c;
                double residual;
                if (kept.Count == j)
                {
                    c = Vector<double>.Build.Dense(j);
                    for (int i = j - 1; i >= 0; i--)
                    {
                        double sum = v[i];
                        for (int l = i + 1; l < j; l++)
                            sum -= r[i, l] * c[l];
                        c[i] = sum / r[i, i];
                    }
                    residual = Math.Abs(r[j, j]);
                }
                else
                {
                    var basis = Matrix<double>.Build.DenseOfColumnVectors(kept.Select(r.Column));
                    c = basis.QR(QRMethod.Thin).Solve(v);
                    residual = (v - basis * c).L2Norm();
                }
                double size = Math.Max(norm, kept.Select((k, i) => Math.Abs(c[i]) * r.Column(k).L2Norm()).Sum());
                if (residual <= DesignMatrix.CollinearTolerance * size)
                {
                    var involved = Involved(r, labels, [.. kept], c, norm);
                    problems.Add(new(labels[j], involved, $"'{labels[j]}' is a combination of {string.Join(", ", involved.Select(l => $"'{l}'"))}"));
                    continue;
                }
            }
            kept.Add(j);
        }
        return problems;
    }
}
