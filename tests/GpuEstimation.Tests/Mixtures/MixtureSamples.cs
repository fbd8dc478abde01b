namespace GpuEstimation.Tests.Mixtures;

/// <summary>Simulated Gaussian mixtures: seeded, Box–Muller normals through each component's Cholesky factor.</summary>
internal static class MixtureSamples
{
    public sealed record Truth(double[] Weights, double[][] Means, double[][][] Covariances);

    public static double[][] Draw(Truth truth, int n, int seed)
    {
        var random = new Random(seed);
        int d = truth.Means[0].Length, k = truth.Weights.Length;
        var columns = Enumerable.Range(0, d).Select(_ => new double[n]).ToArray();
        var factors = truth.Covariances.Select(c => Cholesky(c)).ToArray();
        var z = new double[d];
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDouble(), cumulative = 0;
            int c = k - 1;
            for (int m = 0; m < k; m++)
            {
                cumulative += truth.Weights[m];
                if (u < cumulative)
                {
                    c = m;
                    break;
                }
            }
            for (int j = 0; j < d; j++)
                z[j] = Normal(random);
            for (int a = 0; a < d; a++)
            {
                double value = truth.Means[c][a];
                for (int b = 0; b <= a; b++)
                    value += factors[c][a][b] * z[b];
                columns[a][i] = value;
            }
        }
        return columns;
    }

    public static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static double[][] Cholesky(double[][] a)
    {
        int d = a.Length;
        var l = Enumerable.Range(0, d).Select(_ => new double[d]).ToArray();
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i][j];
                for (int m = 0; m < j; m++)
                    sum -= l[i][m] * l[j][m];
                l[i][j] = i == j ? Math.Sqrt(sum) : sum / l[j][j];
            }
        }
        return l;
    }

    /// <summary>A random covariance B Bᵀ / d + s I from a seed.</summary>
    public static double[][] RandomCovariance(int d, double scale, int seed)
    {
        var random = new Random(seed);
        var b = Enumerable.Range(0, d).Select(_ => Enumerable.Range(0, d).Select(_ => Normal(random)).ToArray()).ToArray();
        var c = Enumerable.Range(0, d).Select(_ => new double[d]).ToArray();
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double sum = 0;
                for (int m = 0; m < d; m++)
                    sum += b[i][m] * b[j][m];
                c[i][j] = scale * (sum / d + (i == j ? 0.5 : 0));
            }
        }
        return c;
    }

    public static readonly Truth TwoD = new(
        [0.5, 0.3, 0.2],
        [[0, 0], [1, 5], [4, 1]],
        [[[1, 0.5], [0.5, 1]], [[1.5, 0], [0, 0.3]], [[0.5, -0.2], [-0.2, 0.8]]]);

    public static Truth FiveD() => new(
        [0.25, 0.35, 0.4],
        [[-4, 0, 1, 2, 0], [0, 3, -1, 0, 2], [4, -2, 0, 1, -1]],
        [RandomCovariance(5, 1.0, 11), RandomCovariance(5, 0.7, 12), RandomCovariance(5, 1.3, 13)]);

    /// <summary>
    /// An independent host log-likelihood and one plain EM step (full covariance, reg added as in the fitter), written
    /// from the textbook formulas without the library's code.
    /// </summary>
    public static (double Log, double[] Weights, double[][] Means) HostStep(double[][] columns, double[] weights, double[][] means, double[][][] covariances, double reg)
    {
        int d = columns.Length, k = weights.Length, n = columns[0].Length;
        var inverse = covariances.Select(Invert).ToArray();
        var logDet = covariances.Select(c => 2 * Cholesky(c).Select((row, i) => Math.Log(row[i])).Sum()).ToArray();
        var nk = new double[k];
        var sx = Enumerable.Range(0, k).Select(_ => new double[d]).ToArray();
        double total = 0;
        var log = new double[k];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                double q = 0;
                for (int a = 0; a < d; a++)
                {
                    for (int b = 0; b < d; b++)
                        q += (columns[a][i] - means[c][a]) * inverse[c][a][b] * (columns[b][i] - means[c][b]);
                }
                log[c] = Math.Log(weights[c]) - 0.5 * (q + logDet[c] + d * Math.Log(2 * Math.PI));
            }
            double max = log.Max(), sum = log.Sum(l => Math.Exp(l - max));
            double lse = max + Math.Log(sum);
            total += lse;
            for (int c = 0; c < k; c++)
            {
                double r = Math.Exp(log[c] - lse);
                nk[c] += r;
                for (int a = 0; a < d; a++)
                    sx[c][a] += r * columns[a][i];
            }
        }
        return (total, nk.Select(v => v / n).ToArray(), sx.Select((s, c) => s.Select(v => v / nk[c]).ToArray()).ToArray());
    }

    // Gauss–Jordan inverse of a small symmetric positive definite matrix.
    private static double[][] Invert(double[][] a)
    {
        int d = a.Length;
        var m = a.Select((row, i) => row.Concat(Enumerable.Range(0, d).Select(j => i == j ? 1.0 : 0.0)).ToArray()).ToArray();
        for (int c = 0; c < d; c++)
        {
            int pivot = Enumerable.Range(c, d - c).MaxBy(r => Math.Abs(m[r][c]));
            (m[c], m[pivot]) = (m[pivot], m[c]);
            double p = m[c][c];
            for (int j = 0; j < 2 * d; j++)
                m[c][j] /= p;
            for (int r = 0; r < d; r++)
            {
                if (r == c)
                    continue;
                double f = m[r][c];
                for (int j = 0; j < 2 * d; j++)
                    m[r][j] -= f * m[c][j];
            }
        }
        return m.Select(row => row.Skip(d).ToArray()).ToArray();
    }
}
