using System.Text.RegularExpressions;
using GpuEstimation.Cli;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>The README's option table and command list against the generated help, so the two cannot drift apart.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void EveryOptionInTheHelpIsInTheReadmeTableAndNoOther()
    {
        var table = OptionTable();
        var options = GpuestApp.CreateRoot().Subcommands.SelectMany(c => c.Options).Select(o => o.Name)
            .Where(name => name != "--help").ToHashSet();
        Assert.Empty(options.Except(table));
        Assert.Empty(table.Except(options));
    }

    [Fact]
    public void EveryCommandIsInTheReadme()
    {
        var readme = File.ReadAllText(ReadmePath());
        foreach (var command in GpuestApp.CreateRoot().Subcommands)
            Assert.Contains($"gpuest {command.Name}", readme);
    }

    // The options named in the first column of the table headed "| option | meaning |".
    private static HashSet<string> OptionTable()
    {
        var lines = File.ReadAllLines(ReadmePath());
        int header = Array.IndexOf(lines, "| option | meaning |");
        Assert.True(header >= 0, "README.md has no '| option | meaning |' table");
        return lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
            .SelectMany(l => Option().Matches(l.Split('|')[1]).Select(m => m.Value))
            .ToHashSet();
    }

    private static string ReadmePath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(path) && File.Exists(Path.Combine(directory.FullName, "GpuEstimation.sln")))
                return path;
        }
        throw new FileNotFoundException("README.md beside GpuEstimation.sln, above the test binaries");
    }

    [GeneratedRegex(@"--[a-z][a-z-]*")]
    private static partial Regex Option();
}
