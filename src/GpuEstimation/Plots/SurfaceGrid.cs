using GpuEstimation.Surfaces;
using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>
/// A two-axis sweep as Δ = value − maximum on its grid (<c>Delta[i, j]</c> at the i-th value of the first axis and
/// the j-th of the second), and the part of it a picture frames: index ranges <c>[X0, X1]</c> × <c>[Y0, Y1]</c>.
/// </summary>
internal sealed class SurfaceGrid
{
    private SurfaceGrid(GridAxis x, GridAxis y, double[,] delta)
    {
        (X, Y, Delta) = (x, y, delta);
        (X1, Y1) = (x.Count - 1, y.Count - 1);
    }

    public GridAxis X { get; }

    public GridAxis Y { get; }

    public double[,] Delta { get; }

    public int X0 { get; private set; }

    public int X1 { get; private set; }

    public int Y0 { get; private set; }

    public int Y1 { get; private set; }

    /// <summary>Whether the frame leaves out part of the grid.</summary>
    public bool Cropped => X0 > 0 || Y0 > 0 || X1 < X.Count - 1 || Y1 < Y.Count - 1;

    /// <summary>Half a grid step along each axis (half a unit for a one-point axis): cells are centred on grid points.</summary>
    public (double X, double Y) HalfCell => (HalfStep(X), HalfStep(Y));

    /// <summary>The Δ surface of a two-axis sweep (points run with the second axis fastest).</summary>
    public static SurfaceGrid From(SweepResult sweep)
    {
        var values = sweep.LogPosterior ?? sweep.LogLikelihood;
        double top = sweep.Peak;
        var (x, y) = (sweep.Axes[0], sweep.Axes[1]);
        var delta = new double[x.Count, y.Count];
        for (int i = 0; i < x.Count; i++)
        {
            for (int j = 0; j < y.Count; j++)
                delta[i, j] = values[i * y.Count + j] - top;
        }
        return new SurfaceGrid(x, y, delta);
    }

    /// <summary>
    /// Frames the region where Δ ≥ −<paramref name="level"/> and the points in <paramref name="keep"/> that lie on
    /// the grid, with a margin of <paramref name="margin"/> of the region's span (at least a cell) each side, within the grid.
    /// </summary>
    public void FrameRegion(double level, IEnumerable<Coordinates> keep, double margin)
    {
        int x0 = int.MaxValue, x1 = -1, y0 = int.MaxValue, y1 = -1;
        for (int i = 0; i < X.Count; i++)
        {
            for (int j = 0; j < Y.Count; j++)
            {
                if (Delta[i, j] >= -level)
                    (x0, x1, y0, y1) = (Math.Min(x0, i), Math.Max(x1, i), Math.Min(y0, j), Math.Max(y1, j));
            }
        }
        foreach (var point in keep)
        {
            if (Nearest(X, point.X) is int i && Nearest(Y, point.Y) is int j)
                (x0, x1, y0, y1) = (Math.Min(x0, i), Math.Max(x1, i), Math.Min(y0, j), Math.Max(y1, j));
        }
        if (x1 < 0)
        {
            // Nothing of the region on the grid (the maximum lies off it): the whole grid, for what it shows.
            (X0, X1, Y0, Y1) = (0, X.Count - 1, 0, Y.Count - 1);
            return;
        }
        // The contour runs between the last cell inside and the first outside: one cell more, then the margin.
        int mx = 1 + (int)Math.Ceiling(margin * (x1 - x0 + 2)), my = 1 + (int)Math.Ceiling(margin * (y1 - y0 + 2));
        (X0, X1) = (Math.Max(0, x0 - mx), Math.Min(X.Count - 1, x1 + mx));
        (Y0, Y1) = (Math.Max(0, y0 - my), Math.Min(Y.Count - 1, y1 + my));
    }

    /// <summary>The framed cells as heatmap intensities (row 0 at the top), Δ floored at <paramref name="floor"/>.</summary>
    public double[,] Intensities(double floor)
    {
        // An axis of one point is drawn as two equal cells over its extent: ScottPlot's heatmap drew one column (or row)
        // as nothing at all.
        int rows = Y1 - Y0 + 1, columns = X1 - X0 + 1;
        var cells = new double[Math.Max(2, rows), Math.Max(2, columns)];
        for (int r = 0; r < cells.GetLength(0); r++)
        {
            for (int c = 0; c < cells.GetLength(1); c++)
                cells[r, c] = Math.Max(Delta[X0 + Math.Min(c, columns - 1), Y1 - Math.Min(r, rows - 1)], floor);
        }
        return cells;
    }

    /// <summary>The framed cells as (x, y, Δ) for contouring, rows along the second axis.</summary>
    public Coordinates3d[,] Points()
    {
        var points = new Coordinates3d[Y1 - Y0 + 1, X1 - X0 + 1];
        for (int i = X0; i <= X1; i++)
        {
            for (int j = Y0; j <= Y1; j++)
                points[j - Y0, i - X0] = new Coordinates3d(X[i], Y[j], Delta[i, j]);
        }
        return points;
    }

    /// <summary>The largest Δ in the frame, NaN cells passed over (−∞ where none is a number).</summary>
    public double FrameMaximum() => FrameValues().Aggregate(double.NegativeInfinity, (most, d) => d > most ? d : most);

    /// <summary>The least Δ in the frame (at most 0; NaN cells passed over).</summary>
    public double FrameMinimum() => FrameValues().Aggregate(0.0, (least, d) => d < least ? d : least);

    // The framed cells' Δ.
    private IEnumerable<double> FrameValues()
    {
        for (int i = X0; i <= X1; i++)
        {
            for (int j = Y0; j <= Y1; j++)
                yield return Delta[i, j];
        }
    }

    /// <summary>The frame in parameter units, to the outer edges of its cells.</summary>
    public CoordinateRect Extent()
    {
        var (dx, dy) = HalfCell;
        return new CoordinateRect(X[X0] - dx, X[X1] + dx, Y[Y0] - dy, Y[Y1] + dy);
    }

    /// <summary>
    /// What the picture shows: <see cref="Extent"/> within the grid's own range on each axis of two or more points (its
    /// edge cells drawn to their points: a σ grid from 0.01 in steps of 10 showed σ down to −5).
    /// </summary>
    public CoordinateRect Shown()
    {
        var extent = Extent();
        var (left, right) = X.Count > 1 ? (Math.Max(extent.Left, X.Low), Math.Min(extent.Right, X.High)) : (extent.Left, extent.Right);
        var (bottom, top) = Y.Count > 1 ? (Math.Max(extent.Bottom, Y.Low), Math.Min(extent.Top, Y.High)) : (extent.Bottom, extent.Top);
        return new CoordinateRect(left, right, bottom, top);
    }

    private static double HalfStep(GridAxis axis) => axis.Count > 1 ? (axis.High - axis.Low) / (axis.Count - 1) / 2 : 0.5;

    private static int? Nearest(GridAxis axis, double value)
    {
        double half = HalfStep(axis);
        if (value < axis.Low - half || value > axis.High + half)
            return null;
        return axis.Count == 1 ? 0 : (int)Math.Clamp(Math.Round((value - axis.Low) / (2 * half)), 0, axis.Count - 1);
    }
}
