namespace GpuEstimation.Optimization;

/// <summary>The host-side search method.</summary>
public enum OptimizerKind
{
    /// <summary>Limited-memory BFGS with a backtracking line search (the default).</summary>
    Lbfgs,

    /// <summary>Steepest ascent with a backtracking (Armijo) line search, trying the Barzilai-Borwein step first.</summary>
    GradientAscent,
}
