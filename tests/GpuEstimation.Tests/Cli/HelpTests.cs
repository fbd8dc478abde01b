using System.CommandLine;
using System.Globalization;
using GpuEstimation.Cli;
using GpuEstimation.Demo;
using GpuEstimation.Estimation;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>Generated help and --version: every command answers --help and -h with its options and their defaults.</summary>
public sealed class HelpTests
{
    public static TheoryData<string> Commands => new(GpuestApp.CreateRoot().Subcommands.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryCommandListsItsOptions(string command)
    {
        var options = GpuestApp.CreateRoot().Subcommands.Single(c => c.Name == command).Options.Select(o => o.Name).ToList();
        foreach (var flag in new[] { "--help", "-h" })
        {
            var (code, output, error) = Gpuest.Run(command, flag);
            Assert.Equal(0, code);
            Assert.Equal("", error);
            Assert.Contains($" {command} [options]", output);
            Assert.All(options, option => Assert.Contains(option, output));
        }
    }

    [Fact]
    public void FitHelpShowsTheLibrarysDefaults()
    {
        var (code, output, _) = Gpuest.Run("fit", "--help");
        Assert.Equal(0, code);
        var defaults = new FitOptions();
        Assert.Matches($@"--level <L> .*\[default: {Regex(defaults.Level)}\]", output);
        Assert.Matches($@"--max-iter <N> .*\[default: {defaults.Optimizer.MaxIterations}\]", output);
        Assert.Matches(@"--optimizer <auto\|newton\|lm\|lbfgs\|gradient> .*\[default: auto\]", output);
        Assert.Matches(@"--device <auto\|cuda\|opencl\|native\|cpu\[:all\|:0,1,…\]> .*\[default: auto\]", output);
        Assert.Contains("(REQUIRED)", output);
    }

    // sweep refuses the mixtures: its --max-iter says nothing of their EM limits, which fit's does.
    [Fact]
    public void SweepsMaxIterationsLeaveTheMixturesToFit()
    {
        string MaxIter(string command) => Gpuest.Run(command, "--help").Output.Split('\n').Single(l => l.TrimStart().StartsWith("--max-iter", StringComparison.Ordinal));
        Assert.Contains("gaussian-mixture", MaxIter("fit"));
        Assert.DoesNotContain("mixture", MaxIter("sweep"));
        Assert.Contains("Levenberg-Marquardt", MaxIter("sweep"));
    }

    [Fact]
    public void DemoAndPlotSayWhereTheirPicturesGo()
    {
        var demo = Gpuest.Run("demo", "--help").Output;
        Assert.Contains("gpuest-demo-fit.png", demo);
        Assert.Matches($@"--points <N> .*\[default: {LearningExample.DefaultPoints}\]", demo);
        var plot = Gpuest.Run("plot", "--help").Output;
        Assert.Contains("learning-example.png", plot);
        Assert.Matches($@"--prior-sd <A> .*\[default: {Regex(LearningExample.PlotSlopePriorSd)}\]", plot);
    }

    // gpuest alone shows the help too, but exits 2: no command is a usage error a script can tell from success.
    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void TopLevelHelpListsTheCommands(params string[] args)
    {
        var (code, output, error) = Gpuest.Run(args);
        Assert.Equal(args.Length == 0 ? GpuestApp.BadInput : GpuestApp.Ok, code);
        Assert.Equal("", error);
        foreach (var command in GpuestApp.CreateRoot().Subcommands)
            Assert.Contains(command.Name, output);
        Assert.Contains("Exit codes", output);
    }

    [Fact]
    public void HelpWordBeforeACommand()
    {
        var (code, output, _) = Gpuest.Run("help", "sweep");
        Assert.Equal(0, code);
        Assert.Contains("--grid", output);
    }

    [Fact]
    public void Version()
    {
        var (code, output, error) = Gpuest.Run("--version");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    private static string Regex(double value) => System.Text.RegularExpressions.Regex.Escape(value.ToString(CultureInfo.InvariantCulture));
}
