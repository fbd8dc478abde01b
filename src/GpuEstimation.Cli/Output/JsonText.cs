using System.Text.Encodings.Web;
using System.Text.Json;

namespace GpuEstimation.Cli.Output;

/// <summary>
/// How the command line writes the JSON documents it builds itself: indented, escaping only what JSON requires, as the
/// library's reports do, so a note's 'x' reads as written rather than as \u0027x\u0027.
/// </summary>
internal static class JsonText
{
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
