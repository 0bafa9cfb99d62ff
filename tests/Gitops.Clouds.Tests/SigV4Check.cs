using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Recomputes a recorded request's SigV4 signature from the secret key (AWS's documented algorithm:
/// canonical request, string to sign, HMAC key chain), so a test proves the key went into the
/// signature, and nowhere else, independently of AWSSDK.Core's signer. moto checks no signature.
/// </summary>
internal static partial class SigV4Check
{
    public static Match Parse(string authorization) => Authorization().Match(authorization);

    /// <summary>The signature the request's Authorization header should carry when signed with <paramref name="secretAccessKey"/>.</summary>
    public static string Expected(RecordedExchange exchange, string secretAccessKey)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var header = Parse(exchange.Headers["Authorization"]);
        var (date, region, service) = (header.Groups["date"].Value, header.Groups["region"].Value, header.Groups["service"].Value);
        var signed = header.Groups["signed"].Value.Split(';');
        var canonicalHeaders = string.Concat(signed.Select(name => $"{name}:{Value(exchange, name)}\n"));
        var canonicalRequest = string.Join('\n',
            exchange.Method,
            exchange.Uri.AbsolutePath,
            exchange.Uri.Query.TrimStart('?'),
            canonicalHeaders,
            header.Groups["signed"].Value,
            exchange.Headers["X-Amz-Content-SHA256"]);
        var amzDate = exchange.Headers["X-Amz-Date"];
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
    }

    private static string Value(RecordedExchange exchange, string name) =>
        name == "host" && !exchange.Headers.ContainsKey("Host") ? exchange.Uri.Authority
        : string.Join(' ', exchange.Headers[name].Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?<signed>[a-z0-9;-]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex Authorization();
}
