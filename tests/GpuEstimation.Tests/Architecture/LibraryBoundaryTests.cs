using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using Xunit;

namespace GpuEstimation.Tests.Architecture;

/// <summary>The library speaks C#: no string it ships names a command-line option; the command line owns those.</summary>
public partial class LibraryBoundaryTests
{
    public static IEnumerable<object[]> LibraryAssemblies =>
    [
        [typeof(EstimationSession).Assembly.Location],
        [typeof(ILikelihoodModel<>).Assembly.Location],
    ];

    // Every string literal compiled into the assembly (the metadata's user-string heap holds them all, interpolated
    // strings' pieces included), so that no message built from them can name a flag.
    [Theory]
    [MemberData(nameof(LibraryAssemblies))]
    public void NoStringInTheLibraryNamesACommandLineOption(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var flags = new List<string>();
        int heap = reader.GetHeapSize(HeapIndex.UserString);
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil && MetadataTokens.GetHeapOffset(handle) < heap; handle = reader.GetNextHandle(handle))
        {
            var text = reader.GetUserString(handle);
            if (Flag().IsMatch(text))
                flags.Add(text);
        }
        Assert.True(flags.Count == 0, $"{Path.GetFileName(path)} holds flag text: {string.Join(" | ", flags)}");
    }

    [Fact]
    public void TheCheckFindsAFlag()
    {
        Assert.Matches(Flag(), "--fix sigma=-1: must be positive");
        Assert.Matches(Flag(), "give it with --trials-column");
        Assert.DoesNotMatch(Flag(), "x --> y, a − b, 2--3");
    }

    [GeneratedRegex(@"(^|[\s'""(\[`])--[a-z][a-z-]*")]
    private static partial Regex Flag();
}
