using System.Globalization;
using System.Text;

namespace GpuEstimation.Expressions;

/// <summary>
/// Writes the C# source of a model struct from an expression's node graph: the value and its derivatives (the
/// roots) computed once per row in <c>Accumulate</c> (or a mean function's <c>Evaluate</c>), each distinct
/// subexpression once, as a local; every subexpression that reads no column and that row code uses is computed once
/// per evaluation in <c>Prepare</c> and passed in as an argument. Device math is <c>DeviceMath</c>'s, except exp,
/// log1p, log Γ and ψ per row, which go through the data rows' functions as in the built-in models (the host's
/// faster exp on the native backend, DeviceMath on the devices).
/// </summary>
internal static class ExpressionCode
{
    /// <summary>The most arguments a model can take (the widest term vector).</summary>
    public const int MaxArguments = 64;

    /// <summary>The source of a struct implementing <c>ILikelihoodModel</c>: roots[0] the log-density, roots[1 + k] its derivative in parameter k.</summary>
    public static string LogDensity(string typeName, string expression, IReadOnlyList<Node> roots, int parameters, int columns)
    {
        var (hoisted, prepare) = Prepare(roots);
        var body = new StringBuilder();
        var names = RowCode(roots, hoisted, body, "data[{0}, row]");
        for (int k = 0; k < roots.Count; k++)
        {
            if (!roots[k].IsConst(0))
                body.AppendLine($"        terms.Add({k}, {names(roots[k])});");
        }
        return $$"""
            using System;
            using System.Runtime.CompilerServices;
            using GpuEstimation.Kernels;

            namespace GpuEstimation.Expressions.Generated;

            /// <summary>log f = {{Comment(expression)}}</summary>
            public readonly struct {{typeName}} : ILikelihoodModel<{{typeName}}>
            {
                public int ParameterCount => {{parameters}};

                public int ColumnCount => {{columns}};

                public static int ArgumentCount(in {{typeName}} model) => {{Math.Max(hoisted.Count, 1)}};

                public static void Prepare(in {{typeName}} model, ReadOnlySpan<double> parameters, Span<double> arguments)
                {
            {{prepare}}    }

                [MethodImpl(MethodImplOptions.AggressiveInlining)]
                public static void Accumulate<TVec, TRows>(in {{typeName}} model, in TVec arguments, in TRows data, long row, ref TVec terms)
                    where TVec : unmanaged, ITermVector<TVec>
                    where TRows : struct, IDataRows
                {
            {{body}}    }
            }
            """;
    }

    /// <summary>The source of a struct implementing <c>IMeanFunction</c>: roots[0] the mean, roots[1 + k] its derivative in parameter k.</summary>
    public static string Mean(string typeName, string expression, IReadOnlyList<Node> roots, int parameters, int columns)
    {
        var (hoisted, prepare) = Prepare(roots);
        var body = new StringBuilder();
        var names = RowCode(roots, hoisted, body, "data[firstColumn + {0}, row]");
        for (int k = 1; k < roots.Count; k++)
            body.AppendLine($"        gradient.Set({k - 1}, {names(roots[k])});");
        body.AppendLine($"        return {names(roots[0])};");
        return $$"""
            using System;
            using System.Runtime.CompilerServices;
            using GpuEstimation.Kernels;

            namespace GpuEstimation.Expressions.Generated;

            /// <summary>mean = {{Comment(expression)}}</summary>
            public readonly struct {{typeName}} : IMeanFunction<{{typeName}}>
            {
                public int ParameterCount => {{parameters}};

                public int ColumnCount => {{columns}};

                public static int ArgumentCount(in {{typeName}} mean) => {{Math.Max(hoisted.Count, 1)}};

                public static void Prepare(in {{typeName}} mean, ReadOnlySpan<double> parameters, Span<double> arguments)
                {
            {{prepare}}    }

                [MethodImpl(MethodImplOptions.AggressiveInlining)]
                public static double Evaluate<TVec, TRows>(in {{typeName}} mean, in TVec arguments, in TRows data, int firstColumn, long row, ref TVec gradient)
                    where TVec : unmanaged, ITermVector<TVec>
                    where TRows : struct, IDataRows
                {
            {{body}}    }
            }
            """;
    }

    private static string Comment(string expression) =>
        System.Security.SecurityElement.Escape(expression.ReplaceLineEndings(" ")) ?? "";

    // Every node reachable from the roots, in creation order (arguments before their users).
    internal static List<Node> Reachable(IEnumerable<Node> roots)
    {
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>(roots);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (seen.Add(n))
            {
                foreach (var a in n.Args)
                    stack.Push(a);
            }
        }
        return seen.OrderBy(n => n.Id).ToList();
    }

    private static bool Hoistable(Node n) => !n.RowDependent && n.Op != Op.Const;

    // The row-independent nodes that row code reads (or that are roots), numbered as arguments, and Prepare's body.
    private static (Dictionary<Node, int> Hoisted, string Body) Prepare(IReadOnlyList<Node> roots)
    {
        var hoisted = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        foreach (var n in Reachable(roots))
        {
            var wanted = n.RowDependent ? n.Args.Where(Hoistable) : roots.Contains(n) && Hoistable(n) ? [n] : [];
            foreach (var a in wanted)
                hoisted.TryAdd(a, hoisted.Count);
        }
        if (hoisted.Count > MaxArguments)
            throw new InputException($"the expression and its derivatives have {hoisted.Count} distinct parts that do not depend on the data; at most {MaxArguments} are supported");
        var body = new StringBuilder();
        var local = new Dictionary<Node, string>(ReferenceEqualityComparer.Instance);
        string Name(Node n) => n.Op switch
        {
            Op.Const => Literal(n.Value),
            Op.Param => $"parameters[{n.Index}]",
            _ => local[n],
        };
        foreach (var n in Reachable(hoisted.Keys))
        {
            if (n.Op is Op.Const or Op.Param)
                continue;
            local[n] = $"p{n.Id}";
            Emit(body, n, $"p{n.Id}", Name, row: false);
        }
        foreach (var (n, i) in hoisted)
            body.AppendLine($"        arguments[{i}] = {Name(n)};");
        return (hoisted, body.ToString());
    }

    // Row code for the roots into body; returns how to name any root.
    private static Func<Node, string> RowCode(IReadOnlyList<Node> roots, Dictionary<Node, int> hoisted, StringBuilder body, string column)
    {
        var local = new Dictionary<Node, string>(ReferenceEqualityComparer.Instance);
        string Name(Node n) => n.Op == Op.Const ? Literal(n.Value) : hoisted.TryGetValue(n, out int i) ? $"arguments.Get({i})" : local[n];
        foreach (var n in Reachable(roots).Where(n => n.RowDependent))
        {
            local[n] = $"v{n.Id}";
            if (n.Op == Op.Column)
                body.AppendLine($"        double v{n.Id} = {string.Format(CultureInfo.InvariantCulture, column, n.Index)};");
            else
                Emit(body, n, $"v{n.Id}", Name, row: true);
        }
        return Name;
    }

    private static void Emit(StringBuilder body, Node n, string target, Func<Node, string> name, bool row)
    {
        var a = n.Args.Select(name).ToArray();
        string exp = row ? "TRows.Exp" : "DeviceMath.Exp";
        if (n.Op == Op.LogSumExp)
        {
            body.AppendLine($"        double m{n.Id} = {a[0]};");
            foreach (var x in a.Skip(1))
                body.AppendLine($"        m{n.Id} = {x} > m{n.Id} ? {x} : m{n.Id};");
            var sum = string.Join(" + ", a.Select(x => $"{exp}({x} - m{n.Id})"));
            // All arguments −∞: the log of 0, not −∞ − (−∞).
            body.AppendLine($"        double {target} = m{n.Id} == double.NegativeInfinity ? m{n.Id} : m{n.Id} + DeviceMath.Log({sum});");
            return;
        }
        string value = n.Op switch
        {
            Op.Add => $"{a[0]} + {a[1]}",
            Op.Sub => $"{a[0]} - {a[1]}",
            Op.Mul => $"{a[0]} * {a[1]}",
            Op.Div => $"{a[0]} / {a[1]}",
            Op.Neg => $"-{a[0]}",
            Op.Pow => $"{exp}({a[1]} * DeviceMath.Log({a[0]}))",
            Op.Log => $"DeviceMath.Log({a[0]})",
            Op.Exp => $"{exp}({a[0]})",
            Op.Log1p => row ? $"TRows.Log1p({a[0]})" : $"DeviceMath.Log1p({a[0]})",
            Op.Expm1 => $"DeviceMath.Expm1({a[0]})",
            Op.Sqrt => $"Math.Sqrt({a[0]})",
            Op.Abs => $"Math.Abs({a[0]})",
            Op.Sign => $"({a[0]} > 0 ? 1.0 : {a[0]} < 0 ? -1.0 : 0.0)",
            Op.IsWhole => $"(Math.Abs({a[0]}) >= 9007199254740992d ? ({a[0]} - {a[0]} == 0.0 ? 1.0 : 0.0) : {a[0]} == (double)(long){a[0]} ? 1.0 : 0.0)",
            Op.Sin => $"DeviceMath.Sin({a[0]})",
            Op.Cos => $"DeviceMath.Cos({a[0]})",
            Op.Tan => $"DeviceMath.Tan({a[0]})",
            Op.Atan => $"DeviceMath.Atan({a[0]})",
            Op.LogGamma => row ? $"TRows.LogGamma({a[0]})" : $"DeviceMath.LogGamma({a[0]})",
            Op.Digamma => row ? $"TRows.Digamma({a[0]})" : $"DeviceMath.Digamma({a[0]})",
            Op.Trigamma => $"DeviceMath.Trigamma({a[0]})",
            Op.Erf => $"DeviceMath.Erf({a[0]})",
            Op.Erfc => $"DeviceMath.Erfc({a[0]})",
            Op.LogSigmoid => $"-DeviceMath.LogOnePlusExp(-{a[0]})",
            Op.Min => $"({a[0]} <= {a[1]} ? {a[0]} : {a[1]})",
            Op.Max => $"({a[0]} >= {a[1]} ? {a[0]} : {a[1]})",
            Op.IfLessOrEqual => $"({a[0]} <= {a[1]} ? {a[2]} : {a[3]})",
            _ => throw new InvalidOperationException(n.Op.ToString()),
        };
        body.AppendLine($"        double {target} = {value};");
    }

    private static string Literal(double value)
    {
        if (double.IsNaN(value))
            return "double.NaN";
        if (double.IsInfinity(value))
            return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        var text = value.ToString("R", CultureInfo.InvariantCulture) + "d";
        return value < 0 || (value == 0 && double.IsNegative(value)) ? $"({(value == 0 ? "-0d" : text)})" : text;
    }
}
