namespace GpuEstimation.Optimization;

/// <summary>The host-side search method.</summary>
public enum OptimizerKind
{
    /// <summary>
    /// The default: Newton's method where the engine sums the exact Hessian (generalized linear models),
    /// Levenberg–Marquardt for nonlinear least squares, L-BFGS otherwise.
    /// </summary>
    Auto,

    /// <summary>Limited-memory BFGS with a backtracking line search.</summary>
    Lbfgs,

    /// <summary>Steepest ascent with a backtracking (Armijo) line search, trying the Barzilai-Borwein step first.</summary>
    GradientAscent,

    /// <summary>
    /// Newton's method with the exact Hessian summed on the device, one pass over the data per iteration: for models
    /// whose engine has it (generalized linear models). Where it finds no maximum, L-BFGS takes over.
    /// </summary>
    Newton,

    /// <summary>
    /// Levenberg–Marquardt on the normal equations summed on the device, one pass per step: for nonlinear least-squares
    /// regressions.
    /// </summary>
    LevenbergMarquardt,
}
