using System.Diagnostics;
using GpuEstimation.Kernels;

namespace GpuEstimation.Estimation;

/// <summary>Warm timings, as timeit would take them: the same work run again and again, the median of its times.</summary>
public static class WarmTiming
{
    /// <summary>Runs <paramref name="work"/> <paramref name="repeat"/> times (at least 1); the median time in milliseconds.</summary>
    public static double MedianMs(int repeat, Action work)
    {
        if (repeat < 1)
            throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "must be at least 1");
        var times = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            long begin = Stopwatch.GetTimestamp();
            work();
            times[r] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        }
        return Moments.Quantile(times, 0.5);
    }
}
