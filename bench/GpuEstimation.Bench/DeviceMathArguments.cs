namespace GpuEstimation.Bench;

/// <summary>The arguments the device-math benchmarks and the accuracy report use, the same every run.</summary>
internal static class DeviceMathArguments
{
    /// <summary>Log arguments: 10⁻⁶ to 10⁶, log-uniform (parameters and data as likelihoods meet them).</summary>
    public static double[] Log(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++)
            x[i] = Math.Exp((random.NextDouble() - 0.5) * 2 * 6 * Math.Log(10));
        return x;
    }

    /// <summary>Log arguments over every exponent of the double range, subnormals included.</summary>
    public static double[] LogWholeRange(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++)
            x[i] = BitConverter.Int64BitsToDouble(random.NextInt64(1, 0x7FEFFFFFFFFFFFFF));
        return x;
    }

    /// <summary>Exp arguments: uniform over [−40, 40] (likelihood terms such as e^{−|z|} and (x/λ)^k).</summary>
    public static double[] Exp(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++)
            x[i] = (random.NextDouble() - 0.5) * 80;
        return x;
    }

    /// <summary>Exp arguments over the whole finite, normal-result range, [−708, 709.7].</summary>
    public static double[] ExpWholeRange(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++)
            x[i] = -708 + random.NextDouble() * (709.7 + 708);
        return x;
    }
}
