using System.Globalization;

namespace GpuEstimation.Mixtures;

/// <summary>Each row's responsibilities and most likely component, as CSV (model-neutral: any <see cref="IMixtureResult"/>).</summary>
public static class MixtureAssignments
{
    /// <summary>
    /// Writes <c>row,component,r1,…,rK</c>: the data row (from 1), the component with the largest responsibility (from
    /// 1, the lower number on a tie) and every responsibility, shortest round-trip digits. Rows of the source skipped
    /// for a missing value (<paramref name="dropped"/>, their places among the source's data rows as
    /// <see cref="Data.Dataset.Dropped"/> gives them) keep their numbers with empty cells, so that the file's rows
    /// are the source's (R's <c>na.exclude</c>).
    /// </summary>
    public static void Write(TextWriter output, IMixtureResult fit, IReadOnlyList<int>? dropped = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(fit);
        dropped ??= [];
        int k = fit.Components;
        var r = fit.Responsibilities();
        output.WriteLine("row,component," + string.Join(",", Enumerable.Range(1, k).Select(c => $"r{c}")));
        var empty = new string(',', k + 1);
        var line = new System.Text.StringBuilder();
        int next = 0;
        for (int i = 0; i < fit.Rows; i++)
        {
            for (; next < dropped.Count && dropped[next] == i + next; next++)
                output.WriteLine($"{dropped[next] + 1}{empty}");
            int best = 0;
            for (int c = 1; c < k; c++)
            {
                if (r[(long)i * k + c] > r[(long)i * k + best])
                    best = c;
            }
            line.Clear().Append(i + next + 1).Append(',').Append(best + 1);
            for (int c = 0; c < k; c++)
                line.Append(',').Append(r[(long)i * k + c].ToString("R", CultureInfo.InvariantCulture));
            output.WriteLine(line);
        }
        for (; next < dropped.Count; next++)
            output.WriteLine($"{dropped[next] + 1}{empty}");
    }
}
