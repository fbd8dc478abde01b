using GpuEstimation.Kernels;

namespace GpuEstimation.Expressions;

/// <summary>
/// Makes <see cref="Node"/>s, interned (one object per distinct subexpression) and simplified as they are made:
/// constants folded (with the same <see cref="DeviceMath"/> functions the generated code calls), 0 and 1 dropped from
/// sums and products, double negation removed, the operands of + and × put in a fixed order so that a·b and b·a are
/// one node. Enough that a symbolic derivative does not grow into dead or repeated code.
/// </summary>
internal sealed class NodeTable
{
    private readonly Dictionary<(Op, long, int, string), Node> _nodes = new();

    public Node Const(double value) => Intern(Op.Const, value, 0, null, []);

    public Node Column(int index, string name) => Intern(Op.Column, 0, index, name, []);

    public Node Param(int index, string name) => Intern(Op.Param, 0, index, name, []);

    public Node Add(Node a, Node b)
    {
        if (a.Op == Op.Const && b.Op == Op.Const)
            return Const(a.Value + b.Value);
        if (a.IsConst(0))
            return b;
        if (b.IsConst(0))
            return a;
        if (b.Op == Op.Neg)
            return Sub(a, b.Args[0]);
        if (a.Op == Op.Neg)
            return Sub(b, a.Args[0]);
        return a.Id <= b.Id ? Intern(Op.Add, 0, 0, null, [a, b]) : Intern(Op.Add, 0, 0, null, [b, a]);
    }

    public Node Sub(Node a, Node b)
    {
        if (a.Op == Op.Const && b.Op == Op.Const)
            return Const(a.Value - b.Value);
        if (b.IsConst(0))
            return a;
        if (a.IsConst(0))
            return Neg(b);
        if (b.Op == Op.Neg)
            return Add(a, b.Args[0]);
        return Intern(Op.Sub, 0, 0, null, [a, b]);
    }

    public Node Mul(Node a, Node b)
    {
        if (a.Op == Op.Const && b.Op == Op.Const)
            return Const(a.Value * b.Value);
        if (b.Op == Op.Const)
            (a, b) = (b, a);
        if (a.IsConst(0))
            return a;
        if (a.IsConst(1))
            return b;
        if (a.IsConst(-1))
            return Neg(b);
        if (a.Op == Op.Neg && b.Op == Op.Neg)
            return Mul(a.Args[0], b.Args[0]);
        if (a.Op == Op.Neg)
            return Neg(Mul(a.Args[0], b));
        if (b.Op == Op.Neg)
            return Neg(Mul(a, b.Args[0]));
        if (a.Op == Op.Const && b.Op == Op.Mul && b.Args[0].Op == Op.Const)
            return Mul(Const(a.Value * b.Args[0].Value), b.Args[1]);
        return a.Op == Op.Const || a.Id <= b.Id ? Intern(Op.Mul, 0, 0, null, [a, b]) : Intern(Op.Mul, 0, 0, null, [b, a]);
    }

    public Node Div(Node a, Node b)
    {
        if (a.Op == Op.Const && b.Op == Op.Const)
            return Const(a.Value / b.Value);
        if (a.IsConst(0))
            return a;
        if (b.IsConst(1))
            return a;
        if (b.IsConst(-1))
            return Neg(a);
        if (a.Op == Op.Neg)
            return Neg(Div(a.Args[0], b));
        if (b.Op == Op.Neg)
            return Neg(Div(a, b.Args[0]));
        return Intern(Op.Div, 0, 0, null, [a, b]);
    }

    public Node Neg(Node a) => a.Op switch
    {
        Op.Const => Const(-a.Value),
        Op.Neg => a.Args[0],
        Op.Sub => Sub(a.Args[1], a.Args[0]),
        _ => Intern(Op.Neg, 0, 0, null, [a]),
    };

    /// <summary>
    /// a^b: an integer exponent up to 64 in size as products (exact for x², as the built-in models square), ½ as √,
    /// any other as e^(b log a).
    /// </summary>
    public Node Pow(Node a, Node b)
    {
        if (b.Op == Op.Const)
        {
            double e = b.Value;
            if (e == 0)
                return Const(1);
            if (e == Math.Floor(e) && Math.Abs(e) <= 64)
            {
                var power = IntegerPower(a, (int)Math.Abs(e));
                return e > 0 ? power : Div(Const(1), power);
            }
            if (e == 0.5)
                return Function(Op.Sqrt, a);
        }
        if (a.Op == Op.Const && b.Op == Op.Const)
            return Const(Math.Pow(a.Value, b.Value));
        return Intern(Op.Pow, 0, 0, null, [a, b]);
    }

    private Node IntegerPower(Node a, int n)
    {
        if (n == 1)
            return a;
        var half = IntegerPower(a, n / 2);
        var square = Mul(half, half);
        return n % 2 == 0 ? square : Mul(square, a);
    }

    /// <summary>A function of one or more arguments; constant arguments are folded.</summary>
    public Node Function(Op op, params Node[] args)
    {
        if (args.All(a => a.Op == Op.Const))
            return Const(NodeMath.Apply(op, args.Select(a => a.Value).ToArray()));
        if (op == Op.LogSumExp && args.Length == 1)
            return args[0];
        return Intern(op, 0, 0, null, args);
    }

    /// <summary>a ≤ b ? p : q, or p where both branches agree.</summary>
    public Node IfLessOrEqual(Node a, Node b, Node p, Node q) =>
        ReferenceEquals(p, q) ? p : Function(Op.IfLessOrEqual, a, b, p, q);

    private Node Intern(Op op, double value, int index, string? name, Node[] args)
    {
        var key = (op, BitConverter.DoubleToInt64Bits(value), index, string.Join(",", args.Select(a => a.Id)));
        if (!_nodes.TryGetValue(key, out var node))
        {
            node = new Node(_nodes.Count, op, value, index, name, args);
            _nodes.Add(key, node);
        }
        return node;
    }
}
