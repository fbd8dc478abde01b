using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>The body of a loop unrolled by <see cref="IUnrolled"/>: called once per index, in order.</summary>
public interface IUnrolledBody
{
    /// <summary>The loop's body at <paramref name="index"/>, a compile-time constant in the kernel.</summary>
    void At(int index);
}

/// <summary>
/// A loop of a fixed count, unrolled by the type system: <see cref="Unrolled4"/> calls its body at four constant
/// indices, <see cref="UnrolledTwice{T}"/> runs its inner loop twice (8, 16, ... as <see cref="Twice{T}"/> doubles a
/// term vector). ILGPU 1.5.3 unrolls no loop, so a term vector indexed by a loop counter compiles to a jump table
/// per access on CUDA, with every value moved at each; through this, each body call inlines with its index a
/// constant, and every access to a term vector folds to one register.
/// </summary>
public interface IUnrolled
{
    /// <summary>The number of iterations.</summary>
    static abstract int Count { get; }

    /// <summary>Calls <paramref name="body"/> at <paramref name="first"/>, <paramref name="first"/> + 1, … in order.</summary>
    static abstract void Run<TBody>(ref TBody body, int first) where TBody : struct, IUnrolledBody;
}

/// <summary>Four iterations.</summary>
public struct Unrolled4 : IUnrolled
{
    /// <inheritdoc/>
    public static int Count => 4;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TBody>(ref TBody body, int first) where TBody : struct, IUnrolledBody
    {
        body.At(first);
        body.At(first + 1);
        body.At(first + 2);
        body.At(first + 3);
    }
}

/// <summary>Twice the iterations of <typeparamref name="T"/>.</summary>
public struct UnrolledTwice<T> : IUnrolled where T : struct, IUnrolled
{
    /// <inheritdoc/>
    public static int Count => 2 * T.Count;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TBody>(ref TBody body, int first) where TBody : struct, IUnrolledBody
    {
        T.Run(ref body, first);
        T.Run(ref body, first + T.Count);
    }
}
