using GpuEstimation.Kernels;

namespace GpuEstimation.Expressions;

/// <summary>
/// The functions of the expression language on the host: the same <see cref="DeviceMath"/> calls the generated code
/// makes, for constant folding and for evaluating an expression without compiling it.
/// </summary>
internal static class NodeMath
{
    public static double Apply(Op op, double[] x) => op switch
    {
        Op.Add => x[0] + x[1],
        Op.Sub => x[0] - x[1],
        Op.Mul => x[0] * x[1],
        Op.Div => x[0] / x[1],
        Op.Neg => -x[0],
        Op.Pow => DeviceMath.Exp(x[1] * DeviceMath.Log(x[0])),
        Op.Log => DeviceMath.Log(x[0]),
        Op.Exp => DeviceMath.Exp(x[0]),
        Op.Log1p => DeviceMath.Log1p(x[0]),
        Op.Expm1 => DeviceMath.Expm1(x[0]),
        Op.Sqrt => Math.Sqrt(x[0]),
        Op.Abs => Math.Abs(x[0]),
        Op.Sign => x[0] > 0 ? 1.0 : x[0] < 0 ? -1.0 : 0.0,
        Op.IsWhole => Math.Abs(x[0]) >= 9007199254740992.0 ? (double.IsFinite(x[0]) ? 1.0 : 0.0) : x[0] == (long)x[0] ? 1.0 : 0.0,
        Op.Sin => DeviceMath.Sin(x[0]),
        Op.Cos => DeviceMath.Cos(x[0]),
        Op.Tan => DeviceMath.Tan(x[0]),
        Op.Atan => DeviceMath.Atan(x[0]),
        Op.LogGamma => DeviceMath.LogGamma(x[0]),
        Op.Digamma => DeviceMath.Digamma(x[0]),
        Op.Trigamma => DeviceMath.Trigamma(x[0]),
        Op.Erf => DeviceMath.Erf(x[0]),
        Op.Erfc => DeviceMath.Erfc(x[0]),
        Op.LogSigmoid => -DeviceMath.LogOnePlusExp(-x[0]),
        Op.Min => x[0] <= x[1] ? x[0] : x[1],
        Op.Max => x[0] >= x[1] ? x[0] : x[1],
        Op.LogSumExp => LogSumExp(x),
        Op.IfLessOrEqual => x[0] <= x[1] ? x[2] : x[3],
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a function"),
    };

    private static double LogSumExp(double[] x)
    {
        double m = x.Max();
        if (m == double.NegativeInfinity)
            return m;
        double sum = 0;
        foreach (var v in x)
            sum += DeviceMath.Exp(v - m);
        return m + DeviceMath.Log(sum);
    }

    /// <summary>The value of <paramref name="root"/> with the leaves given (columns and parameters by index).</summary>
    public static double Evaluate(Node root, Func<Node, double> leaf, Dictionary<Node, double>? memo = null)
    {
        memo ??= new Dictionary<Node, double>(ReferenceEqualityComparer.Instance);
        if (memo.TryGetValue(root, out var known))
            return known;
        double value = root.Op switch
        {
            Op.Const => root.Value,
            Op.Column or Op.Param => leaf(root),
            _ => Apply(root.Op, root.Args.Select(a => Evaluate(a, leaf, memo)).ToArray()),
        };
        memo[root] = value;
        return value;
    }
}
