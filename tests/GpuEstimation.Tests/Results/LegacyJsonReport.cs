using System.Text.Json;
using GpuEstimation.Estimation;

namespace GpuEstimation.Tests.Results;

/// <summary>
/// The JSON contract of <c>gpuest fit</c> and <c>gpuest eval</c>. Fields may be added; none is ever renamed.
/// </summary>
internal static class LegacyJsonReport
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    /// <summary>
    /// A fit: model, method, device, n, parameters (estimate, fixed, stdError, z, pValue, interval, profileInterval),
    /// logLikelihood, logPosterior (MAP only), aic, bic, covariance, the convergence fields and diagnostics, timing.
    /// </summary>
    public static string Fit(FitResult fit, double? fitMs = null) => Write(w =>
    {
        w.WriteString("model", fit.Model);
        w.WriteString("method", fit.Method);
        w.WriteString("device", fit.Device);
        w.WriteNumber("n", fit.N);
        w.WriteNumber("level", fit.Level);
        w.WriteStartArray("parameters");
        foreach (var p in fit.Parameters)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            WriteNumber(w, "estimate", p.Estimate);
            w.WriteBoolean("fixed", p.Fixed);
            WriteNumber(w, "stdError", p.StdError);
            WriteNumber(w, "z", p.Z);
            WriteNumber(w, "pValue", p.PValue);
            WriteInterval(w, "interval", p.Wald);
            WriteInterval(w, "profileInterval", p.Profile);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteNumber(w, "logLikelihood", fit.LogLikelihood);
        if (fit.LogPosterior is { } logPosterior)
            WriteNumber(w, "logPosterior", logPosterior);
        w.WriteNumber("k", fit.FreeParameters);
        WriteNumber(w, "aic", fit.Aic);
        WriteNumber(w, "bic", fit.Bic);
        if (fit.Covariance is { } covariance)
        {
            w.WriteStartArray("covariance");
            for (int i = 0; i < covariance.GetLength(0); i++)
            {
                w.WriteStartArray();
                for (int j = 0; j < covariance.GetLength(1); j++)
                    WriteNumber(w, null, covariance[i, j]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("covariance");
        }
        var d = fit.Diagnostics;
        // The convergence fields stand at the top level (the engine-core contract) and again in diagnostics.
        WriteConvergence(w, d);
        w.WriteString("optimizer", fit.Optimizer);
        w.WriteStartObject("diagnostics");
        WriteConvergence(w, d);
        w.WriteString("hessian", d.Hessian);
        w.WriteStartArray("atBound");
        foreach (var name in d.AtBound)
            w.WriteStringValue(name);
        w.WriteEndArray();
        w.WriteStartArray("notes");
        foreach (var note in d.Notes)
            w.WriteStringValue(note);
        w.WriteEndArray();
        w.WriteEndObject();
        WriteNumber(w, "elapsedMs", fit.ElapsedMs);
        if (fitMs is { } ms)
            WriteNumber(w, "fitMs", ms);
    });

    private static void WriteConvergence(Utf8JsonWriter w, Diagnostics d)
    {
        w.WriteBoolean("converged", d.Converged);
        w.WriteString("reason", d.Reason);
        w.WriteNumber("iterations", d.Iterations);
        w.WriteNumber("evaluations", d.Evaluations);
        WriteNumber(w, "gradientNorm", d.GradientNorm);
        WriteNumber(w, "edm", d.Edm);
    }

    private static void WriteInterval(Utf8JsonWriter w, string name, Interval? interval)
    {
        if (interval is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartArray(name);
        WriteNumber(w, null, interval.Lower);
        WriteNumber(w, null, interval.Upper);
        w.WriteEndArray();
    }

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

    // JSON has no NaN or infinity: those (and absent values) are written as null rather than as an invalid document.
    internal static void WriteNumber(Utf8JsonWriter w, string? name, double? value)
    {
        if (name is not null)
            w.WritePropertyName(name);
        if (value is { } v && double.IsFinite(v))
            w.WriteNumberValue(v);
        else
            w.WriteNullValue();
    }

    /// <summary>One JSON object written by <paramref name="body"/>, as text.</summary>
    internal static string Write(Action<Utf8JsonWriter> body)
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
