using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>Command-line mistakes: exit 2 and one line that names the word at fault, before anything is read or computed.</summary>
public sealed class ParseErrorTests
{
    // A data file that does not exist: a test passing here shows the error came before any file was read.
    private const string Absent = "absent-data.csv";

    [Fact]
    public void MisspeltOptionSuggestsTheRightOne() =>
        Gpuest.AssertBadInput(["fit", "--modle", "normal", "--data", Absent, "--column", "x"], "--modle", "did you mean --model?");

    [Fact]
    public void UnknownCommandSuggestsTheNearest() =>
        Gpuest.AssertBadInput(["fti", "--model", "normal"], "unknown command fti", "did you mean fit?");

    [Fact]
    public void UnknownOptionAtTheEndIsNamed() =>
        Gpuest.AssertBadInput(["fit", "--model", "normal", "--data", Absent, "--column", "x", "--verbose"], "unknown option --verbose");

    // The unknown option must not swallow the next token: --data is still read as an option.
    [Fact]
    public void UnknownOptionInTheMiddleIsNamed()
    {
        var error = Gpuest.AssertBadInput(["fit", "--model", "normal", "--verbose", "--data", Absent, "--column", "x"], "unknown option --verbose");
        Assert.DoesNotContain("missing", error);
    }

    [Fact]
    public void MissingRequiredOption() => Gpuest.AssertBadInput(["fit", "--data", Absent, "--column", "x"], "--model");

    // As an unknown word does, a missing option or value names the command and its help (a trial's "Option '--data' is
    // required" named neither).
    [Fact]
    public void MissingOptionOrValueNamesTheCommand()
    {
        Gpuest.AssertBadInput(["fit", "--model", "normal", "--column", "x"], "fit: ", "'--data' is required", "(see gpuest fit --help)");
        Gpuest.AssertBadInput(["eval", "--model", "normal", "--data", Absent, "--column", "x", "--at"], "eval: ", "'--at'", "(see gpuest eval --help)");
    }

    [Theory]
    [InlineData("--repeat", "0", "--repeat 0")]
    [InlineData("--threads", "0", "--threads 0")]
    [InlineData("--level", "1", "--level 1")]
    [InlineData("--level", "abc", "--level: 'abc' is not a finite number")]
    [InlineData("--max-iter", "-3", "--max-iter -3")]
    [InlineData("--device", "tpu", "--device: unknown device 'tpu'")]
    [InlineData("--optimizer", "bfgs", "--optimizer: unknown optimizer 'bfgs' (expected auto, newton, lm, lbfgs or gradient)")]
    [InlineData("--fix", "sigma", "--fix sigma: expected NAME=VALUE")]
    [InlineData("--prior", "mu=normal(0)", "--prior mu=normal(0): expected normal(mean,sd)")]
    public void BadValuesNameTheirOption(string option, string value, string expected) =>
        Gpuest.AssertBadInput(["fit", "--model", "normal", "--data", Absent, "--column", "x", option, value], expected);

    [Theory]
    [InlineData("normal", "--y", "y", "not --y/--x")]
    [InlineData("normal", "--trials", "10", "--trials and --trials-column apply to --model binomial")]
    [InlineData("binomial", "--column", "k", "--model binomial needs the number of trials")]
    [InlineData("linear", "--y", "y", "--model linear needs --x")]
    public void ColumnOptionsMustFitTheModel(string model, string option, string value, string expected) =>
        Gpuest.AssertBadInput(["fit", "--model", model, "--data", Absent, option, value], expected);

    [Fact]
    public void PngNeedsOneOrTwoAxes() =>
        Gpuest.AssertBadInput(["sweep", "--model", "studentt", "--data", Absent, "--column", "x", "--grid", "mu=0:1:3", "--grid", "sigma=1:2:3",
            "--grid", "nu=2:5:3", "--png", "surface.png"], "--png", "this one has 3");

    [Fact]
    public void GridAxisErrorsNameTheOption() =>
        Gpuest.AssertBadInput(["sweep", "--model", "normal", "--data", Absent, "--column", "x", "--grid", "mu=2:1:5"], "--grid mu=2:1:5: HIGH must be above LOW");

    [Fact]
    public void PlotPointsAndPriorAreChecked()
    {
        Gpuest.AssertBadInput(["plot", "--points", "1"], "--points 1");
        Gpuest.AssertBadInput(["plot", "--prior-sd", "0"], "--prior-sd 0: must be positive");
    }

    [Fact]
    public void ExtraArgumentIsAnError() =>
        Gpuest.AssertBadInput(["models", "extra"], "unexpected argument extra");

    // An empty path (an unset shell variable) was an internal error (exit 1), and a blank one a file named by a space.
    [Theory]
    [InlineData("fit", "--data", "")]
    [InlineData("fit", "--json", "")]
    [InlineData("fit", "--json", " ")]
    [InlineData("sweep", "--out", " ")]
    [InlineData("sweep", "--png", "")]
    [InlineData("predict", "--model-json", "")]
    [InlineData("predict", "--out", "")]
    [InlineData("plot", "--png", "")]
    [InlineData("demo", "--pictures", "")]
    public void EmptyPathIsAnError(string command, string option, string path)
    {
        var given = command switch
        {
            "fit" => new Dictionary<string, string> { ["--model"] = "normal", ["--data"] = Absent, ["--column"] = "x" },
            "sweep" => new() { ["--model"] = "normal", ["--data"] = Absent, ["--column"] = "x", ["--grid"] = "mu=0:1:3" },
            "predict" => new() { ["--model-json"] = "absent.json", ["--data"] = Absent, ["--out"] = "absent-out.csv" },
            _ => new(),
        };
        given[option] = path;
        string[] args = [command, .. given.SelectMany(o => new[] { o.Key, o.Value })];
        Gpuest.AssertBadInput(args, $"{option} '{path}': the path is empty");
    }
}
