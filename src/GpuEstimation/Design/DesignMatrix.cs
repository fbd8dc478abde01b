using GpuEstimation.Data;
using GpuEstimation.Models;

namespace GpuEstimation.Design;

/// <summary>
/// A design turned into numeric columns a regression reads: the data with the derived columns beside their own
/// (factor indicators <c>g[b]</c>, products <c>x1:x2</c>, <c>x1:g[b]</c>), the design columns' names in order, the
/// intercept and the offset. Models read it through <see cref="Columns"/>, as they read plain columns.
/// </summary>
/// <remarks>
/// Factors are treatment-coded as R's <c>contr.treatment</c> and patsy's <c>Treatment</c>: against the first level in
/// sorted order (or the reference the design chooses, <see cref="DesignSpec.References"/>), one indicator per other level. Where a factor's margin is absent (no intercept and no factor before
/// it; or in <c>x:g</c> without <c>x</c>) it takes one indicator per level instead, as R does, so that the design
/// spans what the formula asks for. Interaction columns run with the first variable's levels changing fastest, as in
/// R and patsy.
/// </remarks>
public sealed class DesignMatrix
{
    /// <summary>Design columns relative to the size of the terms that combine into them, below which a column is collinear.</summary>
    public const double CollinearTolerance = 1e-10;

    private DesignMatrix(Dataset data, string response, IReadOnlyList<string> names, bool intercept, string? offset,
        DesignSpec spec, IReadOnlyDictionary<string, FactorLevels> levels)
    {
        Spec = spec;
        Levels = levels;
        Data = data;
        Response = response;
        Names = names;
        Intercept = intercept;
        Offset = offset;
    }

    /// <summary>The data with the design's derived columns added.</summary>
    public Dataset Data { get; }

    /// <summary>The response column.</summary>
    public string Response { get; }

    /// <summary>The design columns besides the intercept, in order: each a column of <see cref="Data"/>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether the design has an intercept.</summary>
    public bool Intercept { get; }

    /// <summary>The offset column, or null.</summary>
    public string? Offset { get; }

    /// <summary>The design this matrix was built from.</summary>
    public DesignSpec Spec { get; }

    /// <summary>Each factor column's levels as found in the data, by column.</summary>
    public IReadOnlyDictionary<string, FactorLevels> Levels { get; }

    /// <summary>The columns as a regression model reads them (response, features, intercept, offset).</summary>
    public ModelColumns Columns => new(Y: Response, X: Names) { Intercept = Intercept, Offset = Offset };

    /// <summary>
    /// Builds <paramref name="spec"/> over <paramref name="data"/>. A factor with one level, more design columns than
    /// <paramref name="maxColumns"/> (counted before any is made), and collinear design columns (an interaction of
    /// levels that never occur together, a column that is a combination of others) are errors naming the columns; with
    /// frequency weights (<paramref name="weights"/>, a column of <paramref name="data"/>), collinear among the rows
    /// as weighted (a level whose rows all weigh 0). Collinear columns that are all <paramref name="ridged"/> (under a
    /// normal prior, a ridge fit's) are left to the model, which refuses a fit without those priors.
    /// </summary>
    public static DesignMatrix Build(Dataset data, DesignSpec spec, int maxColumns = int.MaxValue, string? weights = null, Func<string, bool>? ridged = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        // A derived column (a factor's levels and indicators, an interaction, a log offset) is computed over every row,
        // before anything is read.
        if (spec.FactorColumns.Any() || spec.Terms.Any(t => t.Order > 1) || (spec.Offset is not null && spec.OffsetLog) || weights is not null)
            data.RequireWhole($"design '{spec}' (its factors, interactions, log offset or weights)");
        data.Column(spec.Response);
        // A log offset's values are a derived column; a plain one need only be there (a mapped file's stays unread).
        if (spec.Offset is { } offsetColumn && !spec.OffsetLog)
            data.Column(offsetColumn);
        var factors = spec.FactorColumns.ToDictionary(c => c, c => spec.References.TryGetValue(c, out var reference)
            ? FactorLevels.Of(data, c).WithReference(reference, data.Source)
            : FactorLevels.Of(data, c));
        foreach (var levels in factors.Values.Where(f => f.Names.Count < 2))
            throw new InputException($"{data.Source}: factor '{levels.Column}' has one level ('{levels.Names[0]}') in all {data.Rows} rows; a factor needs at least two levels to be contrasted", levels.Column);

        var coded = Code(spec, factors);
        long count = coded.Sum(t => t.Parts.Aggregate(1L, (n, p) => n * p.Count));
        if (count > maxColumns)
            throw new InputException(TooWide(spec, factors, count, maxColumns), nameof(spec));

        var names = new List<string>();
        var derived = new List<KeyValuePair<string, double[]>>();
        foreach (var (term, parts) in coded)
        {
            if (parts is [{ Levels: null } single])
            {
                names.Add(single.Variable.Column);
                continue;
            }
            foreach (var (name, values) in Products(data, parts))
            {
                names.Add(name);
                derived.Add(KeyValuePair.Create(name, values));
            }
        }
        if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InputException($"{data.Source}: design column '{twice.Key}' would appear twice (a data column has a derived column's name)", twice.Key);
        // A log offset is a derived column of the design's data, named as the formula writes it.
        string? offset = spec.Offset;
        if (spec.OffsetLog && OffsetValues(data, spec) is { } offsetValues)
        {
            offset = $"log({spec.Offset})";
            if (names.Contains(offset) || data.ColumnNames.Contains(offset))
                throw new InputException($"{data.Source}: the offset column '{offset}' would shadow a column of that name", offset);
            derived.Add(KeyValuePair.Create(offset, offsetValues));
        }
        var design = data.With(derived);
        try
        {
            Collinearity.Check(design, names, spec.Intercept, weights, ridged);
        }
        catch (InputException e) when (WithoutMargins(spec) is { } term)
        {
            // An interaction of factors without their main effects codes every cell, which the intercept then repeats
            // (R gives one coefficient NA, patsy recodes the term): say how to write the same model full rank (a
            // statsmodels trial could not follow "remove them" from a formula).
            var crossed = string.Join("*", term.Variables);
            throw new InputException($"{e.Message}; '{term}' without its main effects codes every combination of levels, which the intercept repeats: " +
                $"'{crossed}' is the same model (a mean for each combination) with a full-rank design", e.ParamName);
        }
        return new DesignMatrix(design, spec.Response, names, spec.Intercept, offset, spec, factors);
    }

    /// <summary>
    /// The offset of each row of <paramref name="data"/> as <paramref name="spec"/> names it: its column, or the log of
    /// it (<see cref="DesignSpec.OffsetLog"/>; a value that is not positive is an error naming its row); null without an
    /// offset. For the fit and for new rows alike.
    /// </summary>
    public static double[]? OffsetValues(Dataset data, DesignSpec spec)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Offset is not { } column)
            return null;
        var values = data.Column(column).AsArray();
        if (!spec.OffsetLog)
            return values;
        var logs = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (!(values[i] > 0))
                throw new InputException($"{data.Source}: {data.DescribeRow(i)}, column '{column}': {values[i]} has no log (offset(log({column})) needs positive values)", column);
            logs[i] = Math.Log(values[i]);
        }
        return logs;
    }

    /// <summary>
    /// The design columns of <paramref name="spec"/> (besides the intercept, in order) over new rows
    /// <paramref name="data"/>, each factor coded with the levels it had when fitted, <paramref name="levels"/>: a
    /// level not among them is an error naming its row. The response is not read; nothing is checked for collinearity.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<double>>> Rows(Dataset data, DesignSpec spec, IReadOnlyDictionary<string, IReadOnlyList<string>> levels)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(levels);
        var factors = spec.FactorColumns.ToDictionary(c => c, c => levels.TryGetValue(c, out var names)
            ? FactorLevels.Matching(data, c, names)
            : throw new InputException($"design: factor '{c}' has no fitted levels", nameof(levels)));
        var columns = new List<KeyValuePair<string, ReadOnlyMemory<double>>>();
        foreach (var (_, parts) in Code(spec, factors))
        {
            if (parts is [{ Levels: null } single])
                columns.Add(KeyValuePair.Create(single.Variable.Column, data.Column(single.Variable.Column)));
            else
                columns.AddRange(Products(data, parts).Select(p => KeyValuePair.Create(p.Name, (ReadOnlyMemory<double>)p.Values)));
        }
        return columns;
    }

    // The first interaction whose factors are all coded by every level (none of its margins among the terms) in a design
    // with an intercept, or null.
    private static DesignTerm? WithoutMargins(DesignSpec spec) =>
        !spec.Intercept ? null
            : spec.Terms.FirstOrDefault(t => t.Order > 1 && t.Variables.All(v => v.Factor) && t.Variables.All(v => !spec.Terms.Contains(t.Without(v))));

    /// <summary>One variable of a term as coded: a number (no levels), or the factor levels it indicates.</summary>
    private sealed record Part(DesignVariable Variable, FactorLevels? Levels, int First)
    {
        public int Count => Levels is null ? 1 : Levels.Names.Count - First;
    }

    private sealed record CodedTerm(DesignTerm Term, IReadOnlyList<Part> Parts);

    // Contrasts where the term without the factor is in the design already (the empty term counting as present with
    // an intercept, or once a factor's main effect has been coded in full), one indicator per level otherwise.
    private static List<CodedTerm> Code(DesignSpec spec, Dictionary<string, FactorLevels> factors)
    {
        var coded = new List<CodedTerm>();
        bool constant = spec.Intercept;
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            var parts = term.Variables.Select(v =>
            {
                if (!v.Factor)
                    return new Part(v, null, 0);
                var margin = term.Without(v);
                bool present = margin is null ? constant : spec.Terms.Take(t).Contains(margin);
                return new Part(v, factors[v.Column], present ? 1 : 0);
            }).ToArray();
            if (term.Order == 1 && term.Variables[0].Factor)
                constant = true;
            coded.Add(new CodedTerm(term, parts));
        }
        return coded;
    }

    // Each column of a term: the product of one column per part, the first part's varying fastest.
    private static IEnumerable<(string Name, double[] Values)> Products(Dataset data, IReadOnlyList<Part> parts)
    {
        int rows = data.Rows;
        var numbers = parts.Select(p => p.Levels is null ? data.Column(p.Variable.Column) : default).ToArray();
        var index = new int[parts.Count];
        long total = parts.Aggregate(1L, (n, p) => n * p.Count);
        for (long k = 0; k < total; k++)
        {
            long rest = k;
            for (int j = 0; j < parts.Count; j++)
            {
                index[j] = (int)(rest % parts[j].Count) + parts[j].First;
                rest /= parts[j].Count;
            }
            var name = string.Join(":", parts.Select((p, j) => p.Levels is null ? p.Variable.Column : p.Levels.ColumnName(index[j])));
            var values = new double[rows];
            Array.Fill(values, 1.0);
            for (int j = 0; j < parts.Count; j++)
            {
                if (parts[j].Levels is { } levels)
                {
                    var codes = levels.Codes;
                    int level = index[j];
                    for (int i = 0; i < rows; i++)
                        values[i] = codes[i] == level ? values[i] : 0;
                }
                else
                {
                    var x = numbers[j].Span;
                    for (int i = 0; i < rows; i++)
                        values[i] *= x[i];
                }
            }
            yield return (name, values);
        }
    }

    private static string TooWide(DesignSpec spec, Dictionary<string, FactorLevels> factors, long count, int maxColumns)
    {
        var widest = factors.Values.OrderByDescending(f => f.Names.Count).FirstOrDefault();
        var detail = widest is null ? "" : $"; factor '{widest.Column}' alone has {widest.Names.Count} levels";
        return $"design '{spec}': {count} columns besides the intercept, more than the model's {maxColumns}{detail}";
    }
}
