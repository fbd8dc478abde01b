using GpuEstimation.Mixtures;
using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>
/// A fitted one-column mixture (a catalogue mixture, or a Gaussian mixture of one column): the data's histogram on the
/// density scale (grey bars), the mixture density (a black line) and each weighted component wₖ fₖ (a coloured dashed
/// line each). A discrete mixture's histogram has one bar per whole number (a whole number of them past 200 values)
/// and its densities are probability masses there.
/// </summary>
public static class MixtureDrawing
{
    /// <summary>The components' colours, in component order (then repeated).</summary>
    public static readonly Color[] ComponentColors =
        [Colors.Red, Colors.Blue, Colors.Green, Colors.Orange, Colors.Purple, Colors.Teal, Colors.Brown, Colors.Magenta];

    /// <summary>Draws <paramref name="fit"/> over its data to <paramref name="path"/> (PNG); returns the plot for pixel queries.</summary>
    public static Plot Draw(MixtureFit fit, string path, int width = 900, int height = 550)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var x = fit.Spec.X;
        bool discrete = x.All(v => v == Math.Floor(v)) && fit.Spec.Families.All(f => f.Family is Kernels.Mixtures.MixtureFamily.Poisson
            or Kernels.Mixtures.MixtureFamily.Bernoulli or Kernels.Mixtures.MixtureFamily.Geometric or Kernels.Mixtures.MixtureFamily.NegativeBinomial);
        var families = fit.Spec.Families;
        return Draw(x, fit.Spec.Column, discrete, v => families.Any(f => f.InSupport(v)), fit.Densities, [.. fit.Components.Select(c => c.Weight)], [.. fit.Components.Select(Centre)],
            c => $"w{c + 1} f{c + 1} ({fit.Components[c].Family}, w = {PlotText.Fixed(fit.Components[c].Weight, 3)})",
            $"{fit.Spec.Components}-component mixture ({string.Join(", ", fit.Spec.Families.Select(f => f.Name))}) over {x.Length} rows", path, width, height);
    }

    // Where a catalogue component's density peaks, where its parameters say so simply: a location (normal, Student-t,
    // Cauchy, Laplace, logistic) or a log-normal's mode; null for the others.
    private static double? Centre(MixtureComponent component)
    {
        double? Get(string name) => component.Parameters.FirstOrDefault(p => p.Name == $"{name}{component.Index}")?.Estimate;
        return component.Family == "lognormal"
            ? Get("mu") is { } mu && Get("sigma") is { } sigma ? Math.Exp(mu - sigma * sigma) : null
            : Get("mu") ?? Get("location");
    }

    /// <summary>
    /// Draws a one-column Gaussian mixture <paramref name="fit"/> over its column <paramref name="x"/> as a one-column
    /// mixture is drawn (the histogram, the mixture density, each weighted normal component), to <paramref name="path"/>;
    /// returns the plot for pixel queries. Two columns or more are drawn as ellipses (<see cref="MixturePlots.Ellipses"/>).
    /// </summary>
    public static Plot Draw(GaussianMixtureResult fit, double[] x, string path, int width = 900, int height = 550)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(x);
        if (fit.Columns.Count != 1)
            throw new ArgumentException($"a histogram draws one column; this mixture has {fit.Columns.Count} (MixturePlots.Ellipses draws two)", nameof(fit));
        var components = fit.Components;
        (double[] Total, double[][] Parts) Densities(double[] grid)
        {
            var parts = components.Select(c => grid.Select(g =>
                c.Weight * MathNet.Numerics.Distributions.Normal.PDF(c.Mean[0], Math.Sqrt(c.Covariance[0][0]), g)).ToArray()).ToArray();
            return (grid.Select((_, i) => parts.Sum(p => p[i])).ToArray(), parts);
        }
        return Draw(x, fit.Columns[0], false, _ => true, Densities, [.. components.Select(c => c.Weight)], [.. components.Select(c => (double?)c.Mean[0])],
            c => $"w{c + 1} f{c + 1} (normal, w = {PlotText.Fixed(components[c].Weight, 3)})",
            $"Gaussian mixture, K = {components.Count}, over {x.Length} rows", path, width, height);
    }

    // The histogram of `x` on the density scale, the mixture density and each weighted component (`densities` at the
    // grid's points: the total and each part; `label` each part's legend); the curves only where some component has
    // support (`inSupport`: a gamma mixture's were drawn flat at 0 from 5% of the range below the data).
    private static Plot Draw(double[] x, string column, bool discrete, Func<double, bool> inSupport, Func<double[], (double[] Total, double[][] Parts)> densities,
        double[] weights, double?[] centres, Func<int, string> label, string title, string path, int width, int height)
    {
        // A continuous column in order, once: the range's quantiles and the bars' quartiles both read it.
        double[]? sorted = discrete ? null : x.Order().ToArray();
        var (low, high) = Range(x, sorted);
        int outside = x.Count(v => v < low || v > high);
        double[] grid = discrete
            ? [.. Enumerable.Range(0, (int)(high - low) + 1).Select(i => low + i)]
            : [.. Enumerable.Range(0, 801).Select(i => low - 0.05 * (high - low) + i * 1.1 * (high - low) / 800).Where(inSupport)];
        var (total, parts) = densities(grid);
        // A discrete column's bars are a whole number of values wide: one value each up to 200 values, more past that
        // (counts over 50 … 550 put every count past 249 in the last bar: a trial), each bar's height its values' mean
        // probability, which the probabilities drawn per value are compared with; the last bar as wide as the values
        // left. A continuous one's bars are sized on the even samples, before the peaks' below are added.
        int values = discrete ? (int)(high - low) + 1 : 0;
        int perBar = discrete ? (values + 199) / 200 : 0;
        int bins = sorted is null ? (values + perBar - 1) / perBar : Math.Max(Bins(sorted, low, high), Narrowest(grid, parts, low, high));
        double start = discrete ? low - 0.5 : low, width1 = discrete ? perBar : (high - low) / bins;
        double BarWidth(int b) => discrete && b == bins - 1 ? values - (bins - 1) * perBar : width1;
        if (!discrete)
        {
            // Each component's peak resolved: its centre where known, and 64 more points across the samples beside its
            // highest (a component of σ 0.01 in a range of 80 peaked at 18.9 where its density is 20.3: a trial).
            var more = new List<double>();
            for (int c = 0; c < parts.Length; c++)
            {
                if (centres[c] is { } centre && centre >= grid[0] && centre <= grid[^1])
                    more.Add(centre);
                double top = parts[c].Max();
                if (!(top > 0))
                    continue;
                int at = Array.IndexOf(parts[c], top);
                double from = grid[Math.Max(at - 1, 0)], to = grid[Math.Min(at + 1, grid.Length - 1)];
                more.AddRange(Enumerable.Range(1, 63).Select(k => from + k * (to - from) / 64));
            }
            grid = [.. grid.Concat(more).Distinct().Order()];
            (total, parts) = densities(grid);
        }
        var counts = new double[bins];
        foreach (double v in x)
        {
            if (v >= low && v <= high)
                counts[Math.Clamp((int)((v - start) / width1), 0, bins - 1)]++;
        }

        var plot = new Plot();
        var bars = Enumerable.Range(0, bins).Select(b => new Bar
        {
            Position = start + b * width1 + 0.5 * BarWidth(b),
            Value = counts[b] / (x.Length * BarWidth(b)),
            Size = BarWidth(b),
            FillColor = Colors.LightGray,
            LineColor = Colors.Gray,
            LineWidth = 0.5f,
        }).ToList();
        plot.Add.Bars(bars);

        // The mixture first, the components over it: where one component is the whole density its dashes still show.
        // A discrete column's probabilities are points at its values: the components' marked up to 60 values (hundreds
        // of marks made bands that hid the mixture), all joined but for three values or fewer (a Bernoulli's two were
        // joined by a meaningless diagonal: a trial), where the mixture is marked too.
        bool marked = discrete && values <= 60, joined = !discrete || values > 3;
        var mixture = plot.Add.ScatterLine(grid, total);
        mixture.Color = Colors.Black;
        mixture.LineWidth = joined ? 2.5f : 0;
        mixture.MarkerSize = joined ? 0 : 9;
        mixture.LegendText = discrete ? "mixture probability" : "mixture density";
        for (int c = 0; c < parts.Length; c++)
        {
            var line = plot.Add.ScatterLine(grid, parts[c]);
            line.Color = ComponentColors[c % ComponentColors.Length];
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = joined ? 2 : 0;
            line.LegendText = label(c);
            line.MarkerSize = marked ? 6 : 0;
        }
        // A component mostly outside the range shown (a normal component at 357 beside Cauchy data shown over −90 … 145:
        // nothing said, a trial): its share drawn.
        for (int c = 0; c < parts.Length; c++)
        {
            if (!(weights[c] > 0))
                continue;
            double shown = discrete ? parts[c].Sum() : Enumerable.Range(1, grid.Length - 1).Sum(i => 0.5 * (parts[c][i] + parts[c][i - 1]) * (grid[i] - grid[i - 1]));
            // Outside where its centre is (where known), else where its drawn share says (a spike between the samples,
            // drawn as nothing, is no component outside: a review).
            bool away = centres[c] is { } centre ? centre < grid[0] || centre > grid[^1] : shown < 0.5 * weights[c];
            double tallest = parts.Max(p => p.Max()), own = parts[c].Max();
            if (away)
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"component {c + 1} lies mostly outside the range shown: {PlotText.Fixed(Math.Min(100, 100 * shown / weights[c]), 0)}% of its weight drawn" });
            // One far narrower than another is a spike, and the others lie flat under it (a trial: a component of half the
            // rows, invisible beside one of σ 0.01): said, with the ratio of their peaks.
            else if (!discrete && own > 0 && own * 50 < tallest)
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"component {c + 1} peaks {PlotText.Short(Math.Round(tallest / own, tallest / own >= 10 ? 0 : 1))} times lower than the tallest: flat at this height" });
        }
        TidyTicks.Apply(plot);
        plot.Axes.Margins(bottom: 0);
        plot.XLabel(outside == 0 ? column
            : $"{column} ({outside} of {x.Length} rows outside the range shown; the bars' heights count every row)");
        plot.YLabel(discrete ? "probability" : "density");
        plot.Title(title);
        LegendBelow.Show(plot);
        plot.SavePng(path, width, height);
        return plot;
    }

    /// <summary>
    /// Bars enough (at most 200) that each is at most half the spread of the narrowest component with a twentieth of the
    /// weight or more, each component's spread its density's standard deviation over <paramref name="grid"/>: a normal
    /// component of σ 0.48 under bars 1.5 wide peaked at 0.25 over a bar of 0.146, and looked a bad fit (a newcomer).
    /// </summary>
    private static int Narrowest(double[] grid, double[][] parts, double low, double high)
    {
        double step = grid[1] - grid[0], narrowest = double.PositiveInfinity;
        foreach (var part in parts)
        {
            double mass = part.Sum() * step;
            if (!(mass >= 0.05))
                continue;
            double mean = grid.Select((g, i) => g * part[i]).Sum() * step / mass;
            double spread = Math.Sqrt(grid.Select((g, i) => (g - mean) * (g - mean) * part[i]).Sum() * step / mass);
            if (spread > 0)
                narrowest = Math.Min(narrowest, spread);
        }
        return double.IsFinite(narrowest) ? (int)Math.Clamp(Math.Ceiling((high - low) / (narrowest / 2)), 1, 200) : 1;
    }

    /// <summary>
    /// How many bars a continuous histogram over [<paramref name="low"/>, <paramref name="high"/>] has: bars of
    /// Freedman and Diaconis's width 2 IQR n^(−1/3) (numpy's and R's choice for spread-out data), 10 to 200 of them.
    /// √n bars (the rule before) spread a heavy-tailed sample's 500 rows over 22 bars 7.8 wide, each of its two peaks
    /// (densities 0.19 and 0.15) inside one bar 0.05 high: the fit looked wrong where it was not.
    /// </summary>
    private static int Bins(double[] sorted, double low, double high)
    {
        // The rows drawn: the stretch of the sorted column within [low, high].
        int first = Array.FindIndex(sorted, v => v >= low), last = Array.FindLastIndex(sorted, v => v <= high);
        var inside = first < 0 || last < first ? [] : sorted.AsSpan(first, last - first + 1);
        if (inside.Length < 4)
            return 10;
        double iqr = inside[(int)Math.Ceiling(0.75 * (inside.Length - 1))] - inside[(int)(0.25 * (inside.Length - 1))];
        double width = 2 * iqr / Math.Cbrt(inside.Length);
        return width > 0 ? (int)Math.Clamp(Math.Ceiling((high - low) / width), 10, 200) : (int)Math.Clamp(Math.Sqrt(inside.Length), 10, 200);
    }

    /// <summary>
    /// The range drawn: the data's, or for a continuous mixture whose extremes lie far out (heavy tails: a Cauchy
    /// sample's ±80,000 around a bulk within ±5 squeezed a trial's main component into one bar and its curve between two
    /// samples), the 0.5% to 99.5% quantiles widened by a tenth of their span on each side. <paramref name="sorted"/>: a
    /// continuous column in order; null for a discrete one.
    /// </summary>
    private static (double Low, double High) Range(double[] x, double[]? sorted)
    {
        double low = sorted is null ? x.Min() : sorted[0], high = sorted is null ? x.Max() : sorted[^1];
        if (sorted is not null && sorted.Length >= 100)
        {
            double q1 = sorted[(int)(0.005 * (sorted.Length - 1))], q2 = sorted[(int)Math.Ceiling(0.995 * (sorted.Length - 1))];
            double margin = 0.1 * (q2 - q1);
            if (q2 > q1 && high - low > 3 * (q2 - q1 + 2 * margin))
                (low, high) = (Math.Max(low, q1 - margin), Math.Min(high, q2 + margin));
        }
        if (!(high > low))
            high = low + 1;
        return (low, high);
    }
}
