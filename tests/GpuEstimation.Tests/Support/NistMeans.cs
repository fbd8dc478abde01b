using GpuEstimation.Kernels;
using GpuEstimation.Models;

namespace GpuEstimation.Tests.Support;

/// <summary>
/// Hand-written means of NIST's nonlinear problems with their exact gradients (the fixtures of the nonlinear
/// regression until the expression compiler builds them from the formulas), and the factories that make a problem a model.
/// </summary>
public static class NistMeans
{
    /// <summary>The problems with a hand-written mean, by name.</summary>
    public static IReadOnlyDictionary<string, NistNonlinearHarness.MeanFactory> Factories { get; } = new Dictionary<string, NistNonlinearHarness.MeanFactory>
    {
        ["Misra1a"] = (p, y, s) => Create(new ExponentialRise(), p, y, s),
        ["BoxBOD"] = (p, y, s) => Create(new ExponentialRise(), p, y, s),
        ["Misra1b"] = (p, y, s) => Create(new Misra1b(), p, y, s),
        ["Chwirut1"] = (p, y, s) => Create(new Chwirut(), p, y, s),
        ["Chwirut2"] = (p, y, s) => Create(new Chwirut(), p, y, s),
        ["DanWood"] = (p, y, s) => Create(new PowerLaw(), p, y, s),
        ["Lanczos1"] = (p, y, s) => Create(new ThreeExponentials(), p, y, s),
        ["Lanczos2"] = (p, y, s) => Create(new ThreeExponentials(), p, y, s),
        ["Lanczos3"] = (p, y, s) => Create(new ThreeExponentials(), p, y, s),
        ["MGH17"] = (p, y, s) => Create(new Mgh17(), p, y, s),
        ["Kirby2"] = (p, y, s) => Create(new Rational(3, 2), p, y, s),
        ["Hahn1"] = (p, y, s) => Create(new Rational(4, 3), p, y, s),
        ["Thurber"] = (p, y, s) => Create(new Rational(4, 3), p, y, s),
        ["MGH09"] = (p, y, s) => Create(new Mgh09(), p, y, s),
        ["MGH10"] = (p, y, s) => Create(new Mgh10(), p, y, s),
        ["Rat42"] = (p, y, s) => Create(new Rat42(), p, y, s),
        ["Rat43"] = (p, y, s) => Create(new Rat43(), p, y, s),
        ["Eckerle4"] = (p, y, s) => Create(new Eckerle4(), p, y, s),
        ["Bennett5"] = (p, y, s) => Create(new Bennett5(), p, y, s),
    };

    private static IModelSpec Create<TMean>(TMean mean, NistNonlinear problem, double[] y, double[] start)
        where TMean : unmanaged, IMeanFunction<TMean> =>
        NonlinearRegression.Create(mean, problem.Names, y, problem.Predictors, start, problem.Name);

    /// <summary>b1·(1 − exp(−b2·x)) (Misra1a, BoxBOD).</summary>
    public readonly struct ExponentialRise : IMeanFunction<ExponentialRise>
    {
        /// <inheritdoc/>
        public int ParameterCount => 2;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in ExponentialRise mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double e = TRows.Exp(-b.Get(1) * x);
            gradient.Set(0, 1 - e);
            gradient.Set(1, b.Get(0) * x * e);
            return b.Get(0) * (1 - e);
        }
    }

    /// <summary>b1·(1 − (1 + b2·x/2)⁻²) (Misra1b).</summary>
    public readonly struct Misra1b : IMeanFunction<Misra1b>
    {
        /// <inheritdoc/>
        public int ParameterCount => 2;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Misra1b mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double u = 1 + b.Get(1) * x / 2;
            double inverse = 1 / (u * u);
            gradient.Set(0, 1 - inverse);
            gradient.Set(1, b.Get(0) * inverse / u * x);
            return b.Get(0) * (1 - inverse);
        }
    }

    /// <summary>exp(−b1·x)/(b2 + b3·x) (Chwirut1, Chwirut2).</summary>
    public readonly struct Chwirut : IMeanFunction<Chwirut>
    {
        /// <inheritdoc/>
        public int ParameterCount => 3;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Chwirut mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double e = TRows.Exp(-b.Get(0) * x);
            double d = b.Get(1) + b.Get(2) * x;
            double mu = e / d;
            gradient.Set(0, -x * mu);
            gradient.Set(1, -mu / d);
            gradient.Set(2, -mu * x / d);
            return mu;
        }
    }

    /// <summary>b1·x^b2 (DanWood).</summary>
    public readonly struct PowerLaw : IMeanFunction<PowerLaw>
    {
        /// <inheritdoc/>
        public int ParameterCount => 2;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in PowerLaw mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double logX = DeviceMath.Log(data[firstColumn, row]);
            double power = TRows.Exp(b.Get(1) * logX);
            gradient.Set(0, power);
            gradient.Set(1, b.Get(0) * power * logX);
            return b.Get(0) * power;
        }
    }

    /// <summary>b1·exp(−b2·x) + b3·exp(−b4·x) + b5·exp(−b6·x) (Lanczos1-3).</summary>
    public readonly struct ThreeExponentials : IMeanFunction<ThreeExponentials>
    {
        /// <inheritdoc/>
        public int ParameterCount => 6;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in ThreeExponentials mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double mu = 0;
            for (int t = 0; t < 3; t++)
            {
                double e = TRows.Exp(-b.Get(2 * t + 1) * x);
                gradient.Set(2 * t, e);
                gradient.Set(2 * t + 1, -b.Get(2 * t) * x * e);
                mu += b.Get(2 * t) * e;
            }
            return mu;
        }
    }

    /// <summary>b1 + b2·exp(−x·b4) + b3·exp(−x·b5) (MGH17).</summary>
    public readonly struct Mgh17 : IMeanFunction<Mgh17>
    {
        /// <inheritdoc/>
        public int ParameterCount => 5;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Mgh17 mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double e4 = TRows.Exp(-x * b.Get(3)), e5 = TRows.Exp(-x * b.Get(4));
            gradient.Set(0, 1);
            gradient.Set(1, e4);
            gradient.Set(2, e5);
            gradient.Set(3, -x * b.Get(1) * e4);
            gradient.Set(4, -x * b.Get(2) * e5);
            return b.Get(0) + b.Get(1) * e4 + b.Get(2) * e5;
        }
    }

    /// <summary>
    /// A rational function of x: (b1 + b2·x + … ) / (1 + b_{m+1}·x + …), numerator terms m, denominator terms k
    /// (Thurber and Hahn1: 4 and 3; Kirby2: 3 and 2).
    /// </summary>
    public readonly struct Rational(int numerator, int denominator) : IMeanFunction<Rational>
    {
        /// <summary>Terms of the numerator (degree + 1).</summary>
        public int Numerator { get; } = numerator;

        /// <summary>Terms of the denominator besides its constant 1 (its degree).</summary>
        public int Denominator { get; } = denominator;

        /// <inheritdoc/>
        public int ParameterCount => Numerator + Denominator;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Rational mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double n = 0, d = 1, power = 1;
            for (int j = 0; j < mean.Numerator; j++, power *= x)
                n += b.Get(j) * power;
            power = x;
            for (int j = 0; j < mean.Denominator; j++, power *= x)
                d += b.Get(mean.Numerator + j) * power;
            double mu = n / d;
            power = 1;
            for (int j = 0; j < mean.Numerator; j++, power *= x)
                gradient.Set(j, power / d);
            power = x;
            for (int j = 0; j < mean.Denominator; j++, power *= x)
                gradient.Set(mean.Numerator + j, -mu * power / d);
            return mu;
        }
    }

    /// <summary>b1·(x² + x·b2) / (x² + x·b3 + b4) (MGH09).</summary>
    public readonly struct Mgh09 : IMeanFunction<Mgh09>
    {
        /// <inheritdoc/>
        public int ParameterCount => 4;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Mgh09 mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double n = x * x + x * b.Get(1);
            double d = x * x + x * b.Get(2) + b.Get(3);
            double mu = b.Get(0) * n / d;
            gradient.Set(0, n / d);
            gradient.Set(1, b.Get(0) * x / d);
            gradient.Set(2, -mu * x / d);
            gradient.Set(3, -mu / d);
            return mu;
        }
    }

    /// <summary>b1·exp(b2/(x + b3)) (MGH10).</summary>
    public readonly struct Mgh10 : IMeanFunction<Mgh10>
    {
        /// <inheritdoc/>
        public int ParameterCount => 3;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Mgh10 mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double u = 1 / (data[firstColumn, row] + b.Get(2));
            double e = TRows.Exp(b.Get(1) * u);
            double mu = b.Get(0) * e;
            gradient.Set(0, e);
            gradient.Set(1, mu * u);
            gradient.Set(2, -mu * b.Get(1) * u * u);
            return mu;
        }
    }

    /// <summary>b1 / (1 + exp(b2 − b3·x)) (Rat42).</summary>
    public readonly struct Rat42 : IMeanFunction<Rat42>
    {
        /// <inheritdoc/>
        public int ParameterCount => 3;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Rat42 mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double e = TRows.Exp(b.Get(1) - b.Get(2) * x);
            double inverse = 1 / (1 + e);
            double mu = b.Get(0) * inverse;
            gradient.Set(0, inverse);
            gradient.Set(1, -mu * e * inverse);
            gradient.Set(2, mu * e * inverse * x);
            return mu;
        }
    }

    /// <summary>b1 / (1 + exp(b2 − b3·x))^(1/b4) (Rat43).</summary>
    public readonly struct Rat43 : IMeanFunction<Rat43>
    {
        /// <inheritdoc/>
        public int ParameterCount => 4;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Rat43 mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            double e = TRows.Exp(b.Get(1) - b.Get(2) * x);
            double logBase = DeviceMath.Log(1 + e);
            double b4 = b.Get(3);
            double power = TRows.Exp(-logBase / b4);
            double mu = b.Get(0) * power;
            double share = e / (1 + e);
            gradient.Set(0, power);
            gradient.Set(1, -mu * share / b4);
            gradient.Set(2, mu * share * x / b4);
            gradient.Set(3, mu * logBase / (b4 * b4));
            return mu;
        }
    }

    /// <summary>(b1/b2)·exp(−½((x − b3)/b2)²) (Eckerle4).</summary>
    public readonly struct Eckerle4 : IMeanFunction<Eckerle4>
    {
        /// <inheritdoc/>
        public int ParameterCount => 3;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Eckerle4 mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double b2 = b.Get(1);
            double z = (data[firstColumn, row] - b.Get(2)) / b2;
            double e = TRows.Exp(-0.5 * z * z);
            double mu = b.Get(0) / b2 * e;
            gradient.Set(0, e / b2);
            gradient.Set(1, mu * (z * z - 1) / b2);
            gradient.Set(2, mu * z / b2);
            return mu;
        }
    }

    /// <summary>b1·(b2 + x)^(−1/b3) (Bennett5).</summary>
    public readonly struct Bennett5 : IMeanFunction<Bennett5>
    {
        /// <inheritdoc/>
        public int ParameterCount => 3;

        /// <inheritdoc/>
        public int ColumnCount => 1;

        /// <inheritdoc/>
        public static double Evaluate<TVec, TRows>(in Bennett5 mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double u = b.Get(1) + data[firstColumn, row];
            double logU = DeviceMath.Log(u);
            double b3 = b.Get(2);
            double power = TRows.Exp(-logU / b3);
            double mu = b.Get(0) * power;
            gradient.Set(0, power);
            gradient.Set(1, -mu / (b3 * u));
            gradient.Set(2, mu * logU / (b3 * b3));
            return mu;
        }
    }
}
