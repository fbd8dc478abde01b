namespace GpuEstimation.Optimization;

/// <summary>Stopping rules and method for <see cref="Maximizer"/>.</summary>
public sealed record OptimizerSettings
{
    /// <summary>The search method (by default Newton where the model has an exact Hessian, L-BFGS otherwise).</summary>
    public OptimizerKind Kind
    {
        get => _kind;
        init => _kind = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Kind), value, $"not one of {string.Join(", ", Enum.GetNames<OptimizerKind>())}");
    }

    private readonly OptimizerKind _kind = OptimizerKind.Auto;

    /// <summary>Iterations of one search before giving up (reported as not converged); a restart from the data-driven starting values gets as many again.</summary>
    public int MaxIterations
    {
        get => _maxIterations;
        init => _maxIterations = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "a search needs at least one iteration");
    }

    private readonly int _maxIterations = 1000;

    /// <summary>
    /// Converged when every component of the preconditioned gradient is at most this: roughly, the optimum is this many
    /// standard errors away.
    /// </summary>
    public double GradientTolerance
    {
        get => _gradientTolerance;
        init => _gradientTolerance = Tolerance(value, nameof(GradientTolerance));
    }

    private readonly double _gradientTolerance = 1e-8;

    /// <summary>Converged when one step moves every preconditioned coordinate by at most this and the value by at most <see cref="RelativeTolerance"/>.</summary>
    public double StepTolerance
    {
        get => _stepTolerance;
        init => _stepTolerance = Tolerance(value, nameof(StepTolerance));
    }

    private readonly double _stepTolerance = 1e-10;

    /// <summary>Relative change of the objective that counts as none (with <see cref="StepTolerance"/>).</summary>
    public double RelativeTolerance
    {
        get => _relativeTolerance;
        init => _relativeTolerance = Tolerance(value, nameof(RelativeTolerance));
    }

    private readonly double _relativeTolerance = 1e-15;

    // A tolerance: finite and not negative (0 leaves that rule to the others).
    private static double Tolerance(double value, string name) =>
        value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, "a tolerance must be a finite number of at least 0");

    /// <summary>
    /// The size of one observation's term in the objective: 1, or the mean frequency weight where that is below 1.
    /// Weights of 10⁻²⁰ make every term, the value's rounding and the gradient in standard-error units (as √Unit) that
    /// small, and measured against 1 the starting values passed for the maximum (a trial's logit: 0 iterations,
    /// "converged"). The estimation sets it from the model's weights.
    /// </summary>
    public double Unit
    {
        get => _unit;
        init => _unit = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Unit), value, "the size of one observation's term must be in (0, 1]");
    }

    private readonly double _unit = 1;

    /// <summary>The magnitude against which the rounding of an objective's <paramref name="value"/> is measured: |value|, at least <see cref="Unit"/>.</summary>
    public double Magnitude(double value) => Math.Max(Unit, Math.Abs(value));

    /// <summary>A bound on the gradient in standard-error units, <paramref name="tolerance"/> at unit weights, scaled to <see cref="Unit"/>.</summary>
    public double GradientBound(double tolerance) => tolerance * Math.Sqrt(Unit);

    /// <summary>Correction pairs kept by L-BFGS.</summary>
    public int Memory
    {
        get => _memory;
        init => _memory = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Memory), value, "L-BFGS keeps at least one correction pair");
    }

    private readonly int _memory = 20;

    /// <summary>The generic search's name as results report it: <c>lbfgs</c> or <c>gradient-ascent</c> (Newton's search reports <c>newton</c> itself).</summary>
    public string Name => Kind == OptimizerKind.GradientAscent ? "gradient-ascent" : "lbfgs";
}
