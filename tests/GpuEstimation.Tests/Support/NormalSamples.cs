using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace GpuEstimation.Tests.Support;

/// <summary>Normal samples from a fixed seed: the shared test data of the engine, fit, inference and plot tests.</summary>
internal static class NormalSamples
{
    /// <summary><paramref name="n"/> draws from Normal(<paramref name="mean"/>, <paramref name="sd"/>), the same for the same seed.</summary>
    public static double[] Draw(int n, int seed, double mean, double sd)
    {
        var normal = new Normal(mean, sd, new Xoshiro256StarStar(seed));
        var values = new double[n];
        normal.Samples(values);
        return values;
    }
}
