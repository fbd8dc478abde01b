using GpuEstimation.Kernels;
using Xunit;

namespace GpuEstimation.Tests.Engine;

public class TermVectorTests
{
    [Fact]
    public void EveryIndexOfEveryCapacityIsItsOwnSlot()
    {
        Check<Vec4>();
        Check<Twice<Vec4>>();
        Check<Twice<Twice<Vec4>>>();
        Check<Twice<Twice<Twice<Vec4>>>>();
        Check<Twice<Twice<Twice<Twice<Vec4>>>>>();
    }

    private static void Check<T>() where T : unmanaged, ITermVector<T>
    {
        var v = default(T);
        for (int k = 0; k < T.Capacity; k++)
            v.Set(k, k + 1);
        for (int k = 0; k < T.Capacity; k++)
            v.Add(k, 0.5);
        for (int k = 0; k < T.Capacity; k++)
            Assert.Equal(k + 1.5, v.Get(k));
    }
}
