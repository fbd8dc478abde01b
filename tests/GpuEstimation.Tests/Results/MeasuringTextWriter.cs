using System.Text;

namespace GpuEstimation.Tests.Results;

/// <summary>A text writer that keeps nothing: it counts the characters written and the largest single write.</summary>
internal sealed class MeasuringTextWriter : TextWriter
{
    /// <summary>Characters written in all.</summary>
    public long Total { get; private set; }

    /// <summary>The most characters handed over in one write.</summary>
    public int LargestWrite { get; private set; }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Count(1);

    public override void Write(char[] buffer, int index, int count) => Count(count);

    public override void Write(ReadOnlySpan<char> buffer) => Count(buffer.Length);

    public override void Write(string? value) => Count(value?.Length ?? 0);

    private void Count(int length)
    {
        Total += length;
        LargestWrite = Math.Max(LargestWrite, length);
    }
}
