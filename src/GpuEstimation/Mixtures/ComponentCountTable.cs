namespace GpuEstimation.Mixtures;

/// <summary>One number of components tried: its fit's log-likelihood and criteria, or why it gave none.</summary>
/// <param name="Components">K.</param>
/// <param name="LogLikelihood">The maximized log-likelihood (null where the fit failed).</param>
/// <param name="ParameterCount">The number of free parameters, k.</param>
/// <param name="Aic">2k − 2 log L.</param>
/// <param name="Bic">k log n − 2 log L.</param>
/// <param name="Failure">Why there is no fit (a collapsed component, for instance), or null.</param>
/// <param name="Spurious">
/// Where the fit has a component on fewer rows than its estimates need (<see cref="IMixtureResult.Spurious"/>), what it is:
/// such a K is listed but not chosen while another K has none. Null otherwise.
/// </param>
public sealed record ComponentCountRow(int Components, double? LogLikelihood, int ParameterCount, double? Aic, double? Bic, string? Failure, string? Spurious = null);

/// <summary>
/// Fits a mixture for each number of components in a range and picks the lowest BIC (as mclust and sklearn users
/// do), passing over a fit with a spurious component. Model-neutral: the caller says how to fit K components; a K whose fit throws
/// <see cref="MixtureFitException"/>, does not converge, or (beyond the first K) is bad input for the data (more
/// components than distinct values) is listed with the reason and not chosen; a K whose fit has a spurious component
/// (<see cref="SpuriousComponent"/>) is listed with its criteria and chosen only where every K's fit has one.
/// </summary>
public sealed class ComponentCountTable<TResult> where TResult : class, IMixtureResult
{
    private ComponentCountTable(IReadOnlyList<ComponentCountRow> rows, int best, TResult fit)
    {
        Rows = rows;
        BestIndex = best;
        Best = fit;
        Notes = [.. BelowFewer(rows), .. NotChosen(rows, best)];
    }

    /// <summary>
    /// Where a K's log-likelihood is below a smaller K's: K components contain every mixture of fewer (a component
    /// of weight 0), so its starts ended at local optima, and its criteria are too high (a trial's K = 5 at −34947.50
    /// under K = 4's −34946.53, unmarked); and each K with a spurious component, not chosen (or chosen, where no K gave
    /// a fit without one).
    /// </summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>One row per K, in increasing K.</summary>
    public IReadOnlyList<ComponentCountRow> Rows { get; }

    /// <summary>The index in <see cref="Rows"/> of the chosen K: the lowest BIC among the fits without a spurious component (among all where none is without).</summary>
    public int BestIndex { get; }

    /// <summary>The chosen K's fit (<see cref="BestIndex"/>).</summary>
    public TResult Best { get; }

    /// <summary>
    /// Fits K = <paramref name="from"/> … <paramref name="to"/> components with <paramref name="fit"/>; the lowest BIC
    /// wins (the smaller K on a tie) among the fits without a spurious component, or among all where every fit has one.
    /// <see cref="MixtureFitException"/> when no K gives a fit.
    /// </summary>
    public static ComponentCountTable<TResult> Choose(int from, int to, Func<int, TResult> fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        var rows = new List<ComponentCountRow>();
        TResult? best = null;
        int bestIndex = -1;
        for (int k = from; k <= to; k++)
        {
            TResult result;
            try
            {
                result = fit(k);
            }
            catch (MixtureFitException e)
            {
                rows.Add(new ComponentCountRow(k, null, 0, null, null, e.Message));
                continue;
            }
            // The first K's bad input is the data's, and ends the command; a later K's is that K's (not identified).
            catch (InputException e) when (k > from)
            {
                rows.Add(new ComponentCountRow(k, null, 0, null, null, e.Message));
                continue;
            }
            if (result.NotConverged is { } why)
            {
                rows.Add(new ComponentCountRow(k, null, 0, null, null, why));
                continue;
            }
            double ll = result.LogLikelihood;
            int p = result.ParameterCount;
            double bic = p * Math.Log(result.Rows) - 2 * ll;
            var spurious = result.Spurious;
            rows.Add(new ComponentCountRow(k, ll, p, 2 * p - 2 * ll, bic, null, spurious));
            // A fit without a spurious component beats one with; among alike, the lower BIC.
            if (best is null || (spurious is null && rows[bestIndex].Spurious is not null)
                || ((spurious is null) == (rows[bestIndex].Spurious is null) && bic < rows[bestIndex].Bic))
            {
                best = result;
                bestIndex = rows.Count - 1;
            }
        }
        if (best is null)
            throw new MixtureFitException($"no number of components from {from} to {to} gave a fit: " +
                string.Join("; ", rows.Select(r => $"K = {r.Components}: {r.Failure}")));
        return new ComponentCountTable<TResult>(rows, bestIndex, best);
    }

    // The K with a spurious component: not chosen (said with its BIC where that is lower than the chosen K's), or chosen
    // because every K has one.
    private static IEnumerable<string> NotChosen(IReadOnlyList<ComponentCountRow> rows, int best)
    {
        var chosen = rows[best];
        foreach (var row in rows.Where(r => r.Spurious is not null))
        {
            if (ReferenceEquals(row, chosen))
                yield return $"K = {row.Components}: chosen though {row.Spurious}; no K gave a fit without such a component";
            else
                yield return $"K = {row.Components}: not chosen{(row.Bic < chosen.Bic ? $" (its BIC {row.Bic:G10} is lower)" : "")}: {row.Spurious}";
        }
    }

    private static IEnumerable<string> BelowFewer(IReadOnlyList<ComponentCountRow> rows)
    {
        ComponentCountRow? highest = null;
        foreach (var row in rows.Where(r => r.LogLikelihood is not null))
        {
            double ll = row.LogLikelihood!.Value;
            if (highest is { LogLikelihood: { } top } && ll < top - 1e-9 * Math.Max(1, Math.Abs(top)))
            {
                yield return $"K = {row.Components}: log-likelihood {ll:G12} is below K = {highest.Components}'s {top:G12}, a mixture it contains " +
                    "(a component of weight 0): its starts ended at local optima, and its AIC and BIC are too high; more starts may find a higher maximum";
            }
            if (highest is null || ll > highest.LogLikelihood)
                highest = row;
        }
    }
}
