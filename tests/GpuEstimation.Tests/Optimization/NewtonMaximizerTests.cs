using GpuEstimation.Optimization;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuEstimation.Tests.Optimization;

/// <summary>
/// Newton's search's last step taken without a pass: on f(x) = N Σ (aᵢ xᵢ − e^{xᵢ}), maximal at xᵢ = log aᵢ, whose
/// Newton iterates converge quadratically with a rate, in standard-error units, of 1/(2√(N aᵢ)): with N = 10¹² the
/// information changes by ~10⁻⁶ of a standard error's step and the last step is taken without a pass; with N = 1 it
/// changes as much as the step, and the end is evaluated.
/// </summary>
public class NewtonMaximizerTests
{
    private static readonly double[] A = [0.5, 2.0, 3.0];

    private static (ValueGradientHessian Full, ValueAndGradient Value, Func<int> Passes) Objective(double scale)
    {
        int passes = 0;
        double Value(ReadOnlySpan<double> x, Span<double> g)
        {
            passes++;
            double f = 0;
            for (int i = 0; i < x.Length; i++)
            {
                f += scale * (A[i] * x[i] - Math.Exp(x[i]));
                g[i] = scale * (A[i] - Math.Exp(x[i]));
            }
            return f;
        }
        double Full(ReadOnlySpan<double> x, Span<double> g, Matrix<double> h)
        {
            h.Clear();
            for (int i = 0; i < x.Length; i++)
                h[i, i] = -scale * Math.Exp(x[i]);
            return Value(x, g);
        }
        return (Full, Value, () => passes);
    }

    [Fact]
    public void OnManyObservationsTheLastStepTakesNoPass()
    {
        var (full, value, passes) = Objective(1e12);
        var result = NewtonMaximizer.Maximize(full, value, [0.0, 0.0, 0.0], new OptimizerSettings());

        Assert.True(result.Converged, result.Reason);
        Assert.StartsWith(NewtonMaximizer.StepTakenReason, result.Reason);
        Assert.Equal(passes(), result.Evaluations);
        Assert.Equal(result.Iterations, result.Evaluations);
        var before = Assert.IsType<double[]>(result.InformationPoint);
        // The step taken: the point moved from where the information was summed, to the maximum within 1e-15.
        Assert.NotEqual(before, result.Point);
        for (int i = 0; i < A.Length; i++)
        {
            Assert.True(Math.Abs(result.Point[i] - Math.Log(A[i])) <= 1e-15, $"x{i} {result.Point[i]:R} against {Math.Log(A[i]):R}");
            Assert.Equal(1e12 * Math.Exp(before[i]), result.Information![i, i]);
            // And the information there within 1e-8 of the maximum's (1e12 aᵢ).
            Assert.True(Math.Abs(result.Information[i, i] / (1e12 * A[i]) - 1) <= 1e-8, $"information {result.Information[i, i]:R}");
        }
        double exact = A.Sum(a => 1e12 * (a * Math.Log(a) - a));
        Assert.True(Math.Abs(result.Value - exact) <= 1e-15 * Math.Abs(exact), $"value {result.Value:R} against {exact:R}");
        // The gradient reported is the predicted one, below the tolerance; the reason gives the one measured before the step.
        Assert.True(result.GradientNorm <= 1e-11, $"gradient {result.GradientNorm}");
        Assert.Contains("measured ", result.Reason);
    }

    [Fact]
    public void OnFewObservationsTheEndIsEvaluated()
    {
        var (full, value, passes) = Objective(1.0);
        var result = NewtonMaximizer.Maximize(full, value, [0.0, 0.0, 0.0], new OptimizerSettings());

        Assert.True(result.Converged, result.Reason);
        Assert.DoesNotContain(NewtonMaximizer.StepTakenReason, result.Reason);
        Assert.Null(result.InformationPoint);
        Assert.Equal(passes(), result.Evaluations);
        for (int i = 0; i < A.Length; i++)
            Assert.Equal(Math.Exp(result.Point[i]), result.Information![i, i]);
    }
}
