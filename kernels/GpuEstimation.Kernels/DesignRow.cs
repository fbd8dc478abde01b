using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// A linear predictor's design part, Σⱼ γⱼ xⱼ over a row's feature columns, with the coefficients in a term vector from
/// <see cref="FirstCoefficient"/> on (the linear model's and the GLM's arguments: their own four first): a walk over the
/// vector's leaves (<see cref="ITermVector{TSelf}.ReadLeaves"/>), so that each coefficient is read from its register by a
/// constant index, the values that are no feature's skipped. The terms are added in feature order, as a loop over the
/// features adds them.
/// </summary>
public struct DesignSum<TRows> : ILeafReader where TRows : struct, IDataRows
{
    /// <summary>The argument index of the first feature's coefficient.</summary>
    public const int FirstCoefficient = RowCurvature.OwnArguments;

    private readonly TRows _data;
    private readonly long _row;
    private readonly int _column, _features;

    /// <summary>The sum so far: the start given, then each feature's term added.</summary>
    public double Sum;

    /// <summary>
    /// Σ over <paramref name="features"/> columns from <paramref name="column"/> of <paramref name="row"/>, each times its
    /// coefficient, added to <paramref name="start"/>.
    /// </summary>
    public DesignSum(in TRows data, long row, int column, int features, double start)
    {
        _data = data;
        _row = row;
        _column = column;
        _features = features;
        Sum = start;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Leaf(in Vec4 leaf, int first)
    {
        Term(leaf.Get(0), first - FirstCoefficient);
        Term(leaf.Get(1), first + 1 - FirstCoefficient);
        Term(leaf.Get(2), first + 2 - FirstCoefficient);
        Term(leaf.Get(3), first + 3 - FirstCoefficient);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Term(double coefficient, int feature)
    {
        if (feature >= 0 && feature < _features)
            Sum += coefficient * _data[_column + feature, _row];
    }
}

/// <summary>
/// A linear predictor's gradient terms in its design: <c>scale · xⱼ</c> added to term <c>offset + j</c> for each feature j
/// of a row, then optionally one more term, <c>last</c>, right after them (the scale or extra parameter's): a walk over
/// the sums' leaves (<see cref="ITermVector{TSelf}.AddToLeaves"/>), so that each term is added to its register by a
/// constant index. The offset is 1 or 2 (the value first, then the intercept's term where there is one).
/// </summary>
public struct DesignTerms<TRows> : ILeafWriter where TRows : struct, IDataRows
{
    private readonly TRows _data;
    private readonly long _row;
    private readonly int _column, _features, _offset;
    private readonly bool _hasLast;
    private readonly double _scale, _last;

    /// <summary>
    /// Adds <paramref name="scale"/> times each of <paramref name="features"/> columns from <paramref name="column"/> of
    /// <paramref name="row"/> to the terms from index <paramref name="offset"/> on, then <paramref name="last"/> where
    /// <paramref name="hasLast"/>.
    /// </summary>
    public DesignTerms(in TRows data, long row, int column, int features, int offset, double scale, bool hasLast, double last)
    {
        _data = data;
        _row = row;
        _column = column;
        _features = features;
        _offset = offset;
        _scale = scale;
        _hasLast = hasLast;
        _last = last;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Leaf(ref Vec4 leaf, int first)
    {
        int feature = first - _offset;
        if (Has(feature))
            leaf.Add(0, Term(feature));
        if (Has(feature + 1))
            leaf.Add(1, Term(feature + 1));
        if (Has(feature + 2))
            leaf.Add(2, Term(feature + 2));
        if (Has(feature + 3))
            leaf.Add(3, Term(feature + 3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly bool Has(int feature) => feature >= 0 && (feature < _features || (feature == _features && _hasLast));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly double Term(int feature) => feature < _features ? _scale * _data[_column + feature, _row] : _last;
}
