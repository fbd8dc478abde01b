namespace GpuEstimation.Optimization;

/// <summary>A term −<paramref name="Weight"/>·|x[<paramref name="Coordinate"/>] − <paramref name="Location"/>| of an objective: an L1 penalty.</summary>
/// <param name="Coordinate">The coordinate the term is on.</param>
/// <param name="Location">Where the term has its kink.</param>
/// <param name="Weight">The term's weight w (positive).</param>
public sealed record Kink(int Coordinate, double Location, double Weight);
