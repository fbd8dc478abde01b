namespace GpuEstimation.Data;

/// <summary>
/// A column of values appended one by one. Given the number of values expected (a CSV file's line count), it fills
/// one array of that length and hands it over as it is when the count comes out exact (the usual case), so reading n
/// values holds n; past the expected length, and without one, it appends chunks of fixed size that are never copied
/// while the column grows (a <see cref="List{T}"/> doubles its array, holding the old one and the new at once), and
/// <see cref="ToArray"/> joins them: about 2n at the end.
/// </summary>
internal sealed class ColumnBuilder<T>(long expected = 0)
{
    private const int ChunkLength = 1 << 16;
    private T[] _first = expected > 0 ? new T[expected] : [];
    private readonly List<T[]> _chunks = [];
    private int _inLast = ChunkLength;

    /// <summary>The values appended so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends <paramref name="value"/>.</summary>
    public void Add(T value)
    {
        if (Count < _first.LongLength)
        {
            _first[Count++] = value;
            return;
        }
        if (_inLast == ChunkLength)
        {
            _chunks.Add(new T[ChunkLength]);
            _inLast = 0;
        }
        _chunks[^1][_inLast++] = value;
        Count++;
    }

    /// <summary>The values in one array: the expected array itself where it came out full, else a copy (the chunks released as they are copied).</summary>
    public T[] ToArray()
    {
        T[] result;
        if (Count == _first.LongLength)
        {
            result = _first;
        }
        else
        {
            result = new T[Count];
            long at = Math.Min(Count, _first.LongLength);
            Array.Copy(_first, result, at);
            _first = [];
            for (int c = 0; c < _chunks.Count; c++)
            {
                int length = (int)Math.Min(ChunkLength, Count - at);
                Array.Copy(_chunks[c], 0, result, at, length);
                at += length;
                _chunks[c] = [];
            }
        }
        _first = [];
        _chunks.Clear();
        _inLast = ChunkLength;
        Count = 0;
        return result;
    }
}
