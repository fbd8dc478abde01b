using System.Diagnostics;
using System.Globalization;
using GpuEstimation.Mixtures;
using GpuEstimation.Tests.Cli;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Mixtures;

/// <summary>
/// The log-likelihood against sklearn's GaussianMixture (best of 10 k-means initialisations, tol 1e-10) on the same
/// data, where /usr/bin/python3 has sklearn (Debian's python3-sklearn); where it has not, the host EM check of
/// <see cref="GaussianMixtureTests"/> stands alone.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class SklearnComparisonTests(DeviceFixture devices) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-gmm-sk").FullName;

    [Theory]
    [Trait("Category", Categories.Slow)]
    [InlineData("full", 2)]
    [InlineData("full", 5)]
    [InlineData("diag", 5)]
    [InlineData("spherical", 2)]
    [InlineData("tied", 2)]
    public void LogLikelihoodIsAtLeastSklearnsBestOfTen(string type, int d)
    {
        var truth = d == 2 ? MixtureSamples.TwoD : MixtureSamples.FiveD();
        var columns = MixtureSamples.Draw(truth, 3000, seed: 21);
        var names = Enumerable.Range(0, d).Select(j => $"x{j}").ToArray();
        var path = Gpuest.WriteCsv(_directory, "x.csv", names.Zip(columns).ToArray());
        var sklearn = Sklearn(path, type);
        if (sklearn is null)
            return; // no sklearn on this machine
        var covariance = type switch
        {
            "full" => GaussianMixtureCovariance.Full,
            "diag" => GaussianMixtureCovariance.Diagonal,
            "spherical" => GaussianMixtureCovariance.Spherical,
            _ => GaussianMixtureCovariance.Tied,
        };
        using var fitter = new GaussianMixtureFitter(names, columns, devices.Native);
        var fit = fitter.Fit(new GaussianMixtureOptions { Components = 3, Covariance = covariance, Starts = 4, StandardErrors = false });
        Assert.True(fit.LogLikelihood >= sklearn.Value - 1e-7 * Math.Abs(sklearn.Value), $"gpuest {fit.LogLikelihood:R} < sklearn {sklearn:R}");
    }

    private static double? Sklearn(string path, string type)
    {
        const string script = """
            import sys, numpy as np
            from sklearn.mixture import GaussianMixture
            x = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
            g = GaussianMixture(3, covariance_type=sys.argv[2], n_init=10, tol=1e-10, max_iter=100000, random_state=0).fit(x)
            print(repr(float(g.score(x) * len(x))))
            """;
        if (!File.Exists("/usr/bin/python3"))
            return null;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", script, path, type })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Assert.Contains("No module named", error); // sklearn or numpy missing: nothing to compare with
            return null;
        }
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
