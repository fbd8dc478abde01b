using GpuEstimation.Kernels;

namespace GpuEstimation.Expressions;

/// <summary>
/// Symbolic differentiation of a node graph with respect to one parameter. The result is built through the
/// <see cref="NodeTable"/>, so it shares the value's subexpressions (the derivative of e^u reuses the node e^u) and
/// simplifies as it goes (the derivative of a part that does not depend on the parameter is 0 and drops out).
/// </summary>
internal static class Derivative
{
    /// <summary>∂<paramref name="node"/>/∂θ_<paramref name="parameter"/>.</summary>
    public static Node Of(NodeTable t, Node node, int parameter) => Of(t, node, parameter, new Dictionary<Node, Node>(ReferenceEqualityComparer.Instance));

    private static Node Of(NodeTable t, Node n, int p, Dictionary<Node, Node> memo)
    {
        if (!n.ParameterDependent)
            return t.Const(0);
        if (memo.TryGetValue(n, out var known))
            return known;
        var result = Compute(t, n, p, memo);
        memo[n] = result;
        return result;
    }

    private static Node Compute(NodeTable t, Node n, int p, Dictionary<Node, Node> memo)
    {
        Node D(int i) => Of(t, n.Args[i], p, memo);
        Node a = n.Args.Length > 0 ? n.Args[0] : n;
        Node Chain(Node outer) => t.Mul(outer, D(0));
        switch (n.Op)
        {
            case Op.Param:
                return t.Const(n.Index == p ? 1 : 0);
            case Op.Add:
                return t.Add(D(0), D(1));
            case Op.Sub:
                return t.Sub(D(0), D(1));
            case Op.Neg:
                return t.Neg(D(0));
            case Op.Mul:
                return t.Add(t.Mul(D(0), n.Args[1]), t.Mul(a, D(1)));
            case Op.Div:
                {
                    // (a/b)' = a'/b − (a/b)·b'/b.
                    var db = D(1);
                    return t.Sub(t.Div(D(0), n.Args[1]), t.Div(t.Mul(n, db), n.Args[1]));
                }
            case Op.Pow:
                {
                    // (a^b)' = a^b (b' log a + b a'/a), taken as 0 where a^b is 0 (a = 0, b > 0): its limit there
                    // (x^b log x → 0; b a^(b−1) a' → 0 for b > 1 or a' = 0), not 0 · (−∞) or 0 · 0/0. A power law
                    // x^b, (c x)^b or c (x + d)^b fitted to data with x = 0 (a trial's NaN derivative in b at x = 0,
                    // which curve_fit's differences never meet).
                    var inner = t.Add(t.Mul(D(1), t.Function(Op.Log, a)), t.Div(t.Mul(n.Args[1], D(0)), a));
                    return t.IfLessOrEqual(n, t.Const(0), t.Const(0), t.Mul(n, inner));
                }
            case Op.Log:
                return t.Div(D(0), a);
            case Op.Exp:
                return Chain(n);
            case Op.Log1p:
                return t.Div(D(0), t.Add(t.Const(1), a));
            case Op.Expm1:
                return Chain(t.Function(Op.Exp, a));
            case Op.Sqrt:
                return t.Div(t.Mul(t.Const(0.5), D(0)), n);
            case Op.Abs:
                return Chain(t.Function(Op.Sign, a));
            case Op.Sign:
            case Op.IsWhole:
                return t.Const(0);
            case Op.Sin:
                return Chain(t.Function(Op.Cos, a));
            case Op.Cos:
                return t.Neg(Chain(t.Function(Op.Sin, a)));
            case Op.Tan:
                return Chain(t.Add(t.Const(1), t.Mul(n, n)));
            case Op.Atan:
                return t.Div(D(0), t.Add(t.Const(1), t.Mul(a, a)));
            case Op.LogGamma:
                return Chain(t.Function(Op.Digamma, a));
            case Op.Digamma:
                return Chain(t.Function(Op.Trigamma, a));
            case Op.Erf:
                return Chain(t.Mul(t.Const(2 * KernelConstants.InverseSqrtPi), t.Function(Op.Exp, t.Neg(t.Mul(a, a)))));
            case Op.Erfc:
                return t.Neg(Chain(t.Mul(t.Const(2 * KernelConstants.InverseSqrtPi), t.Function(Op.Exp, t.Neg(t.Mul(a, a))))));
            case Op.LogSigmoid:
                // d/dx log σ(x) = σ(−x) = 1/(1 + e^x).
                return t.Div(D(0), t.Add(t.Const(1), t.Function(Op.Exp, a)));
            case Op.Min:
                return t.IfLessOrEqual(n.Args[0], n.Args[1], D(0), D(1));
            case Op.Max:
                return t.IfLessOrEqual(n.Args[0], n.Args[1], D(1), D(0));
            case Op.IfLessOrEqual:
                return t.IfLessOrEqual(n.Args[0], n.Args[1], D(2), D(3));
            case Op.LogSumExp:
                {
                    // Σ e^{aᵢ − L} aᵢ': the softmax weights.
                    var sum = t.Const(0);
                    for (int i = 0; i < n.Args.Length; i++)
                        sum = t.Add(sum, t.Mul(t.Function(Op.Exp, t.Sub(n.Args[i], n)), D(i)));
                    return sum;
                }
            default:
                throw new InputException($"the expression's derivative needs the derivative of {n.Op}, which the expression language does not have");
        }
    }
}
