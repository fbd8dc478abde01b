namespace GpuEstimation.Expressions;

/// <summary>What a <see cref="Node"/> computes.</summary>
internal enum Op
{
    Const,
    Column,
    Param,
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    /// <summary>a^b for a variable exponent, as e^(b log a) (a &gt; 0); constant integer exponents become products.</summary>
    Pow,
    Log,
    Exp,
    Log1p,
    Expm1,
    Sqrt,
    Abs,
    Sign,
    Sin,
    Cos,
    Tan,
    Atan,
    LogGamma,
    Digamma,
    Trigamma,
    Erf,
    Erfc,
    LogSigmoid,
    Min,
    Max,
    LogSumExp,
    /// <summary>args[0] ≤ args[1] ? args[2] : args[3] (the derivatives of min and max, the supports of the log-densities).</summary>
    IfLessOrEqual,
    /// <summary>1 where the argument is a whole number (every finite double beyond ±2⁵³ is), else 0: the support of the log-mass functions.</summary>
    IsWhole,
}
