using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;

namespace GpuEstimation.Tests.Support;

/// <summary>A NIST StRD linear-regression dataset with its certified values.</summary>
public sealed record NistLinear(string Name, double[] Y, double[][] Features, double[] Estimates, double[] StandardDeviations, double ResidualSd)
{
    /// <summary>The test's copy of the linear datasets (tests/GpuEstimation.Tests/nist-strd, copied to the output).</summary>
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "nist-strd");

    /// <summary>
    /// Reads a linear dataset: certified B0..Bk (lines 31-60), data from line 61. With two data columns and more than
    /// two parameters the model is the polynomial in x of degree k (Pontius, Filip, Wampler).
    /// </summary>
    public static NistLinear Load(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(Directory, name + ".dat"));
        var estimates = new List<double>();
        var sds = new List<double>();
        double residualSd = double.NaN;
        for (int i = 30; i < 60; i++)
        {
            var parts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0].StartsWith('B'))
            {
                estimates.Add(Parse(parts[1]));
                sds.Add(Parse(parts[2]));
            }
            else if (parts.Length >= 3 && parts[0] == "Standard" && parts[1] == "Deviation")
            {
                residualSd = Parse(parts[2]);
            }
        }
        var rows = lines.Skip(60)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length > 0)
            .Select(p => p.Select(Parse).ToArray())
            .ToArray();
        var y = rows.Select(r => r[0]).ToArray();
        double[][] features;
        if (rows[0].Length == 2 && estimates.Count > 2)
            features = Enumerable.Range(1, estimates.Count - 1).Select(power => rows.Select(r => Math.Pow(r[1], power)).ToArray()).ToArray();
        else
            features = Enumerable.Range(1, rows[0].Length - 1).Select(c => rows.Select(r => r[c]).ToArray()).ToArray();
        return new NistLinear(name, y, features, estimates.ToArray(), sds.ToArray(), residualSd);
    }

    /// <summary>Loads dataset <paramref name="name"/> and fits the linear model (features x1..xk) with the given parameters held.</summary>
    public static (FitResult Fit, NistLinear Nist) Fit(ComputeDevice device, string name, IReadOnlyDictionary<string, double>? fixes = null)
    {
        var nist = Load(name);
        var names = Enumerable.Range(1, nist.Features.Length).Select(j => $"x{j}").ToArray();
        var columns = new List<(string, double[])> { ("y", nist.Y) };
        columns.AddRange(names.Select((n, j) => (n, nist.Features[j])));
        var spec = ModelCatalog.Linear(Dataset.FromColumns(columns.ToArray()), "y", names);
        using var session = new EstimationSession(spec, device);
        var fit = session.Fit(new FitOptions { Fixed = fixes ?? new Dictionary<string, double>() });
        return (fit with { Linear = LinearStatistics.Of(spec, fit) }, nist);
    }

    private static double Parse(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
