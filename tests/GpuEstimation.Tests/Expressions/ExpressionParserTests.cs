using GpuEstimation.Data;
using GpuEstimation.Expressions;
using GpuEstimation.Kernels;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Expressions;

/// <summary>
/// The grammar (numbers, precedence, associativity, brackets) through the value the compiled model computes, and
/// the errors: a caret under the place, unknown names listing what exists, wrong argument counts.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ExpressionParserTests(DeviceFixture devices)
{
    private static readonly Dataset Data = Dataset.FromColumns(("x", [2.0]), ("y", [3.0]));

    // The value at one row (x = 2, y = 3) and the parameter t = 0.5.
    private double Value(string text)
    {
        // t·x = 1 at the point: a parameter to estimate and a column read, whatever the text.
        var model = ExpressionModel.Create($"t*x + {text}", [new ParameterInfo("t")], Data, new Dictionary<string, double> { ["t"] = 0.5 });
        using var engine = model.CreateEngine(devices.Native);
        return engine.Evaluate([0.5], new double[1]) - 1;
    }

    [Theory]
    [InlineData("-x^2", -4.0)]                    // ^ binds tighter than unary minus
    [InlineData("-(x-y)^2", -1.0)]
    [InlineData("2^3^2", 512.0)]                  // right-associative
    [InlineData("x**3", 8.0)]                     // ** is ^
    [InlineData("2^-1", 0.5)]                     // a signed exponent
    [InlineData("x - y - 1", -2.0)]               // left-associative
    [InlineData("x / y / 2", 2.0 / 3.0 / 2.0)]
    [InlineData("1 + x * y", 7.0)]
    [InlineData("[x + 1] * (y - 1)", 6.0)]        // [ ] as NIST writes them
    [InlineData("exp[-x] * x", 0.2706705664732254)] // and as NIST writes calls: exp[-b2*x]
    [InlineData("max[x, y] - min(x, y)", 1.0)]
    [InlineData(".5 + 1e-4 + 2.5E+1", 25.5001)]
    [InlineData("- -x", 2.0)]
    [InlineData("x^0.5", 1.4142135623730951)]
    public void GrammarGivesTheMathematicalValue(string text, double expected)
    {
        double value = Value(text);
        Assert.True(Math.Abs(value - expected) <= 1e-15 * Math.Max(1, Math.Abs(expected)), $"{text}: {value:R} vs {expected:R}");
    }

    [Theory]
    [InlineData("x + * y", 4, "unexpected '*'")]
    [InlineData("exp(x", 3, "'(' is not closed")]
    [InlineData("(x + y]", 6, "')' or ',' expected")]
    [InlineData("exp[x)", 5, "']' or ',' expected")]
    [InlineData("x $ y", 2, "'$' is not part")]
    [InlineData("1e+", 1, "exponent needs digits")]
    [InlineData("x y", 2, "unexpected 'y'")]
    [InlineData("", 0, "empty")]
    [InlineData("x * 1e400", 4, "beyond the range of a double")]
    [InlineData("x * 1e-400", 4, "below the smallest double")]
    [InlineData("x * 0.0005e-321", 4, "below the smallest double")]
    [InlineData("x + `y", 4, "'`' is not closed")]
    [InlineData("x + ``", 4, "`` names nothing")]
    [InlineData("x.1 + t", 1, "goes in backquotes (`x.1`)")]
    public void SyntaxErrorsPointAtThePlace(string text, int position, string message)
    {
        var error = Assert.Throws<InputException>(() => LogDensityExpression.Compile(text, [new ParameterInfo("t")], ["x", "y"]));
        Assert.Contains(message, error.Message);
        Assert.Contains($"at character {position + 1}", error.Message);
        var lines = error.Display!.Split('\n');
        Assert.Equal($"  {text}", lines[0]);
        Assert.Equal(position + 2, lines[1].IndexOf('^'));
    }

    // A fuzzing trial: 10,000 nested brackets overflowed the stack (exit 134, a trace); a long sum is as deep a tree.
    // At the limit the expression is taken (its value right), one level more is refused by name, whatever nests:
    // brackets, signs, calls, or the terms of one sum; and far past it, before the parser's own recursion can overflow.
    [Fact]
    public void ExpressionsNestedPastTheLimitAreRefusedNotAStackOverflow()
    {
        int limit = ExpressionParser.MaxDepth;
        // Sum → Unary → Power → Primary per bracket: the bracketed x is limit − 1 levels below the top term t·x + (…).
        string Brackets(int n) => new string('(', n) + "x" + new string(')', n);
        Assert.Equal(2.0, Value(Brackets(limit - 2)));
        foreach (var deep in new[]
        {
            Brackets(limit), Brackets(100_000), new string('-', 100_000) + "x", string.Concat(Enumerable.Repeat("exp(", 50_000)) + "x" + new string(')', 50_000),
            string.Join(" + ", Enumerable.Repeat("x", 100_000)),
        })
        {
            var error = Assert.Throws<InputException>(() => LogDensityExpression.Compile(deep, [new ParameterInfo("t")], ["x", "y"]));
            Assert.Contains($"nested more than {limit} levels deep", error.Message);
        }
    }

    [Fact]
    public void AnUnknownNameListsTheParametersAndColumns()
    {
        var error = Assert.Throws<InputException>(() => LogDensityExpression.Compile("normal_lpdf(x, mu, sigm)", [new("mu"), new("sigma", ParameterDomain.Positive)], ["x", "w"]));
        Assert.Contains("unknown name 'sigm'", error.Message);
        Assert.Contains("(mu, sigma)", error.Message);
        Assert.Contains("(x, w)", error.Message);
        Assert.Equal(21, error.Display!.Split('\n')[1].IndexOf('^'));
    }

    [Theory]
    [InlineData("normal_lpdf(x, mu)", "normal_lpdf takes 3 arguments (x, mu, sigma), not 2")]
    [InlineData("lgamma(x, mu)", "lgamma takes 1 argument (x), not 2")]
    [InlineData("foo(x) + mu", "unknown function 'foo'")]
    [InlineData("log + mu", "'log' is a function")]
    [InlineData("x * 2", "parameter 'mu' does not appear")]
    [InlineData("mu", "reads no data column")]
    public void MisusedNamesAreRefused(string text, string message)
    {
        var error = Assert.Throws<InputException>(() => LogDensityExpression.Compile(text, [new("mu")], ["x"]));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ABackquotedNameIsAColumnWhateverItHolds()
    {
        // `x.1`, `my col`, and a column named pi: backquoted, columns; pi bare, with such a column, is refused.
        var data = Dataset.FromColumns(("x.1", [2.0]), ("my col", [3.0]), ("pi", [100.0]));
        double Value(string text)
        {
            var model = ExpressionModel.Create($"t + {text}", [new ParameterInfo("t")], data, new Dictionary<string, double> { ["t"] = 0 });
            using var engine = model.CreateEngine(devices.Native);
            return engine.Evaluate([0.0], new double[1]);
        }
        Assert.Equal(2.0 * 3.0 + 100.0, Value("`x.1` * `my col` + `pi`"));
        var error = Assert.Throws<InputException>(() => Value("`x.1` * pi"));
        Assert.Contains("'pi' is the constant π, and the data have a column named pi too: write `pi` in backquotes", error.Message);
        var none = Dataset.FromColumns(("x", [2.0]));
        var model = ExpressionModel.Create("t + x + pi", [new ParameterInfo("t")], none, new Dictionary<string, double> { ["t"] = 0 });
        using var engine = model.CreateEngine(devices.Native);
        Assert.Equal(2 + Math.PI, engine.Evaluate([0.0], new double[1]), 15);
    }

    [Fact]
    public void EqualExpressionsShareOneCompiledType()
    {
        var first = LogDensityExpression.Compile("normal_lpdf(x, m, s)", [new("m"), new("s", ParameterDomain.Positive)], ["x"]);
        var second = LogDensityExpression.Compile("normal_lpdf(x, m, s)", [new("m"), new("s", ParameterDomain.Positive)], ["x", "y"]);
        Assert.Same(first.Type, second.Type);
    }

    [Fact]
    public void RowIndependentPartsAreHoistedIntoPrepare()
    {
        // log σ and 1/(σ√2) are per-evaluation arguments: no logarithm in the per-row code.
        var compiled = LogDensityExpression.Compile("normal_lpdf(x, m, s)", [new("m"), new("s", ParameterDomain.Positive)], ["x"]);
        var accumulate = compiled.Source[compiled.Source.IndexOf("Accumulate<", StringComparison.Ordinal)..];
        Assert.False(accumulate.Contains("DeviceMath.Log", StringComparison.Ordinal), compiled.Source);
        Assert.Contains("DeviceMath.Log(parameters[1])", compiled.Source);
    }
}
