namespace GpuEstimation.Data;

/// <summary>
/// A column of values of unknown length, appended in chunks of fixed size: no chunk is ever copied while the column
/// grows (a <see cref="List{T}"/> doubles its array, holding the old one and the new at once, then
/// <see cref="List{T}.ToArray"/> copies again), so reading n values peaks at about 2n: the chunks and the final array.
/// </summary>
internal sealed class ColumnBuilder<T>
{
    private const int ChunkLength = 1 << 16;
    private readonly List<T[]> _chunks = [];
    private int _inLast = ChunkLength;

    /// <summary>The values appended so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends <paramref name="value"/>.</summary>
    public void Add(T value)
    {
        if (_inLast == ChunkLength)
        {
            _chunks.Add(new T[ChunkLength]);
            _inLast = 0;
        }
        _chunks[^1][_inLast++] = value;
        Count++;
    }

    /// <summary>The values in one array; the chunks are released as they are copied.</summary>
    public T[] ToArray()
    {
        var result = new T[Count];
        long at = 0;
        for (int c = 0; c < _chunks.Count; c++)
        {
            int length = (int)Math.Min(ChunkLength, Count - at);
            Array.Copy(_chunks[c], 0, result, at, length);
            at += length;
            _chunks[c] = [];
        }
        _chunks.Clear();
        _inLast = ChunkLength;
        Count = 0;
        return result;
    }
}
