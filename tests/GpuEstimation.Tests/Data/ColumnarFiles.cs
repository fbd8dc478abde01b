using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Parquet;
using Parquet.Schema;

namespace GpuEstimation.Tests.Data;

/// <summary>
/// Writes test tables as Parquet (Parquet.Net) and Arrow IPC (Apache.Arrow): each column an array of one element
/// type (double?[] or string?[] for nulls), in row groups or record batches of <c>part</c> rows.
/// </summary>
internal static class ColumnarFiles
{
    /// <summary>The columns as a Parquet file at <paramref name="path"/>, <paramref name="part"/> rows a row group.</summary>
    public static string Parquet(string path, int part, params (string Name, System.Array Values)[] columns) =>
        Parquet(path, part, CompressionMethod.None, columns);

    /// <summary>As the other overload, with <paramref name="compression"/>.</summary>
    public static string Parquet(string path, int part, CompressionMethod compression, params (string Name, System.Array Values)[] columns)
    {
        var fields = columns.Select(c => new DataField(c.Name, ClrType(c.Values), Nullable.GetUnderlyingType(c.Values.GetType().GetElementType()!) is not null || c.Values is string[])).ToArray();
        var schema = new ParquetSchema(fields);
        int rows = columns[0].Values.Length;
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = compression }).GetAwaiter().GetResult();
        try
        {
            for (int start = 0; start < rows; start += part)
            {
                int count = Math.Min(part, rows - start);
                using var group = writer.CreateRowGroup();
                for (int c = 0; c < columns.Length; c++)
                    Write(group, fields[c], columns[c].Values, start, count).GetAwaiter().GetResult();
            }
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return path;
    }

    private static Type ClrType(System.Array values)
    {
        var element = values.GetType().GetElementType()!;
        return Nullable.GetUnderlyingType(element) ?? element;
    }

    private static async Task Write(ParquetRowGroupWriter group, DataField field, System.Array values, int start, int count)
    {
        // By exact type: the runtime lets byte[] pass for sbyte[] (and ushort[] for short[], ...) in a type test.
        switch (values)
        {
            case double[] a: await group.WriteAsync<double>(field, a.AsMemory(start, count)); break;
            case double?[] a: await group.WriteAsync<double>(field, a.AsMemory(start, count)); break;
            case float[] a: await group.WriteAsync<float>(field, a.AsMemory(start, count)); break;
            case sbyte[] a when a.GetType() == typeof(sbyte[]): await group.WriteAsync<sbyte>(field, a.AsMemory(start, count)); break;
            case byte[] a when a.GetType() == typeof(byte[]): await group.WriteAsync<byte>(field, a.AsMemory(start, count)); break;
            case short[] a when a.GetType() == typeof(short[]): await group.WriteAsync<short>(field, a.AsMemory(start, count)); break;
            case ushort[] a when a.GetType() == typeof(ushort[]): await group.WriteAsync<ushort>(field, a.AsMemory(start, count)); break;
            case int[] a when a.GetType() == typeof(int[]): await group.WriteAsync<int>(field, a.AsMemory(start, count)); break;
            case int?[] a: await group.WriteAsync<int>(field, a.AsMemory(start, count)); break;
            case uint[] a when a.GetType() == typeof(uint[]): await group.WriteAsync<uint>(field, a.AsMemory(start, count)); break;
            case long[] a when a.GetType() == typeof(long[]): await group.WriteAsync<long>(field, a.AsMemory(start, count)); break;
            case ulong[] a when a.GetType() == typeof(ulong[]): await group.WriteAsync<ulong>(field, a.AsMemory(start, count)); break;
            case bool[] a: await group.WriteAsync<bool>(field, a.AsMemory(start, count)); break;
            case decimal[] a: await group.WriteAsync<decimal>(field, a.AsMemory(start, count)); break;
            case DateTime[] a: await group.WriteAsync<DateTime>(field, a.AsMemory(start, count)); break;
            case string?[] a: await group.WriteAsync(field, a[start..(start + count)]!); break;
            default: throw new ArgumentException($"no writer for {values.GetType()}");
        }
    }

    /// <summary>
    /// The columns as an Arrow IPC file (<paramref name="stream"/> false) or stream, <paramref name="part"/> rows a
    /// record batch; text columns dictionary-encoded (one dictionary shared by every batch).
    /// </summary>
    public static string Arrow(string path, bool stream, int part, params (string Name, System.Array Values)[] columns)
    {
        int rows = columns[0].Values.Length;
        var dictionaries = columns.Select(c => c.Values is string?[] cells ? cells.OfType<string>().Distinct().ToArray() : null).ToArray();
        var batches = new List<RecordBatch>();
        for (int start = 0; start < rows; start += part)
        {
            int count = Math.Min(part, rows - start);
            var arrays = columns.Select((c, i) => ArrowArray(c.Values, start, count, dictionaries[i])).ToArray();
            var schema = new Schema(columns.Select((c, i) => new Apache.Arrow.Field(c.Name, arrays[i].Data.DataType, true)), null);
            batches.Add(new RecordBatch(schema, arrays, count));
        }
        using var file = File.Create(path);
        ArrowStreamWriter writer = stream ? new ArrowStreamWriter(file, batches[0].Schema) : new ArrowFileWriter(file, batches[0].Schema);
        using (writer)
        {
            foreach (var batch in batches)
                writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }
        return path;
    }

    private static IArrowArray ArrowArray(System.Array values, int start, int count, string[]? dictionary)
    {
        switch (values)
        {
            case double?[] a:
                var doubles = new DoubleArray.Builder();
                foreach (var v in a.AsSpan(start, count))
                {
                    if (v is { } value)
                        doubles.Append(value);
                    else
                        doubles.AppendNull();
                }
                return doubles.Build();
            case double[] a: return new DoubleArray.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case float[] a: return new FloatArray.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case Half[] a: return new HalfFloatArray.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case sbyte[] a when a.GetType() == typeof(sbyte[]): return new Int8Array.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case byte[] a when a.GetType() == typeof(byte[]): return new UInt8Array.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case short[] a when a.GetType() == typeof(short[]): return new Int16Array.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case ushort[] a when a.GetType() == typeof(ushort[]): return new UInt16Array.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case int[] a when a.GetType() == typeof(int[]): return new Int32Array.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case uint[] a when a.GetType() == typeof(uint[]): return new UInt32Array.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case long[] a when a.GetType() == typeof(long[]): return new Int64Array.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case ulong[] a when a.GetType() == typeof(ulong[]): return new UInt64Array.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case bool[] a: return new BooleanArray.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case DateTimeOffset[] a: return new TimestampArray.Builder().AppendRange(a.Skip(start).Take(count)).Build();
            case string?[] a:
                var indices = new Int32Array.Builder();
                foreach (var cell in a.AsSpan(start, count))
                {
                    if (cell is null)
                        indices.AppendNull();
                    else
                        indices.Append(System.Array.IndexOf(dictionary!, cell));
                }
                var levels = new StringArray.Builder().AppendRange(dictionary!).Build();
                return new DictionaryArray(new DictionaryType(Int32Type.Default, StringType.Default, false), indices.Build(), levels);
            default:
                throw new ArgumentException($"no writer for {values.GetType()}");
        }
    }
}
