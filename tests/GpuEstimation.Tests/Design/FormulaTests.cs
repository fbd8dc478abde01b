using GpuEstimation.Design;
using Xunit;

namespace GpuEstimation.Tests.Design;

public sealed class FormulaTests
{
    private static string[] Terms(DesignSpec spec) => [.. spec.Terms.Select(t => t.ToString())];

    // A fuzzing trial: 20,000 nested brackets overflowed the stack (exit 134). At the limit the formula is read; past it,
    // however far, it is refused by name.
    [Fact]
    public void BracketsNestedPastTheLimitAreRefusedNotAStackOverflow()
    {
        string Nested(int n) => "y ~ " + new string('(', n) + "x" + new string(')', n) + " + z";
        Assert.Equal(["x", "z"], Terms(Formula.Parse(Nested(GpuEstimation.Expressions.ExpressionParser.MaxDepth))));
        foreach (int n in new[] { GpuEstimation.Expressions.ExpressionParser.MaxDepth + 1, 100_000 })
        {
            var e = Assert.Throws<InputException>(() => Formula.Parse(Nested(n)));
            Assert.Contains($"nested more than {GpuEstimation.Expressions.ExpressionParser.MaxDepth} levels deep", e.Message);
        }
    }

    [Fact]
    public void ReadsColumnsFactorsAndInteractionsInROrder()
    {
        var spec = Formula.Parse("y ~ x1:x2 + x1 + C(g) + x2");
        Assert.Equal("y", spec.Response);
        // Main effects in the order written, then the interaction (R's order by degree).
        Assert.Equal(["x1", "C(g)", "x2", "x1:x2"], Terms(spec));
        Assert.True(spec.Intercept);
        Assert.Null(spec.Offset);
        Assert.Equal(["y", "x1", "x2"], spec.NumericColumns);
        Assert.Equal(["g"], spec.FactorColumns);
    }

    [Fact]
    public void StarCrossesAndParenthesesDistribute()
    {
        Assert.Equal(["a", "b", "a:b"], Terms(Formula.Parse("y ~ a*b")));
        Assert.Equal(["a", "b", "C(g)", "a:b", "a:C(g)", "b:C(g)", "a:b:C(g)"], Terms(Formula.Parse("y ~ a*b*C(g)")));
        Assert.Equal(["a:c", "b:c"], Terms(Formula.Parse("y ~ (a + b):c")));
    }

    [Fact]
    public void AnInteractionIsNamedInTheOrderItsVariablesFirstAppear()
    {
        Assert.Equal(["a", "b", "a:b"], Terms(Formula.Parse("y ~ a + b + b:a")));
        // The same term written twice counts once.
        Assert.Equal(["a", "b", "a:b"], Terms(Formula.Parse("y ~ a + b + a:b + b:a + a")));
    }

    [Theory]
    [InlineData("y ~ x - 1", false)]
    [InlineData("y ~ x + 0", false)]
    [InlineData("y ~ 0 + x", false)]
    [InlineData("y ~ -1 + x", false)]
    [InlineData("y ~ x - 1 + 1", true)]
    [InlineData("y ~ x - 0", true)]
    [InlineData("y ~ 1 + x", true)]
    public void OneAndZeroSetTheIntercept(string text, bool intercept)
    {
        var spec = Formula.Parse(text);
        Assert.Equal(intercept, spec.Intercept);
        Assert.Equal(["x"], Terms(spec));
    }

    [Fact]
    public void MinusRemovesATerm()
    {
        Assert.Equal(["a", "b"], Terms(Formula.Parse("y ~ a*b - a:b")));
    }

    [Fact]
    public void OffsetAndBackquotedNames()
    {
        var spec = Formula.Parse("deaths ~ C(age) + offset(log_exposure)");
        Assert.Equal("log_exposure", spec.Offset);
        Assert.Equal(["deaths", "log_exposure"], spec.NumericColumns);
        var npy = Formula.Parse("`0` ~ `1` + C(`2`) + `a b`");
        Assert.Equal("0", npy.Response);
        Assert.Equal(["`1`", "C(`2`)", "`a b`"], Terms(npy));
    }

    [Fact]
    public void FlagsGiveTheSameSpecAsTheFormula()
    {
        var flags = DesignSpec.FromColumns("y", ["x1", "x2"], ["g", "h"]);
        var formula = Formula.Parse("y ~ x1 + x2 + C(g) + C(h)");
        Assert.Equal(Terms(formula), Terms(flags));
        Assert.Equal(formula.ToString(), flags.ToString());
        Assert.Equal("y ~ x1 + x2 + C(g) + C(h)", flags.ToString());
        Assert.Equal(Formula.Parse("y ~ x1 + C(g) - 1").ToString(), DesignSpec.FromColumns("y", ["x1"], ["g"], intercept: false).ToString());
    }

    // Each error names the character where the formula stops making sense (counted from 1).
    [Theory]
    [InlineData("y ~ x +", "at the end (character 8): expected a term after '+'")]
    [InlineData("y ~ x + C(g", "at the end (character 12): expected ')' to close C(")]
    [InlineData("y ~ log(x)", "at character 5 ('log'): unknown function 'log': only C(column) (a factor) and offset(column) or offset(log(column)) are understood")]
    [InlineData("y ~ x ^ 2", "at character 7 ('^'): '^' is not supported")]
    [InlineData("y x", "at character 3 ('x'): expected '~' after the response")]
    [InlineData("~ x", "at character 1 ('~'): expected the response column")]
    [InlineData("y ~ x y", "at character 7 ('y'): expected '+', '-', '*' or ':' before 'y'")]
    [InlineData("y ~ (x + z", "at the end (character 11): expected ')' to close the '(' at character 5")]
    [InlineData("y ~ x)", "at character 6 (')'): ')' without a matching '('")]
    [InlineData("y ~ 2*x", "at character 5 ('2'): '2' is a number")]
    [InlineData("y ~ 1:x", "at character 5 ('1'): 1 (the intercept) cannot be part of an interaction")]
    [InlineData("y ~ x:offset(o)", "at character 7 ('offset'): offset() cannot be part of an interaction")]
    [InlineData("y ~ offset(a) + offset(b)", "a second offset (b, after a)")]
    [InlineData("y ~ C(g, Sum)", "at character 10 ('Sum'): expected Treatment('level') after the column in C()")]
    [InlineData("y ~ C(g, Treatment(b))", "at character 20 ('b'): expected the reference level in Treatment(): text in quotes ('b') or a number")]
    [InlineData("y ~ C(g, Treatment('b')) + C(g, Treatment('c')):x", "factor 'g' is given two reference levels ('b' and 'c')")]
    [InlineData("y ~ C(g, Treatment('b)", "a quoted level without its closing '")]
    [InlineData("y ~ `x", "at character 5 ('`'): a backquoted name without its closing '`'")]
    [InlineData("y ~ x ~ z", "at character 7 ('~'): a second '~'")]
    [InlineData("", "the formula is empty")]
    [InlineData("y ~ x + y", "the response 'y' is also a term (y)")]
    [InlineData("y ~ 0", "no terms and no intercept")]
    public void ErrorsNameThePlace(string text, string expected)
    {
        var e = Assert.Throws<InputException>(() => Formula.Parse(text));
        Assert.StartsWith($"formula '{text}': ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    // patsy's C(g, Treatment('b')): the factor's reference level, in each of patsy's spellings, written back as the
    // formula writes it (a JSON's formula is read back by predict).
    [Theory]
    [InlineData("y ~ x + C(g, Treatment('b'))", "b")]
    [InlineData("y ~ x + C(g, Treatment(\"b\"))", "b")]
    [InlineData("y ~ x + C(g, Treatment(reference='b'))", "b")]
    [InlineData("y ~ x + C(g, Treatment(3))", "3")]
    [InlineData("y ~ x + C(g, Treatment(-1))", "-1")]
    [InlineData("y ~ x + C(g, Treatment('1E-05'))", "1E-05")]
    public void AReferenceLevelIsRead(string text, string reference)
    {
        var spec = Formula.Parse(text);
        Assert.Equal(reference, spec.References["g"]);
        var written = spec.ToString();
        // Written in quotes, numbers too (a bare -1 or 1E-05 did not read back, a review).
        Assert.Equal($"y ~ x + C(g, Treatment('{reference}'))", written);
        Assert.Equal(reference, Formula.Parse(written).References["g"]);
        Assert.Empty(Formula.Parse("y ~ x + C(g)").References);
        // patsy's bare Treatment is the default coding.
        Assert.Empty(Formula.Parse("y ~ x + C(g, Treatment)").References);
        Assert.Equal("y ~ x + C(g)", Formula.Parse("y ~ x + C(g, Treatment)").ToString());
    }

    // offset(log(col)): the log of a column, written back as read.
    [Fact]
    public void ALogOffsetIsRead()
    {
        var spec = Formula.Parse("y ~ x + offset(log(exposure))");
        Assert.Equal("exposure", spec.Offset);
        Assert.True(spec.OffsetLog);
        Assert.Equal("y ~ x + offset(log(exposure))", spec.ToString());
        Assert.Contains("exposure", spec.NumericColumns);
        Assert.False(Formula.Parse("y ~ x + offset(exposure)").OffsetLog);
        Assert.Contains("a second offset", Assert.Throws<InputException>(() => Formula.Parse("y ~ offset(e) + offset(log(e))")).Message);
    }
}
