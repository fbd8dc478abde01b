using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Security.Cryptography;
using System.Text;
using GpuEstimation.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GpuEstimation.Expressions;

/// <summary>
/// Compiles generated model source with Roslyn into an in-memory assembly and loads it, once per distinct source
/// for the process (keyed by its SHA-256). The references are the running assemblies' own metadata
/// (<c>Assembly.TryGetRawMetadata</c>), not files, so this works alike from a build folder, a
/// self-contained publish and a single-file app, whose assemblies have no location.
/// </summary>
internal static class ExpressionCompiler
{
    private static readonly ConcurrentDictionary<string, Lazy<Type>> Cache = new();
    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

    /// <summary>The loaded type <paramref name="typeName"/> compiled from <paramref name="source"/> (cached).</summary>
    public static Type Compile(string typeName, string source)
    {
        // Compiled ahead of time (native AOT) nothing can be loaded at run time; the check also lets the AOT compiler
        // leave the C# compiler out of that build.
        if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
            throw new InputException("expressions are compiled to code at run time, which this process (compiled ahead of time: native AOT) cannot load; run them in a process with a JIT");
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        return Cache.GetOrAdd(key, _ => new Lazy<Type>(() => Build(typeName, source, key))).Value;
    }

    /// <summary>The number of distinct sources compiled so far in this process.</summary>
    public static int Compiled => Cache.Count;

    private static Type Build(string typeName, string source, string key)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create($"GpuEstimation.Expressions.{typeName}.{key[..16]}", [tree], References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            // Generated code that does not compile is a bug here, not the user's: say so with the compiler's words.
            var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(3).Select(d => d.ToString());
            throw new InvalidOperationException($"the code generated for an expression did not compile: {string.Join("; ", errors)}");
        }
        var assembly = Assembly.Load(image.ToArray());
        return assembly.GetType($"GpuEstimation.Expressions.Generated.{typeName}", throwOnError: true)!;
    }

    private static MetadataReference[] LoadReferences()
    {
        var assemblies = new[]
        {
            typeof(object).Assembly,                      // System.Private.CoreLib
            Assembly.Load("System.Runtime"),              // the facade the kernels assembly was built against
            typeof(System.Runtime.CompilerServices.MethodImplAttribute).Assembly,
            typeof(ILikelihoodModel<>).Assembly,          // the interfaces and DeviceMath
            typeof(Enumerable).Assembly,                  // System.Linq, which the kernels assembly references
            typeof(ILGPU.Interop).Assembly,               // DeviceMath's signatures mention nothing of it, its metadata is referenced
        };
        return assemblies.Distinct().Select(Reference).ToArray();
    }

    private static unsafe MetadataReference Reference(Assembly assembly)
    {
        if (!assembly.TryGetRawMetadata(out byte* blob, out int length))
            throw new InvalidOperationException($"the metadata of {assembly.GetName().Name} cannot be read, which compiling an expression needs");
        var module = ModuleMetadata.CreateFromMetadata((IntPtr)blob, length);
        return AssemblyMetadata.Create(module).GetReference();
    }
}
