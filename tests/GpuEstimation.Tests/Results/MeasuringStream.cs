namespace GpuEstimation.Tests.Results;

/// <summary>A write-only stream that keeps nothing: it counts the bytes written and the largest single write.</summary>
internal sealed class MeasuringStream : Stream
{
    /// <summary>Bytes written in all.</summary>
    public long Total { get; private set; }

    /// <summary>The most bytes handed over in one write.</summary>
    public int LargestWrite { get; private set; }

    /// <summary>Writes received.</summary>
    public int Writes { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Total;
    public override long Position { get => Total; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Total += buffer.Length;
        LargestWrite = Math.Max(LargestWrite, buffer.Length);
        Writes++;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
