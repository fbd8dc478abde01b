using System.Text.Json;
using System.Text.Json.Nodes;
using GpuEstimation.Cli;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>Runs the CLI in-process and captures what it writes.</summary>
internal static class Gpuest
{
    /// <summary>The exit code, standard output and standard error of <c>gpuest ARGS</c>.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = GpuestApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Exit code 2, nothing on stdout, and one line on stderr containing each of <paramref name="expected"/>.</summary>
    public static string AssertBadInput(string[] args, params string[] expected)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == GpuestApp.BadInput, $"exit {code}: {error}");
        Assert.Equal("", output);
        Assert.StartsWith("gpuest: ", error);
        foreach (var text in expected)
            Assert.Contains(text, error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", error);
        return error;
    }

    /// <summary>Writes <paramref name="columns"/> as a CSV file <paramref name="name"/> in <paramref name="directory"/> (round-trip digits); its path.</summary>
    public static string WriteCsv(string directory, string name, params (string Name, double[] Values)[] columns)
    {
        var path = Path.Combine(directory, name);
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", columns.Select(c => c.Name)));
        for (int i = 0; i < columns[0].Values.Length; i++)
            writer.WriteLine(string.Join(",", columns.Select(c => c.Values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        return path;
    }

    /// <summary>
    /// The JSON file at <paramref name="path"/> without its timing and with its device line apart
    /// (<paramref name="device"/>): what a run on other devices, another row-block layout or other ranks must give
    /// bit for bit.
    /// </summary>
    public static string JsonApartFromDevice(string path, out string device)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        device = root["device"]!.GetValue<string>();
        root.Remove("device");
        root.Remove("elapsedMs");
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
