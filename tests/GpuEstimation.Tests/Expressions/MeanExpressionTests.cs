using GpuEstimation.Expressions;
using GpuEstimation.Kernels;
using Xunit;

namespace GpuEstimation.Tests.Expressions;

/// <summary>
/// A mean function compiled from an expression (for nonlinear regression): its parameters are the names that are not
/// columns, in order of appearance; the value and exact gradient per row against the closed form.
/// </summary>
public sealed class MeanExpressionTests
{
    [Fact]
    public void MisraMeanGivesItsValueAndGradient()
    {
        var mean = MeanExpression.Compile("b1*[1-exp(-b2*x)]", ["x", "y"]);
        Assert.Equal(["b1", "b2"], mean.ParameterNames);
        Assert.Equal(["x"], mean.Columns);
        Assert.Contains("IMeanFunction", string.Join(",", mean.Type.GetInterfaces().Select(i => i.Name)));

        double[] x = [77.6, 114.9, 141.1];
        double b1 = 240, b2 = 5.5e-4;
        var (values, gradients) = Evaluate(mean, x, [b1, b2]);
        for (int i = 0; i < x.Length; i++)
        {
            double e = Math.Exp(-b2 * x[i]);
            Assert.True(Math.Abs(values[i] - b1 * (1 - e)) <= 1e-13 * values[i], $"row {i}: {values[i]:R}");
            Assert.True(Math.Abs(gradients[i][0] - (1 - e)) <= 1e-14, $"∂/∂b1 row {i}");
            Assert.True(Math.Abs(gradients[i][1] - b1 * x[i] * e) <= 1e-12 * b1 * x[i], $"∂/∂b2 row {i}");
        }
    }

    [Fact]
    public void AMeanWithoutParametersIsRefused()
    {
        var error = Assert.Throws<InputException>(() => MeanExpression.Compile("2*x", ["x"]));
        Assert.Contains("no parameter", error.Message);
    }

    // Prepare and Evaluate of the generated struct on host rows, entered through reflection as a caller with a run-time type would.
    private static (double[] Values, double[][] Gradients) Evaluate(MeanExpression mean, double[] x, double[] parameters)
    {
        var method = typeof(MeanExpressionTests).GetMethod(nameof(EvaluateTyped), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(mean.Type);
        return ((double[], double[][]))method.Invoke(null, [x, parameters])!;
    }

    private static unsafe (double[] Values, double[][] Gradients) EvaluateTyped<TMean>(double[] x, double[] parameters)
        where TMean : unmanaged, IMeanFunction<TMean>
    {
        var model = default(TMean);
        var scratch = new double[Vec4.Capacity * 16];
        TMean.Prepare(model, parameters, scratch);
        var arguments = default(Twice<Twice<Twice<Twice<Vec4>>>>);
        for (int k = 0; k < TMean.ArgumentCount(model); k++)
            arguments.Set(k, scratch[k]);
        var values = new double[x.Length];
        var gradients = new double[x.Length][];
        double** table = stackalloc double*[1];
        fixed (double* data = x)
        {
            var rows = HostRows.Contiguous(data, 1, x.Length, table);
            for (int i = 0; i < x.Length; i++)
            {
                var gradient = default(Twice<Twice<Twice<Twice<Vec4>>>>);
                values[i] = TMean.Evaluate(model, arguments, rows, 0, i, ref gradient);
                gradients[i] = Enumerable.Range(0, parameters.Length).Select(gradient.Get).ToArray();
            }
        }
        return (values, gradients);
    }
}
