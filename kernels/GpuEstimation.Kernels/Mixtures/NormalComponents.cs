using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>
/// One row of <see cref="GaussianMixtureKernels.NormalStatisticsKernel"/> as the body of an unrolled loop over the
/// components (<see cref="IUnrolled"/>), in phases, each the same arithmetic as
/// <see cref="GaussianMixtureRow.Responsibilities"/> and the general kernel's sums for d = 1 (the factor 1 of
/// Σ rₖ and Σ rₖ x left out: a product with 1 is exact): component k's packed
/// parameters are (constant, mean, 1/σ) at 3k, which <see cref="Load"/> puts in registers once a thread (K ≤ 8);
/// <see cref="LogDensities"/> puts the constant (log wₖ and the normal's normalisation) − ½((x − μₖ)/σₖ)² in
/// <see cref="Responsibilities"/> and keeps the largest; <see cref="Terms"/> turns them into exp(· − largest) and adds
/// them up; <see cref="Statistics"/> scales them by 1/sum and adds rₖ, rₖ z and rₖ z · z (z = x − μₖ) to <see cref="Sums"/> at 3k,
/// 3k + 1, 3k + 2. Components from K on are skipped.
/// </summary>
public struct NormalComponents<TK, TSums> : IUnrolledBody
    where TK : unmanaged, ITermVector<TK>
    where TSums : unmanaged, ITermVector<TSums>
{
    /// <summary>The phases.</summary>
    public const int LogDensities = 0, Terms = 1, Statistics = 2, Load = 3;

    private readonly DeviceValues _parameters;
    private readonly int _components;

    /// <summary>The phase <see cref="At"/> runs.</summary>
    public int Phase;

    /// <summary>The row's value.</summary>
    public double X;

    /// <summary>The largest weighted log-density of the row.</summary>
    public double Largest;

    /// <summary>Σ exp(· − largest) over the components.</summary>
    public double Sum;

    /// <summary>1 / <see cref="Sum"/>.</summary>
    public double Inverse;

    /// <summary>Per component: the log-density, then the term, then the responsibility.</summary>
    public TK Responsibilities;

    /// <summary>The thread's statistics, three per component.</summary>
    public TSums Sums;

    // Each component's constant, mean and 1/σ, from the packed parameters (Load), for up to 8 components: 16 components'
    // 48 beside the 64 sums and 16 responsibilities would be 256 registers a thread, past the 255 there are, so from 9
    // on each row reads them (cached), as before.
    private TK _constants, _means, _inverses;

    private static bool InRegisters => TK.Capacity <= 8;

    /// <summary>Over the packed parameters of <paramref name="components"/> components.</summary>
    public NormalComponents(DeviceValues parameters, int components)
    {
        _parameters = parameters;
        _components = components;
        (_constants, _means, _inverses) = (default, default, default);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void At(int k)
    {
        if (k >= _components)
            return;
        if (Phase == LogDensities)
        {
            long at = 3L * k;
            double mean = InRegisters ? _means.Get(k) : _parameters[at + 1];
            double inverse = InRegisters ? _inverses.Get(k) : _parameters[at + 2];
            double constant = InRegisters ? _constants.Get(k) : _parameters[at];
            double z = (X - mean) * inverse;
            double log = constant - 0.5 * (z * z);
            Responsibilities.Set(k, log);
            Largest = log > Largest ? log : Largest;
        }
        else if (Phase == Terms)
        {
            double term = DeviceRows.Exp(Responsibilities.Get(k) - Largest);
            Responsibilities.Set(k, term);
            Sum += term;
        }
        else if (Phase == Statistics)
        {
            double r = Responsibilities.Get(k) * Inverse;
            // The general kernel's r · 1 · 1, r · z · 1 and r · z · z, z the row less the component's mean: the same values.
            double z = X - (InRegisters ? _means.Get(k) : _parameters[3L * k + 1]);
            Sums.Add(3 * k, r);
            Sums.Add(3 * k + 1, r * z);
            Sums.Add(3 * k + 2, r * z * z);
        }
        else if (InRegisters)
        {
            long at = 3L * k;
            _constants.Set(k, _parameters[at]);
            _means.Set(k, _parameters[at + 1]);
            _inverses.Set(k, _parameters[at + 2]);
        }
    }
}
