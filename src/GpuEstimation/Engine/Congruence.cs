namespace GpuEstimation.Engine;

/// <summary>
/// X R Xᵀ for X (m × p) and R (p × p, symmetric), each entry summed in index order (the same bits wherever it is formed)
/// and the result exactly symmetric.
/// </summary>
internal static class Congruence
{
    public static double[,] Of(double[,] x, double[,] r)
    {
        int m = x.GetLength(0), p = x.GetLength(1);
        var xr = new double[m, p];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < p; j++)
            {
                double sum = 0;
                for (int t = 0; t < p; t++)
                    sum += x[i, t] * r[t, j];
                xr[i, j] = sum;
            }
        }
        // The upper triangle, mirrored: exactly symmetric, as R is.
        var result = new double[m, m];
        for (int i = 0; i < m; i++)
        {
            for (int j = i; j < m; j++)
            {
                double sum = 0;
                for (int t = 0; t < p; t++)
                    sum += xr[i, t] * x[j, t];
                result[i, j] = result[j, i] = sum;
            }
        }
        return result;
    }
}
