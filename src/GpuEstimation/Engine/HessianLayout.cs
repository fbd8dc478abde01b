using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>
/// The one list of sums a Hessian pass makes for a linear-predictor model with D design values and E (0 or 1) own
/// parameters, in a fixed order: the value; the gradient (Σ ∂/∂η zₐ, then Σ ∂/∂α); the upper triangle Σ ∂²/∂η² zₐ z_b
/// (a ≤ b, row by row); then Σ ∂²/∂η∂α zₐ and Σ ∂²/∂α². Both backends sum exactly these, and <see cref="Assemble"/>
/// turns the sums into the value, gradient and Hessian in the design's coordinates.
/// </summary>
internal sealed class HessianLayout
{
    public HessianLayout(int width, int extra)
    {
        Width = width;
        Extra = extra;
        var entries = new List<int> { HessianEntry.Pack(HessianEntry.Value, width, width) };
        for (int a = 0; a < width; a++)
            entries.Add(HessianEntry.Pack(HessianEntry.Eta, a, width));
        if (extra == 1)
            entries.Add(HessianEntry.Pack(HessianEntry.Extra, width, width));
        for (int a = 0; a < width; a++)
        {
            for (int b = a; b < width; b++)
                entries.Add(HessianEntry.Pack(HessianEntry.EtaEta, a, b));
        }
        if (extra == 1)
        {
            for (int a = 0; a < width; a++)
                entries.Add(HessianEntry.Pack(HessianEntry.EtaExtra, a, width));
            entries.Add(HessianEntry.Pack(HessianEntry.ExtraExtra, width, width));
        }
        Entries = [.. entries];
        FirstOrder = Entries[..(1 + width + extra)];
        SecondOrder = Entries[(1 + width + extra)..];
    }

    /// <summary>The value and gradient sums: the first 1 + D + E of <see cref="Entries"/>.</summary>
    public int[] FirstOrder { get; }

    /// <summary>The second-order sums: the rest of <see cref="Entries"/> (the triangle, then ∂²/∂η∂α zₐ, then ∂²/∂α²).</summary>
    public int[] SecondOrder { get; }

    /// <summary>D, the design values per row.</summary>
    public int Width { get; }

    /// <summary>E, 0 or 1.</summary>
    public int Extra { get; }

    /// <summary>The parameters, D + E.</summary>
    public int Parameters => Width + Extra;

    /// <summary>The sums, packed (<see cref="HessianEntry"/>).</summary>
    public int[] Entries { get; }

    /// <summary>The value; the gradient and the P×P Hessian (row-major, both triangles) into the spans given.</summary>
    public double Assemble(ReadOnlySpan<double> sums, Span<double> gradient, Span<double> hessian)
    {
        int p = Parameters, d = Width;
        double value = 0;
        for (int e = 0; e < Entries.Length; e++)
        {
            int entry = Entries[e], a = HessianEntry.A(entry), b = HessianEntry.B(entry);
            double sum = sums[e];
            switch (HessianEntry.Kind(entry))
            {
                case HessianEntry.Value:
                    value = sum;
                    break;
                case HessianEntry.Eta:
                    gradient[a] = sum;
                    break;
                case HessianEntry.Extra:
                    gradient[d] = sum;
                    break;
                case HessianEntry.EtaEta:
                    hessian[a * p + b] = sum;
                    hessian[b * p + a] = sum;
                    break;
                case HessianEntry.EtaExtra:
                    hessian[a * p + d] = sum;
                    hessian[d * p + a] = sum;
                    break;
                default:
                    hessian[d * p + d] = sum;
                    break;
            }
        }
        return value;
    }
}
