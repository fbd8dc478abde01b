namespace GpuEstimation.Tests.Support;

/// <summary>
/// Test categories, as xunit traits (<c>[Trait("Category", Categories.Slow)]</c>). The quick loop leaves the slow ones
/// out: <c>dotnet test GpuEstimation.sln -c Release --filter "Category!=Slow"</c> (under a minute on the 2-core dev
/// box); <c>.ci/run</c> runs everything.
/// </summary>
internal static class Categories
{
    /// <summary>Tests of several seconds or more: coverage simulations, PTX compilation, 10⁶-argument math sweeps on the CPU accelerator, the full demo.</summary>
    public const string Slow = "Slow";

    /// <summary>
    /// Tests of a real OpenCL device against the native backend. Skipped where no usable OpenCL device exists, unless
    /// <c>GPUEST_REQUIRE_OPENCL=1</c> (set by <c>tests/opencl/run.sh</c>, which runs them against PoCL in CI): then a
    /// missing device fails them.
    /// </summary>
    public const string OpenCL = "OpenCL";
}
