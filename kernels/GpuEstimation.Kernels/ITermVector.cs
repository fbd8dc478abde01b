namespace GpuEstimation.Kernels;

/// <summary>
/// A fixed-capacity vector of doubles that lives in registers on the device. Kernels use it both for a model's
/// per-evaluation arguments and for each thread's running sums (log-density and gradient terms).
/// </summary>
/// <remarks>
/// The capacities are built as a binary tree (<see cref="Vec4"/>, <see cref="Twice{T}"/> of it, ...), so an index
/// known when the kernel is compiled folds to a single field access, and a run-time index costs a few uniform
/// branches: no local-memory array, whatever the parameter count.
/// </remarks>
public interface ITermVector<TSelf> where TSelf : unmanaged, ITermVector<TSelf>
{
    /// <summary>How many values the vector holds.</summary>
    static abstract int Capacity { get; }

    /// <summary>The value at <paramref name="index"/>.</summary>
    double Get(int index);

    /// <summary>Sets the value at <paramref name="index"/>.</summary>
    void Set(int index, double value);

    /// <summary>Adds <paramref name="value"/> to the value at <paramref name="index"/>.</summary>
    void Add(int index, double value);

    /// <summary>
    /// Adds one row's log-density to the value (index 0) in two parts: <paramref name="shared"/>, the same at every row
    /// of an evaluation (a function of the arguments alone, such as the Normal's −log σ − ½ log 2π), and
    /// <paramref name="own"/>, the row's own. Every vector but <see cref="ValueOnly{T}"/> adds <c>shared + own</c> at
    /// once (the bits of <c>Add(0, shared + own)</c>); <see cref="ValueOnly{T}"/> (a sweep's sums) adds
    /// <paramref name="own"/> alone and the shared part, times the rows, at <see cref="FinishRows"/>, so that a sweep's
    /// row loop does no work for it.
    /// </summary>
    void AddValue(double shared, double own);

    /// <summary>
    /// After a run of <paramref name="rows"/> rows summed into this vector (with any other sums of the same run
    /// added into it): adds what <see cref="AddValue"/> set aside. Nothing but in <see cref="ValueOnly{T}"/>.
    /// </summary>
    void FinishRows(long rows);

    /// <summary>
    /// Calls <paramref name="body"/> with each <see cref="Vec4"/> of the vector in order, and the index of its first
    /// value (<paramref name="first"/>, then 4 more each): a walk over the vector unrolled by its own shape, so that a
    /// body reading a leaf by constant indices reaches registers with no jump table and no tree of comparisons (ILGPU
    /// unrolls no loop, and inlines a vector's whole tree into each access before it folds a constant index: a loop of
    /// constant indices over the vector would cost its compile time the square of the width; docs/design.md, "Term
    /// vectors").
    /// </summary>
    void ReadLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafReader;

    /// <summary>
    /// As <see cref="ReadLeaves"/>, each leaf by reference, for <paramref name="body"/> to add to by constant indices.
    /// A vector that keeps only some of its values (<see cref="ValueOnly{T}"/>) keeps only those of what is added.
    /// </summary>
    void AddToLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafWriter;
}

/// <summary>A body of <see cref="ITermVector{TSelf}.ReadLeaves"/>.</summary>
public interface ILeafReader
{
    /// <summary>Reads <paramref name="leaf"/>, the vector's values <paramref name="first"/> … <paramref name="first"/> + 3.</summary>
    void Leaf(in Vec4 leaf, int first);
}

/// <summary>A body of <see cref="ITermVector{TSelf}.AddToLeaves"/>.</summary>
public interface ILeafWriter
{
    /// <summary>Adds to <paramref name="leaf"/>, the vector's values <paramref name="first"/> … <paramref name="first"/> + 3.</summary>
    void Leaf(ref Vec4 leaf, int first);
}
