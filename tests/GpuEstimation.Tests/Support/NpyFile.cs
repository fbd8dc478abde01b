using System.Text;

namespace GpuEstimation.Tests.Support;

/// <summary>Writes .npy files as the format describes them, for tests that need one NumPy did not write.</summary>
public static class NpyFile
{
    /// <summary>
    /// Magic, version <paramref name="major"/>, header length, <paramref name="header"/> padded with spaces to a multiple
    /// of 64 bytes and ended by a newline, then <paramref name="data"/>.
    /// </summary>
    public static void Write(string path, int major, string header, byte[] data)
    {
        int lengthBytes = major == 1 ? 2 : 4;
        int prefix = 8 + lengthBytes;
        int padded = (prefix + header.Length + 1 + 63) / 64 * 64 - prefix;
        var text = header.PadRight(padded - 1) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        stream.Write(major == 1 ? BitConverter.GetBytes((ushort)padded) : BitConverter.GetBytes(padded));
        stream.Write(Encoding.Latin1.GetBytes(text));
        stream.Write(data);
        File.WriteAllBytes(path, stream.ToArray());
    }

    /// <summary>A 1-D float64 array.</summary>
    public static void Write(string path, double[] values) =>
        Write(path, 1, $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({values.Length},), }}", Bytes(values));

    /// <summary>Little-endian float64 bytes (this machine's order, as on every machine the tests run on).</summary>
    public static byte[] Bytes(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
