using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gitops.Engine.Desired;

/// <summary>
/// The hash of a normalized spec (DESIGN §3 rule 4): equal specs give equal fingerprints on every
/// machine, because maps serialize in key order and the JSON options are fixed here.
/// </summary>
public static class Fingerprint
{
    internal static readonly JsonSerializerOptions Canonical = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Of(ServiceSpec spec) => Hash(JsonSerializer.Serialize(spec, Canonical));

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
