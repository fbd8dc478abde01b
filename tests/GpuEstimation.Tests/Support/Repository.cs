namespace GpuEstimation.Tests.Support;

/// <summary>Where the repository's files are, for tests that read its sources and docs.</summary>
internal static class Repository
{
    /// <summary>The folder holding GpuEstimation.sln, found upward from the test binaries.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GpuEstimation.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException($"no GpuEstimation.sln above {AppContext.BaseDirectory}");
    }
}
