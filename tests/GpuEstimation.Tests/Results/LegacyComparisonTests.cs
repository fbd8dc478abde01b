using System.Text;
using GpuEstimation.Results;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Results;

// Interim: the serializer's reports against the hand-written writers they replace, byte for byte.
[Collection(DeviceCollection.Name)]
public class LegacyComparisonTests(DeviceFixture devices)
{
    [Fact]
    public void FitJsonIsByteIdentical()
    {
        foreach (var (label, fit, ms) in ReportSamples.Fits(devices.Native))
        {
            Assert.True(LegacyJsonReport.Fit(fit, ms) == JsonReport.Fit(fit, ms), label + "\n" + LegacyJsonReport.Fit(fit, ms) + "\n" + JsonReport.Fit(fit, ms));
            Assert.True(LegacyJsonReport.Fit(fit) == JsonReport.Fit(fit), label);
        }
    }

    [Fact]
    public void EvaluationJsonIsByteIdentical()
    {
        foreach (var (model, evaluation, ms) in ReportSamples.Evaluations(devices.Native))
        {
            Assert.Equal(LegacyJsonReport.Evaluation(model, evaluation, ms), JsonReport.Evaluation(model, evaluation, ms));
            Assert.Equal(LegacyJsonReport.Evaluation(model, evaluation, 7.5), JsonReport.Evaluation(model, evaluation, 7.5));
        }
    }

    [Fact]
    public void SweepJsonAndCsvAreByteIdentical()
    {
        foreach (var (label, sweep, ms) in ReportSamples.Sweeps(devices.Native))
        {
            string legacy = LegacySurfaceReport.Json(sweep, ms);
            Assert.True(legacy == SurfaceReport.Json(sweep, ms), label + "\n" + legacy + "\n" + SurfaceReport.Json(sweep, ms));
            using var stream = new MemoryStream();
            SurfaceReport.WriteJson(sweep, stream, ms);
            Assert.Equal(Encoding.UTF8.GetBytes(legacy), stream.ToArray());
            Assert.Equal(LegacySurfaceReport.Csv(sweep), SurfaceReport.Csv(sweep));
        }
    }
}
