using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Parquet.Meta;

namespace GpuEstimation.Data;

/// <summary>
/// The commonest Parquet layout of a column of doubles, read without Parquet.Net's page buffers: no nulls, plain
/// encoded, no dictionary, uncompressed or Snappy-compressed. Its pages' values are the doubles' own bytes, so an
/// uncompressed page is read from the file straight into the column, one copy as a .npy array's are, and a Snappy
/// page is decompressed straight into it (Snappier, which Parquet.Net itself uses). Parquet.Net's own path reads a page
/// into its buffers and copies the values out, and measured 5-20 times slower here on 10⁸ doubles (bench/RESULTS.md).
/// Only the page headers are decoded here (Thrift's compact protocol); anything else (another encoding or codec, a
/// dictionary page, levels, sizes that do not add up) leaves the chunk to Parquet.Net, which then reads all of it.
/// </summary>
internal static class ParquetPlainDoubles
{
    private const int HeaderBytes = 1024;

    /// <summary>
    /// Reads <paramref name="chunk"/> (a column chunk of <paramref name="output"/>'s length) into <paramref name="output"/>
    /// where it has the layout above; false (the output then partly written) where it has not. A compressed page is
    /// read into <paramref name="buffer"/>, grown as needed and kept for the next call.
    /// </summary>
    public static bool TryRead(SafeFileHandle file, ColumnChunk chunk, Span<double> output, ref byte[] buffer)
    {
        var meta = chunk.MetaData;
        if (meta is null || chunk.CryptoMetadata is not null || chunk.FilePath is not null || meta.Type != Parquet.Meta.Type.DOUBLE
            || meta.Codec is not (CompressionCodec.UNCOMPRESSED or CompressionCodec.SNAPPY) || meta.DictionaryPageOffset is not null || meta.NumValues != output.Length
            || meta.Encodings.Any(e => e is not (Encoding.PLAIN or Encoding.RLE or Encoding.BIT_PACKED)))
            return false;
        long position = meta.DataPageOffset;
        long end = position + meta.TotalCompressedSize;
        Span<byte> header = stackalloc byte[HeaderBytes];
        int at = 0;
        while (at < output.Length)
        {
            if (position >= end)
                return false;
            int read = RandomAccess.Read(file, header[..(int)Math.Min(HeaderBytes, end - position)], position);
            var page = new PageReader(header[..read]);
            if (!page.TryReadHeader(out var type, out int size, out int uncompressed, out int values, out var encoding, out int levelBytes, out bool compressed))
                return false;
            position += page.Position;
            if (type is PageType.DATA_PAGE or PageType.DATA_PAGE_V2)
            {
                // A column without nulls or repetition has no levels in a V1 page; a V2 page states their length.
                compressed &= meta.Codec == CompressionCodec.SNAPPY;
                if (encoding != Encoding.PLAIN || levelBytes != 0 || values > output.Length - at || (long)values * sizeof(double) != (compressed ? uncompressed : size))
                    return false;
                var bytes = MemoryMarshal.AsBytes(output.Slice(at, values));
                if (!(compressed ? ReadSnappy(file, position, size, bytes, ref buffer) : RandomAccess.Read(file, bytes, position) == bytes.Length))
                    return false;
                at += values;
            }
            else if (type != PageType.INDEX_PAGE)
            {
                return false;
            }
            position += size;
        }
        return true;
    }

    private static bool ReadSnappy(SafeFileHandle file, long position, int size, Span<byte> into, ref byte[] buffer)
    {
        if (buffer.Length < size)
            buffer = new byte[Math.Max(size, buffer.Length * 2L > Array.MaxLength ? size : buffer.Length * 2)];
        var compressed = buffer.AsSpan(0, size);
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

    /// <summary>Reads a page header, a Thrift struct in the compact protocol, from the bytes it begins.</summary>
    private ref struct PageReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        /// <summary>Where the next byte is read: after a header, its length.</summary>
        public int Position { get; private set; }

        /// <summary>
        /// The page's type, size in the file and uncompressed, number of values, encoding, (V2) level bytes and whether
        /// its values are compressed (a V2 page may say not); false for a header that does not fit in the bytes given or
        /// is not well formed.
        /// </summary>
        public bool TryReadHeader(out PageType type, out int size, out int uncompressed, out int values, out Encoding encoding, out int levelBytes, out bool compressed)
        {
            (type, size, uncompressed, values, encoding, levelBytes, compressed) = ((PageType)(-1), -1, -1, -1, (Encoding)(-1), 0, true);
            try
            {
                short field = 0;
                while (NextField(ref field, out int kind))
                {
                    switch (field)
                    {
                        case 1 when kind == I32: type = (PageType)ReadInt(); break;
                        case 2 when kind == I32: uncompressed = ReadInt(); break;
                        case 3 when kind == I32: size = ReadInt(); break;
                        case 5 or 8 when kind == Struct: ReadDataPage(field == 8, ref values, ref encoding, ref levelBytes, ref compressed); break;
                        default: Skip(kind); break;
                    }
                }
                return size >= 0 && (type is not (PageType.DATA_PAGE or PageType.DATA_PAGE_V2) || values >= 0);
            }
            catch (Exception e) when (e is IndexOutOfRangeException or OverflowException)
            {
                return false;
            }
        }

        // DataPageHeader: 1 num_values, 2 encoding; DataPageHeaderV2: 1 num_values, 4 encoding, 5 and 6 level lengths,
        // 7 is_compressed (a bool, its value in the field's type).
        private void ReadDataPage(bool v2, ref int values, ref Encoding encoding, ref int levelBytes, ref bool compressed)
        {
            short field = 0;
            while (NextField(ref field, out int kind))
            {
                if (field == 1 && kind == I32)
                    values = ReadInt();
                else if (field == (v2 ? 4 : 2) && kind == I32)
                    encoding = (Encoding)ReadInt();
                else if (v2 && field is 5 or 6 && kind == I32)
                    levelBytes += ReadInt();
                else if (v2 && field == 7 && kind is True or False)
                    compressed = kind == True;
                else
                    Skip(kind);
            }
        }

        private const int True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12;

        /// <summary>The next field's id and type; false at the struct's end.</summary>
        private bool NextField(ref short field, out int kind)
        {
            byte b = _bytes[Position++];
            kind = b & 0x0F;
            if (kind == 0)
                return false;
            int delta = b >> 4;
            field = delta != 0 ? (short)(field + delta) : (short)ReadZigZag();
            return true;
        }

        private int ReadInt() => (int)ReadZigZag();

        private long ReadZigZag()
        {
            ulong raw = ReadVarint();
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = _bytes[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return value;
            }
            throw new IndexOutOfRangeException();
        }

        private void Skip(int kind)
        {
            switch (kind)
            {
                case True or False:
                    break;
                case Byte:
                    Position++;
                    break;
                case I16 or I32 or I64:
                    ReadVarint();
                    break;
                case Double:
                    Position += 8;
                    break;
                case Binary:
                    // The length first: Position += ReadVarint() would add to the position before the varint.
                    int length = checked((int)ReadVarint());
                    Position += length;
                    break;
                case List or Set:
                    byte head = _bytes[Position++];
                    long count = head >> 4 == 15 ? (long)ReadVarint() : head >> 4;
                    for (long i = 0; i < count; i++)
                        SkipElement(head & 0x0F);
                    break;
                case Map:
                    long entries = (long)ReadVarint();
                    if (entries > 0)
                    {
                        byte types = _bytes[Position++];
                        for (long i = 0; i < entries; i++)
                        {
                            SkipElement(types >> 4);
                            SkipElement(types & 0x0F);
                        }
                    }
                    break;
                case Struct:
                    short field = 0;
                    while (NextField(ref field, out int inner))
                        Skip(inner);
                    break;
                default:
                    throw new IndexOutOfRangeException();
            }
        }

        // In a list, set or map a bool is a byte of its own.
        private void SkipElement(int kind)
        {
            if (kind is True or False)
                Position++;
            else
                Skip(kind);
        }
    }
}
