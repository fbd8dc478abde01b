using System.Text.Json;
using GpuEstimation.Estimation;

namespace GpuEstimation.Results;

/// <summary>
/// The JSON contract of <c>gpuest fit</c> and <c>gpuest eval</c>. Fields may be added; none is ever renamed.
/// </summary>
public static class JsonReport
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    /// <summary>A fit: model, method, device, n, parameters, logLikelihood, logPosterior (MAP only), convergence, timing.</summary>
    public static string Fit(FitResult fit) => Write(w =>
    {
        w.WriteString("model", fit.Model);
        w.WriteString("method", fit.Method);
        w.WriteString("device", fit.Device);
        w.WriteNumber("n", fit.N);
        w.WriteStartArray("parameters");
        foreach (var p in fit.Parameters)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            WriteNumber(w, "estimate", p.Estimate);
            w.WriteBoolean("fixed", p.Fixed);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteNumber(w, "logLikelihood", fit.LogLikelihood);
        if (fit.LogPosterior is { } logPosterior)
            WriteNumber(w, "logPosterior", logPosterior);
        w.WriteBoolean("converged", fit.Converged);
        w.WriteString("reason", fit.Reason);
        w.WriteString("optimizer", fit.Optimizer);
        w.WriteNumber("iterations", fit.Iterations);
        w.WriteNumber("evaluations", fit.Evaluations);
        WriteNumber(w, "gradientNorm", fit.GradientNorm);
        WriteNumber(w, "edm", fit.Edm);
        WriteNumber(w, "elapsedMs", fit.ElapsedMs);
    });

    /// <summary>An evaluation: the point, logLikelihood, gradient (one entry per parameter) and evalMs where timed.</summary>
    public static string Evaluation(string model, Evaluation evaluation, double? evalMs) => Write(w =>
    {
        w.WriteString("model", model);
        w.WriteString("device", evaluation.Device);
        w.WriteNumber("n", evaluation.N);
        w.WriteStartArray("at");
        for (int k = 0; k < evaluation.Names.Count; k++)
            WriteNamed(w, evaluation.Names[k], evaluation.At[k]);
        w.WriteEndArray();
        WriteNumber(w, "logLikelihood", evaluation.LogLikelihood);
        w.WriteStartArray("gradient");
        for (int k = 0; k < evaluation.Names.Count; k++)
            WriteNamed(w, evaluation.Names[k], evaluation.Gradient[k]);
        w.WriteEndArray();
        if (evalMs is { } ms)
            WriteNumber(w, "evalMs", ms);
    });

    private static void WriteNamed(Utf8JsonWriter w, string name, double value)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        WriteNumber(w, "value", value);
        w.WriteEndObject();
    }

    // JSON has no NaN or infinity: those are written as null rather than as an invalid document.
    private static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
            w.WriteNumber(name, value);
        else
            w.WriteNull(name);
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
