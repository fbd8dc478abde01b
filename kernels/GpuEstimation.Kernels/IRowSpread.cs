namespace GpuEstimation.Kernels;

/// <summary>
/// A column's rows spread over the processes of one job (the ranks of an MPI job): every process holds the whole
/// column's length, but reads and evaluates only its own rows [<see cref="First"/>, <see cref="End"/>), a run that
/// begins at a multiple of <see cref="Moments.SumBlock"/>. The statistics a start takes over such a column
/// (<see cref="Moments.Spread"/>) read the own rows and combine the processes' parts, with the bits one process gives.
/// </summary>
public interface IRowSpread
{
    /// <summary>All the processes' rows: the column's length.</summary>
    long Rows { get; }

    /// <summary>The first of this process's rows.</summary>
    long First { get; }

    /// <summary>One past this process's last row.</summary>
    long End { get; }

    /// <summary>
    /// Fills in the other processes' parts of <paramref name="values"/>: block b of <paramref name="blockRows"/> rows
    /// (a divisor of the processes' unit of rows) has written <paramref name="width"/> values at b · width where its rows
    /// are this process's. Every process must call it with the same arguments.
    /// </summary>
    void GatherBlocks(Span<double> values, int blockRows, int width);

    /// <summary>Each process's <paramref name="own"/>, in process order. Every process must call it.</summary>
    double[] EachProcess(double own);

    /// <summary>
    /// A column of <paramref name="length"/> zeros whose memory is taken only where it is written (this process's rows):
    /// not an array of the managed heap, whose whole length a heap limit (a container's) would count.
    /// </summary>
    Memory<double> Allocate(int length);
}
