// What a user of the GpuEstimation package writes: a catalogue fit and a model struct of their own, each checked
// against its closed form. Exit 0 when both agree to 1e-9 (relative), 1 otherwise.
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Models;

var random = new Random(7);
var x = Enumerable.Range(0, 20_000).Select(_ => -Math.Log(1.0 - random.NextDouble()) / 2.5).ToArray();
using var device = ComputeDevice.Open(Backend.Native);

// The catalogue: a normal fit's MLE is the mean and the root mean square deviation.
using var normal = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), device);
var fit = normal.Fit(new FitOptions());
double mean = x.Average(), sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);

// A model struct of the user's own: exponential(rate), whose MLE is n / Σx.
var spec = new ModelSpec<RateModel>("rate", new RateModel(), [x], [new ParameterInfo("rate", ParameterDomain.Positive)], start: [1.0]);
using var custom = new EstimationSession(spec, device);
var rate = custom.Fit(new FitOptions());
double closedForm = x.Length / x.Sum();

bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Abs(b);
Console.WriteLine($"normal: mu {fit["mu"]:R} (mean {mean:R}), sigma {fit["sigma"]:R} (rms {sd:R}); custom: rate {rate["rate"]:R} (n/sum {closedForm:R})");
bool ok = fit.Converged && rate.Converged && Close(fit["mu"], mean) && Close(fit["sigma"], sd) && Close(rate["rate"], closedForm);
Console.WriteLine(ok ? "consumer: OK" : "consumer: WRONG");
return ok ? 0 : 1;

/// <summary>Exponential(rate λ): log f = log λ − λx, ∂/∂λ = 1/λ − x.</summary>
public readonly struct RateModel : ILikelihoodModel<RateModel>
{
    public int ParameterCount => 1;

    public int ColumnCount => 1;

    public static void Prepare(in RateModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        arguments[0] = parameters[0];
        arguments[1] = Math.Log(parameters[0]);
    }

    public static void Accumulate<TVec, TRows>(in RateModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double v = data[0, row];
        terms.Add(0, arguments.Get(1) - arguments.Get(0) * v);
        terms.Add(1, 1.0 / arguments.Get(0) - v);
    }
}
