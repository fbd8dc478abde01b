using System.Text;
using System.Text.Json;

namespace GpuEstimation.Mixtures;

/// <summary>
/// The JSON of a Gaussian-mixture fit: model, covariance, device, n, d, logLikelihood, k, aic, bic, converged,
/// iterations, starts (each start's log-likelihood), the flat <c>parameters</c> list (name, estimate, stdError) and
/// <c>components: [{ weight, weightStdError, mean, meanStdError, covariance, covarianceStdError }]</c>, notes, and fitMs where timed.
/// Missing standard errors are null, never NaN.
/// </summary>
public static class GaussianMixtureJson
{
    /// <summary>The fit as JSON text.</summary>
    public static string Write(GaussianMixtureResult fit, double? fitMs = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = GpuEstimation.Results.ReportJsonContext.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("model", "gaussian-mixture");
            json.WriteString("covariance", fit.Covariance.ToString().ToLowerInvariant());
            json.WriteString("device", fit.Device);
            json.WriteNumber("n", fit.Rows);
            json.WriteNumber("d", fit.Columns.Count);
            json.WriteNumber("K", fit.Components.Count);
            json.WriteStartArray("columns");
            foreach (var column in fit.Columns)
                json.WriteStringValue(column);
            json.WriteEndArray();
            Number(json, "logLikelihood", fit.LogLikelihood);
            json.WriteNumber("k", fit.FreeParameters);
            Number(json, "aic", fit.Aic);
            Number(json, "bic", fit.Bic);
            json.WriteBoolean("converged", fit.Converged);
            json.WriteNumber("iterations", fit.Iterations);
            Number(json, "regularization", fit.Regularization);
            json.WriteStartArray("starts");
            foreach (var log in fit.StartLogLikelihoods)
                NumberValue(json, log);
            json.WriteEndArray();
            json.WriteStartArray("parameters");
            foreach (var (name, estimate, stdError) in fit.Parameters())
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                Number(json, "estimate", estimate);
                Number(json, "stdError", stdError);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("components");
            foreach (var component in fit.Components)
            {
                json.WriteStartObject();
                Number(json, "weight", component.Weight);
                Number(json, "weightStdError", component.WeightStdError);
                Array(json, "mean", component.Mean);
                if (component.MeanStdError is { } se)
                    Array(json, "meanStdError", se);
                else
                    json.WriteNull("meanStdError");
                Matrix(json, "covariance", component.Covariance);
                if (component.CovarianceStdError is { } covarianceSe)
                    Matrix(json, "covarianceStdError", covarianceSe);
                else
                    json.WriteNull("covarianceStdError");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in fit.Notes)
                json.WriteStringValue(note);
            json.WriteEndArray();
            if (fitMs is { } ms)
                json.WriteNumber("fitMs", ms);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Array(Utf8JsonWriter json, string name, double[] values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            NumberValue(json, value);
        json.WriteEndArray();
    }

    private static void Matrix(Utf8JsonWriter json, string name, double[][] rows)
    {
        json.WriteStartArray(name);
        foreach (var row in rows)
        {
            json.WriteStartArray();
            foreach (var value in row)
                NumberValue(json, value);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        json.WritePropertyName(name);
        NumberValue(json, value);
    }

    private static void NumberValue(Utf8JsonWriter json, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            json.WriteNumberValue(v);
        else
            json.WriteNullValue();
    }
}
