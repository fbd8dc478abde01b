using System.Globalization;

namespace GpuEstimation.Mixtures;

/// <summary>Each row's responsibilities and most likely component, as CSV (model-neutral: any <see cref="IMixtureResult"/>).</summary>
public static class MixtureAssignments
{
    /// <summary>
    /// Writes <c>row,component,r1,…,rK</c>: the data row (from 1), the component with the largest responsibility (from
    /// 1, the lower number on a tie) and every responsibility, shortest round-trip digits.
    /// </summary>
    public static void Write(TextWriter output, IMixtureResult fit)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(fit);
        int k = fit.Components;
        var r = fit.Responsibilities();
        output.WriteLine("row,component," + string.Join(",", Enumerable.Range(1, k).Select(c => $"r{c}")));
        var line = new System.Text.StringBuilder();
        for (int i = 0; i < fit.Rows; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++)
            {
                if (r[(long)i * k + c] > r[(long)i * k + best])
                    best = c;
            }
            line.Clear().Append(i + 1).Append(',').Append(best + 1);
            for (int c = 0; c < k; c++)
                line.Append(',').Append(r[(long)i * k + c].ToString("R", CultureInfo.InvariantCulture));
            output.WriteLine(line);
        }
    }
}
