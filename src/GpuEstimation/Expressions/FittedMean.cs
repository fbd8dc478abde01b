using GpuEstimation.Data;

namespace GpuEstimation.Expressions;

/// <summary>
/// A nonlinear regression's mean as it was fitted, in the form the fit's JSON keeps it (<c>meanFunction</c>): the
/// expression, the response, the data columns the mean reads and its parameters in order, enough to evaluate the mean
/// and its gradient on new rows (<see cref="Evaluate"/>, as R's <c>predict.nls</c> does with <c>newdata</c>). The
/// expression is evaluated on the host from its graph, not compiled, so that predictions need no code generation.
/// </summary>
/// <param name="Expression">The mean as written (<c>b1*(1-exp(-b2*x))</c>).</param>
/// <param name="Response">The response column.</param>
/// <param name="Columns">The data columns the mean reads, by their names in the data file (<c>0</c> for a .npy array's first column, which the expression calls <c>c0</c>).</param>
/// <param name="Parameters">The mean's parameters, in the expression's order (σ not among them).</param>
public sealed record FittedMean(string Expression, string Response, IReadOnlyList<string> Columns, IReadOnlyList<string> Parameters)
{
    /// <summary>The fitted form of <paramref name="mean"/> over data whose columns <paramref name="byExpressionName"/> names (<see cref="CompiledExpression.ColumnsByName"/>).</summary>
    public static FittedMean Of(MeanExpression mean, string response, IReadOnlyDictionary<string, string> byExpressionName)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(byExpressionName);
        return new(mean.Text, response, [.. mean.Columns.Select(c => byExpressionName[c])], mean.ParameterNames);
    }

    /// <summary>The model as a formula, for messages: <c>y ~ b1*(1-exp(-b2*x))</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Formula => $"{Response} ~ {Expression}";

    /// <summary>
    /// The mean at <paramref name="theta"/> (the parameters' values, in <see cref="Parameters"/>' order) for each row of
    /// <paramref name="data"/>, which holds <see cref="Columns"/>, and its gradient in the parameters: gradient[i][k] =
    /// ∂μᵢ/∂θₖ. A mean or gradient that is not finite is left so (the caller says where).
    /// </summary>
    public (double[] Mean, double[][] Gradient) Evaluate(Dataset data, IReadOnlyList<double> theta)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(theta);
        if (theta.Count != Parameters.Count)
            throw new ArgumentException($"{Parameters.Count} parameters ({string.Join(", ", Parameters)}), {theta.Count} values", nameof(theta));
        var byName = CompiledExpression.ColumnsByName(Columns);
        var (roots, used, _) = CompiledExpression.Differentiate(Expression, Parameters, byName.Keys);
        var columns = used.Select(c => data.Column(byName[c])).ToArray();
        var graph = new NodeProgram(roots);
        int rows = data.Rows;
        var mean = new double[rows];
        var gradient = new double[rows][];
        var values = new double[roots.Count];
        for (int i = 0; i < rows; i++)
        {
            int row = i;
            graph.Run(leaf => leaf.Op == Op.Param ? theta[leaf.Index] : columns[leaf.Index].Span[row], values);
            mean[i] = values[0];
            gradient[i] = values[1..];
        }
        return (mean, gradient);
    }

    // The nodes reachable from the roots in creation order (arguments first), each computed once per run.
    private sealed class NodeProgram
    {
        private readonly Node[] _nodes;
        private readonly int[][] _arguments;
        private readonly double[][] _scratch;
        private readonly int[] _roots;
        private readonly double[] _values;

        public NodeProgram(IReadOnlyList<Node> roots)
        {
            _nodes = [.. ExpressionCode.Reachable(roots)];
            var slot = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
            for (int s = 0; s < _nodes.Length; s++)
                slot[_nodes[s]] = s;
            _arguments = [.. _nodes.Select(n => n.Args.Select(a => slot[a]).ToArray())];
            _scratch = [.. _nodes.Select(n => new double[n.Args.Length])];
            _roots = [.. roots.Select(r => slot[r])];
            _values = new double[_nodes.Length];
        }

        public void Run(Func<Node, double> leaf, double[] roots)
        {
            for (int s = 0; s < _nodes.Length; s++)
            {
                var n = _nodes[s];
                if (n.Op == Op.Const)
                {
                    _values[s] = n.Value;
                }
                else if (n.Op is Op.Column or Op.Param)
                {
                    _values[s] = leaf(n);
                }
                else
                {
                    var x = _scratch[s];
                    for (int a = 0; a < x.Length; a++)
                        x[a] = _values[_arguments[s][a]];
                    _values[s] = NodeMath.Apply(n.Op, x);
                }
            }
            for (int r = 0; r < _roots.Length; r++)
                roots[r] = _values[_roots[r]];
        }
    }
}
