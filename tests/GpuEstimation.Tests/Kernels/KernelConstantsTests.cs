using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using MathNet.Numerics;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>The shared constants are the doubles nearest the true values, and the models' Prepare takes DeviceMath's log.</summary>
public class KernelConstantsTests
{
    // MathNet writes its constants with 30+ digits, so each parses to the nearest double: exact equality is the check.
    [Fact]
    public void ConstantsAreMathNetsNearestDoubles()
    {
        Assert.Equal(KernelConstants.Pi, Constants.Pi);
        Assert.Equal(KernelConstants.Pi, Math.PI);
        Assert.Equal(KernelConstants.LogPi, Constants.LnPi);
        Assert.Equal(KernelConstants.HalfLogTwoPi, Constants.LogSqrt2Pi);
        Assert.Equal(KernelConstants.Log2, Constants.Ln2);
        Assert.Equal(KernelConstants.InverseLog2, Constants.Log2E);
        Assert.Equal(KernelConstants.Sqrt2, Constants.Sqrt2);
        Assert.Equal(KernelConstants.Sqrt2, Math.Sqrt(2)); // IEEE square root is correctly rounded
        Assert.Equal(KernelConstants.EulerGamma, Constants.EulerMascheroni);
    }

    // The normal and linear models' Prepare took the host's Math.Log before every Prepare took DeviceMath.Log. Over
    // σ from 10⁻⁶ to 10⁶ the constant −log σ − ½ log 2π stays within 2 ulp of log σ's magnitude of the Math.Log
    // version (DeviceMath.Log's bound, DeviceMathTests), so fits are unchanged beyond that rounding.
    [Fact]
    public void NormalPrepareStaysWithinDeviceMathLogBound()
    {
        var random = new Random(17);
        var arguments = new double[NormalModel.ArgumentCount(default)];
        int identical = 0;
        const int count = 100_000;
        for (int i = 0; i < count; i++)
        {
            double sigma = Math.Exp((random.NextDouble() - 0.5) * 2 * 6 * Math.Log(10));
            NormalModel.Prepare(default, [0.5, sigma], arguments);
            double host = -Math.Log(sigma) - KernelConstants.HalfLogTwoPi;
            double ulp = Math.BitIncrement(Math.Max(Math.Abs(Math.Log(sigma)), KernelConstants.HalfLogTwoPi)) - Math.Max(Math.Abs(Math.Log(sigma)), KernelConstants.HalfLogTwoPi);
            Assert.True(Math.Abs(arguments[2] - host) <= 2 * ulp, $"sigma {sigma:R}: {arguments[2]:R} vs {host:R}");
            Assert.Equal(-DeviceMath.Log(sigma) - KernelConstants.HalfLogTwoPi, arguments[2]);
            identical += arguments[2] == host ? 1 : 0;
        }
        Assert.True(identical > count / 2, $"only {identical} of {count} identical to the Math.Log version");
    }
}
