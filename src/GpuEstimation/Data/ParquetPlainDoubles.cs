using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Parquet.Meta;

namespace GpuEstimation.Data;

/// <summary>
/// Parquet columns of doubles as writers lay them out, read without Parquet.Net's page buffers: flat (required, or
/// optional with one definition level), uncompressed or Snappy-compressed, plain or dictionary-encoded pages (as
/// parquet-cpp and pyarrow write them: a dictionary page, then dictionary indices until the dictionary grows too big,
/// then plain pages). A required column's plain page is the doubles' own bytes, so it is read from the file straight
/// into the column, one copy as a .npy array's are, or decompressed straight into it (Snappier, which Parquet.Net itself
/// uses); other pages are decoded from one buffer. Parquet.Net's own path measured 2-20 times slower than .npy here on
/// 10⁸ doubles (bench/RESULTS.md). The page headers are decoded by <see cref="ParquetPageHeaderReader"/> (Thrift's
/// compact protocol), the levels and indices here (the RLE / bit-packed hybrid); anything else (another encoding or codec, nesting, sizes that do not add up)
/// leaves the chunk to Parquet.Net, which then reads all of it.
/// </summary>
internal static class ParquetPlainDoubles
{
    private const int HeaderBytes = 1024;

    /// <summary>What one reader keeps from chunk to chunk: the buffers pages are decoded through.</summary>
    internal sealed class Buffers
    {
        public byte[] Compressed = [];
        public byte[] Page = [];
        public double[] Dictionary = [];
        public int DictionaryLength;
        public int[] Levels = [];
        public int[] Indices = [];
    }

    /// <summary>
    /// Reads <paramref name="chunk"/> (a column chunk of <paramref name="output"/>'s length, flat, at most one
    /// definition level) into <paramref name="output"/>, NaN where null, where its layout allows (see the class);
    /// false (the output then partly written) where it does not. <paramref name="firstNull"/> is the chunk's first
    /// null row, or -1.
    /// </summary>
    public static bool TryRead(SafeFileHandle file, ColumnChunk chunk, int maxDefinition, Span<double> output, Buffers buffers, out int firstNull)
    {
        firstNull = -1;
        var meta = chunk.MetaData;
        if (meta is null || chunk.CryptoMetadata is not null || chunk.FilePath is not null || meta.Type != Parquet.Meta.Type.DOUBLE
            || meta.Codec is not (CompressionCodec.UNCOMPRESSED or CompressionCodec.SNAPPY) || meta.NumValues != output.Length || maxDefinition > 1)
            return false;
        bool snappy = meta.Codec == CompressionCodec.SNAPPY;
        long position = meta.DictionaryPageOffset is > 0 and var dictionary && dictionary < meta.DataPageOffset ? dictionary : meta.DataPageOffset;
        long end = position + meta.TotalCompressedSize;
        buffers.DictionaryLength = -1;
        Span<byte> header = stackalloc byte[HeaderBytes];
        int at = 0;
        while (at < output.Length)
        {
            if (position >= end)
                return false;
            int read = RandomAccess.Read(file, header[..(int)Math.Min(HeaderBytes, end - position)], position);
            var page = new ParquetPageHeaderReader(header[..read]);
            if (!page.TryReadHeader(out var h))
                return false;
            position += page.Position;
            if (h.Type == PageType.DICTIONARY_PAGE)
            {
                if (h.Encoding is not (Encoding.PLAIN or Encoding.PLAIN_DICTIONARY) || h.Values < 0
                    || !PageBytes(file, position, h.Size, h.Uncompressed, 0, snappy, buffers, out var body) || body.Length != (long)h.Values * sizeof(double))
                    return false;
                Grow(ref buffers.Dictionary, h.Values);
                MemoryMarshal.Cast<byte, double>(body).CopyTo(buffers.Dictionary);
                buffers.DictionaryLength = h.Values;
            }
            else if (h.Type is PageType.DATA_PAGE or PageType.DATA_PAGE_V2)
            {
                bool v2 = h.Type == PageType.DATA_PAGE_V2;
                if (h.Values < 0 || h.Values > output.Length - at || h.RepetitionBytes != 0)
                    return false;
                var into = output.Slice(at, h.Values);
                if (maxDefinition == 0 && h.Encoding == Encoding.PLAIN && h.DefinitionBytes == 0)
                {
                    // The values are the page (or its V2 values section, after no levels): read or decompressed straight into the column.
                    bool compressed = snappy && h.Compressed;
                    var bytes = MemoryMarshal.AsBytes(into);
                    if (bytes.Length != (compressed ? h.Uncompressed : h.Size)
                        || !(compressed ? ReadSnappy(file, position, h.Size, bytes, buffers) : RandomAccess.Read(file, bytes, position) == bytes.Length))
                        return false;
                }
                else if (!Decode(file, position, h, v2, snappy, maxDefinition, into, buffers, out int pageNull))
                {
                    return false;
                }
                else if (pageNull >= 0 && firstNull < 0)
                {
                    firstNull = at + pageNull;
                }
                at += h.Values;
            }
            else if (h.Type != PageType.INDEX_PAGE)
            {
                return false;
            }
            position += h.Size;
        }
        return true;
    }

    /// <summary>
    /// A data page with levels or dictionary indices: its definition levels (bit width 1) say which rows have a value,
    /// its values are plain doubles or indices into the chunk's dictionary; NaN where null.
    /// </summary>
    private static bool Decode(SafeFileHandle file, long position, in ParquetPageHeader h, bool v2, bool snappy, int maxDefinition, Span<double> into, Buffers buffers, out int firstNull)
    {
        firstNull = -1;
        int rows = into.Length;
        ReadOnlySpan<byte> levels, values;
        if (v2)
        {
            // V2: the levels stand uncompressed before the values, which alone may be compressed.
            if (!PageBytes(file, position, h.Size, h.Uncompressed, h.DefinitionBytes, snappy && h.Compressed, buffers, out var page))
                return false;
            levels = page[..h.DefinitionBytes];
            values = page[h.DefinitionBytes..];
        }
        else
        {
            if (!PageBytes(file, position, h.Size, h.Uncompressed, 0, snappy, buffers, out var page))
                return false;
            if (maxDefinition == 1)
            {
                // V1: the levels' byte length, then the levels (RLE; the old BIT_PACKED layout is left to Parquet.Net).
                if (h.DefinitionEncoding != Encoding.RLE || page.Length < 4 || BitConverter.ToInt32(page) is var length && (length < 0 || length > page.Length - 4))
                    return false;
                levels = page.Slice(4, BitConverter.ToInt32(page));
                values = page[(4 + levels.Length)..];
            }
            else
            {
                levels = default;
                values = page;
            }
        }
        int present = rows;
        if (maxDefinition == 1)
        {
            Grow(ref buffers.Levels, rows);
            if (!Hybrid(levels, 1, buffers.Levels.AsSpan(0, rows)))
                return false;
            present = buffers.Levels.AsSpan(0, rows).Count(1);
        }
        Span<double> dense = into[..present];
        if (h.Encoding == Encoding.PLAIN)
        {
            if (values.Length < present * sizeof(double))
                return false;
            MemoryMarshal.Cast<byte, double>(values[..(present * sizeof(double))]).CopyTo(dense);
        }
        else if (h.Encoding is Encoding.RLE_DICTIONARY or Encoding.PLAIN_DICTIONARY && buffers.DictionaryLength >= 0 && values.Length >= 1)
        {
            Grow(ref buffers.Indices, present);
            var indices = buffers.Indices.AsSpan(0, present);
            if (values[0] > 32 || !Hybrid(values[1..], values[0], indices))
                return false;
            var dictionary = buffers.Dictionary.AsSpan(0, buffers.DictionaryLength);
            for (int i = 0; i < indices.Length; i++)
            {
                if ((uint)indices[i] >= (uint)dictionary.Length)
                    return false;
                dense[i] = dictionary[indices[i]];
            }
        }
        else
        {
            return false;
        }
        if (present < rows)
        {
            // Spread the values to their rows from the end: a value only moves later, so none is overwritten unread.
            var defined = buffers.Levels.AsSpan(0, rows);
            for (int r = rows - 1, v = present - 1; r >= 0; r--)
                into[r] = defined[r] == 1 ? into[v--] : double.NaN;
            firstNull = defined.IndexOf(0);
        }
        return true;
    }

    /// <summary>
    /// Parquet's RLE / bit-packed hybrid: runs of one repeated value and groups of 8 values packed
    /// <paramref name="bitWidth"/> bits each, least significant bit first; false where the data ends too soon.
    /// </summary>
    private static bool Hybrid(ReadOnlySpan<byte> data, int bitWidth, Span<int> into)
    {
        int at = 0, filled = 0, valueBytes = (bitWidth + 7) / 8;
        while (filled < into.Length)
        {
            ulong header = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (at >= data.Length || shift > 35)
                    return false;
                byte b = data[at++];
                header |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    break;
            }
            if ((header & 1) == 0)
            {
                long count = (long)(header >> 1);
                if (at + valueBytes > data.Length || count == 0)
                    return false;
                int value = 0;
                for (int i = 0; i < valueBytes; i++)
                    value |= data[at + i] << (8 * i);
                at += valueBytes;
                int n = (int)Math.Min(count, into.Length - filled);
                into.Slice(filled, n).Fill(value);
                filled += n;
            }
            else
            {
                long groups = (long)(header >> 1);
                long bytes = groups * bitWidth;
                if (groups == 0 || bytes > data.Length - at)
                    return false;
                var packed = data.Slice(at, (int)bytes);
                int n = (int)Math.Min(groups * 8, into.Length - filled);
                ulong mask = bitWidth == 32 ? uint.MaxValue : (1UL << bitWidth) - 1;
                for (int i = 0; i < n; i++)
                {
                    long bit = (long)i * bitWidth;
                    int first = (int)(bit >> 3);
                    ulong word = 0;
                    for (int k = 0; k < 5 && first + k < packed.Length; k++)
                        word |= (ulong)packed[first + k] << (8 * k);
                    into[filled + i] = (int)((word >> (int)(bit & 7)) & mask);
                }
                filled += n;
                at += (int)bytes;
            }
        }
        return true;
    }

    /// <summary>
    /// A page's bytes as stored, or decompressed after its first <paramref name="plain"/> bytes (a V2 page's levels);
    /// false where they cannot be had.
    /// </summary>
    private static bool PageBytes(SafeFileHandle file, long position, int size, int uncompressed, int plain, bool compressed, Buffers buffers, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (size < plain || (compressed && uncompressed < plain))
            return false;
        int length = compressed ? uncompressed : size;
        Grow(ref buffers.Page, length);
        var page = buffers.Page.AsSpan(0, length);
        bytes = page;
        if (!compressed)
            return RandomAccess.Read(file, page, position) == size;
        return RandomAccess.Read(file, page[..plain], position) == plain
            && ReadSnappy(file, position + plain, size - plain, page[plain..], buffers);
    }

    private static void Grow<T>(ref T[] array, int length)
    {
        if (array.Length < length)
            array = new T[Math.Max(length, (int)Math.Min(Array.MaxLength, 2L * array.Length))];
    }

    private static bool ReadSnappy(SafeFileHandle file, long position, int size, Span<byte> into, Buffers buffers)
    {
        Grow(ref buffers.Compressed, size);
        var compressed = buffers.Compressed.AsSpan(0, size);
        if (RandomAccess.Read(file, compressed, position) != size)
            return false;
        try
        {
            return Snappier.Snappy.Decompress(compressed, into) == into.Length;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
