using System.Collections;

namespace GpuEstimation.Surfaces;

/// <summary>
/// A grid's points as full parameter vectors, the last axis fastest, computed when read rather than held: a plain
/// sweep keeps only its log-likelihoods (8 bytes a point), so a 5000 × 5000 grid needs 0.2 GB, not the 1.2 GB that
/// 25 million arrays of parameters would. Each read returns a fresh array.
/// </summary>
internal sealed class GridPoints : IReadOnlyList<double[]>
{
    private readonly IReadOnlyList<GridAxis> _axes;
    private readonly int[] _axisIndex;
    private readonly double[] _basePoint;

    /// <param name="axes">The grid's axes.</param>
    /// <param name="axisIndex">The parameter index of each axis.</param>
    /// <param name="basePoint">The values of the parameters off the grid (and the vector's length).</param>
    public GridPoints(IReadOnlyList<GridAxis> axes, int[] axisIndex, double[] basePoint)
    {
        _axes = axes;
        _axisIndex = axisIndex;
        _basePoint = basePoint.ToArray();
        Count = axes.Aggregate(1, (product, axis) => checked(product * axis.Count));
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public double[] this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var point = _basePoint.ToArray();
            int rest = index;
            for (int a = _axes.Count - 1; a >= 0; a--)
            {
                point[_axisIndex[a]] = _axes[a][rest % _axes[a].Count];
                rest /= _axes[a].Count;
            }
            return point;
        }
    }

    /// <summary>Points <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1.</summary>
    public double[][] Range(int first, int count) => Enumerable.Range(first, count).Select(i => this[i]).ToArray();

    /// <inheritdoc/>
    public IEnumerator<double[]> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
            yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
