using System.Diagnostics;
using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Estimation;
using GpuEstimation.Models;

namespace GpuEstimation.Bench;

/// <summary>
/// Issue 17's family ratios without BenchmarkDotNet's process per case: value + gradient at each family's start over
/// the same 10⁶ points as <see cref="FamilyRatioBenchmarks"/>, on the native backend with one thread and with every
/// core, the minimum of <c>rounds</c> evaluations per family, the families taken in turn round after round (so that a
/// burst of load on a shared machine falls on all of them alike), and each one's ratio to the Normal from the same run.
/// </summary>
public static class FamilyRates
{
    private static readonly string[] Families = ["normal", "studentt", "logistic", "weibull", "cauchy", "negbinomial"];

    /// <summary>Times the families and prints one table per thread count.</summary>
    public static void Run(int rounds)
    {
        foreach (int? threads in new int?[] { 1, null })
        {
            using var device = ComputeDevice.Open(Backend.Native, threads);
            var sessions = Families.Select(f =>
            {
                var spec = ModelCatalog.Create(f, FamilyData.Create(f, 1_000_000), FamilyData.Columns(f));
                return (Spec: spec, Session: new EstimationSession(spec, device));
            }).ToArray();
            var best = Enumerable.Repeat(double.MaxValue, Families.Length).ToArray();
            for (int round = 0; round < rounds; round++)
            {
                for (int f = 0; f < Families.Length; f++)
                {
                    var watch = Stopwatch.StartNew();
                    sessions[f].Session.Evaluate(sessions[f].Spec.Start);
                    best[f] = Math.Min(best[f], watch.Elapsed.TotalMilliseconds);
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threads: {(threads?.ToString(CultureInfo.InvariantCulture) ?? "all")}, minimum of {rounds} evaluations, 10^6 points"));
            for (int f = 0; f < Families.Length; f++)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Families[f],-12} {best[f],8:F3} ms  {best[f] / best[0],5:F1}x"));
            foreach (var (_, session) in sessions)
                session.Dispose();
        }
    }
}
