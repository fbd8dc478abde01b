using System.Text.Json.Serialization;
using GpuEstimation.Data;

namespace GpuEstimation.Design;

/// <summary>
/// A regression's design as it was fitted, in the form the fit's JSON keeps it (<c>design</c>): enough to build the
/// same columns for new rows (<see cref="Rows"/>), factor levels included.
/// </summary>
/// <param name="Formula">The design as a formula (<see cref="DesignSpec.ToString"/>), which <see cref="Design.Formula.Parse"/> reads back.</param>
/// <param name="Response">The response column.</param>
/// <param name="Columns">The design columns besides the intercept, in order: each a coefficient of the same name.</param>
/// <param name="Intercept">Whether the design has an intercept (the coefficient <c>intercept</c>).</param>
/// <param name="Offset">The offset column, or null.</param>
/// <param name="Factors">Each factor column and its levels as fitted, the reference first, the others in sorted order.</param>
public sealed record FittedDesign(
    string Formula,
    string Response,
    IReadOnlyList<string> Columns,
    bool Intercept,
    string? Offset,
    IReadOnlyList<FittedFactor> Factors)
{
    /// <summary>
    /// The fitted form of <paramref name="design"/>, with <paramref name="offset"/> where the model was given an offset
    /// column beside the formula (<see cref="Models.ModelColumns.Offset"/>): new rows need it as well.
    /// </summary>
    public static FittedDesign Of(DesignMatrix design, string? offset = null)
    {
        ArgumentNullException.ThrowIfNull(design);
        var spec = offset is null ? design.Spec : new DesignSpec(design.Spec.Response, design.Spec.Terms, design.Spec.Intercept, offset, design.Spec.References);
        // The column new rows hold (a log offset's is the column it is the log of; the formula says log).
        return new(spec.ToString(), design.Response, design.Names, design.Intercept, spec.Offset,
            [.. design.Levels.Values.Select(l => new FittedFactor(l.Column, l.Names))]);
    }

    /// <summary>
    /// The fitted form of a regression built from columns (<see cref="Models.ModelCatalog.Linear"/>, or
    /// <see cref="Models.ModelCatalog.Create"/> with <see cref="Models.ModelColumns"/>): response <paramref name="y"/>,
    /// numeric features <paramref name="x"/>, an intercept where <paramref name="intercept"/>, and the offset column
    /// <paramref name="offset"/>, if any. For <see cref="Results.RegressionReport.Complete"/>, so that such a fit predicts.
    /// </summary>
    public static FittedDesign FromColumns(string y, IReadOnlyList<string> x, bool intercept = true, string? offset = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(x);
        var columns = DesignSpec.FromColumns(y, x, [], intercept);
        var spec = new DesignSpec(y, columns.Terms, intercept, offset);
        return new(spec.ToString(), y, [.. x], intercept, offset, []);
    }

    /// <summary>The design read back from <see cref="Formula"/>.</summary>
    public DesignSpec Spec() => Design.Formula.Parse(Formula);

    /// <summary>The columns that new rows must hold: the numeric variables, the factors and the offset (not the response).</summary>
    public (IReadOnlyList<string> Numeric, IReadOnlyList<string> Factors) InputColumns()
    {
        var spec = Spec();
        return ([.. spec.NumericColumns.Where(c => c != spec.Response)], spec.FactorColumns);
    }

    /// <summary>The factors whose fitted levels are text (<see cref="FittedFactor.IsText"/>): new rows read them as text.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> TextFactors => [.. Factors.Where(f => f.IsText).Select(f => f.Column)];

    /// <summary>
    /// The design columns (<see cref="Columns"/>, in order) over new rows <paramref name="data"/>, factors coded with
    /// the fitted levels: a level not among them is an error naming its row.
    /// </summary>
    public IReadOnlyList<ReadOnlyMemory<double>> Rows(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var levels = Factors.ToDictionary(f => f.Column, f => f.Levels);
        var columns = DesignMatrix.Rows(data, Spec(), levels);
        if (!columns.Select(c => c.Key).SequenceEqual(Columns))
            throw new InputException($"design '{Formula}': its columns ({string.Join(", ", columns.Select(c => c.Key))}) are not the fitted ones ({string.Join(", ", Columns)})");
        return [.. columns.Select(c => c.Value)];
    }
}

/// <summary>A factor of a fitted design: its column and its levels, the reference first, the others in sorted order.</summary>
/// <param name="Column">The factor's column.</param>
/// <param name="Levels">The levels' names.</param>
public sealed record FittedFactor(string Column, IReadOnlyList<string> Levels)
{
    /// <summary>
    /// Whether the levels were text (a column with a cell that is no number: 01, 2.0 and a), not numeric codes (each
    /// level then the shortest text of its number): new rows must then be read as text, their cells matched as written.
    /// </summary>
    [JsonIgnore]
    public bool IsText => !FactorLevels.AreNumeric(Levels);
}
