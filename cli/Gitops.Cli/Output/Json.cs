using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gitops.Cli.Output;

internal static class Json
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write(CliConsole console, object value) =>
        console.Raw.WriteLine(JsonSerializer.Serialize(value, Options));
}
