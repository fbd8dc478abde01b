using Parquet.Meta;

namespace GpuEstimation.Data;

/// <summary>What a page header says: its type, sizes, number of values (rows, nulls included), encoding, level bytes (V2) and whether its values are compressed (V2 may say not).</summary>
internal struct ParquetPageHeader
{
    public PageType Type;
    public int Size;
    public int Uncompressed;
    public int Values;
    public Encoding Encoding;
    public Encoding DefinitionEncoding;
    public int DefinitionBytes;
    public int RepetitionBytes;
    public bool Compressed;
}

/// <summary>Reads a page header, a Thrift struct in the compact protocol, from the bytes it begins.</summary>
internal ref struct ParquetPageHeaderReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    /// <summary>Where the next byte is read: after a header, its length.</summary>
    public int Position { get; private set; }

    /// <summary>The page header's fields (see <see cref="ParquetPageHeader"/>); false for a header that does not fit in the bytes given or is not well formed.</summary>
    public bool TryReadHeader(out ParquetPageHeader header)
    {
        header = new ParquetPageHeader { Type = (PageType)(-1), Size = -1, Uncompressed = -1, Values = -1, Encoding = (Encoding)(-1), DefinitionEncoding = Encoding.RLE, Compressed = true };
        try
        {
            short field = 0;
            while (NextField(ref field, out int kind))
            {
                switch (field)
                {
                    case 1 when kind == I32: header.Type = (PageType)ReadInt(); break;
                    case 2 when kind == I32: header.Uncompressed = ReadInt(); break;
                    case 3 when kind == I32: header.Size = ReadInt(); break;
                    case 5 or 7 or 8 when kind == Struct: ReadPage(field, ref header); break;
                    default: Skip(kind); break;
                }
            }
            return header.Size >= 0 && header.Uncompressed >= 0;
        }
        catch (Exception e) when (e is IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    // DataPageHeader (5): 1 num_values, 2 encoding, 3 the definition levels' encoding. DictionaryPageHeader (7): 1 num_values, 2 encoding.
    // DataPageHeaderV2 (8): 1 num_values (rows, nulls included), 4 encoding, 5 and 6 the definition and repetition
    // levels' byte lengths, 7 is_compressed (a bool, its value in the field's type).
    private void ReadPage(short page, ref ParquetPageHeader header)
    {
        bool v2 = page == 8;
        short field = 0;
        while (NextField(ref field, out int kind))
        {
            if (field == 1 && kind == I32)
                header.Values = ReadInt();
            else if (field == (v2 ? 4 : 2) && kind == I32)
                header.Encoding = (Encoding)ReadInt();
            else if (!v2 && field == 3 && kind == I32)
                header.DefinitionEncoding = (Encoding)ReadInt();
            else if (v2 && field == 5 && kind == I32)
                header.DefinitionBytes = ReadInt();
            else if (v2 && field == 6 && kind == I32)
                header.RepetitionBytes = ReadInt();
            else if (v2 && field == 7 && kind is True or False)
                header.Compressed = kind == True;
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
