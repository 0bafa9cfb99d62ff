using System.Net.Sockets;
using System.Text.Json;

namespace Gitops.Providers.Docker;

/// <summary>
/// Raw calls to an engine's API over its Unix socket, for what Docker.DotNet's parameters cannot
/// say (Podman's build namespaces, its TLS switch for a loopback registry) and for streams whose
/// error arrives inside a 200 answer.
/// </summary>
internal static class EngineHttp
{
    public static HttpClient Create(string socket) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, token) =>
        {
            var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket), token).ConfigureAwait(false);
                return new NetworkStream(connection, ownsSocket: true);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        },
    })
    { Timeout = Timeout.InfiniteTimeSpan, BaseAddress = new Uri("http://engine") };

    public static string Query(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>
    /// Reads a streamed answer (one JSON object after another) and hands each object to
    /// <paramref name="message"/>. A refused request's error comes in its body, a failure on the way
    /// in the stream: either is returned, in the engine's own words.
    /// </summary>
    /// <returns>What went wrong, or null.</returns>
    public static async Task<string?> ReadStreamAsync(HttpResponseMessage response, Action<JsonElement> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(message);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return $"the engine answered {(int)response.StatusCode}: {ErrorText(body)}";
        }

        string? error = null;
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var item in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(stream, topLevelValues: true, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            message(item);
            if (item.TryGetProperty("error", out var failure) && failure.ValueKind == JsonValueKind.String && failure.GetString() is { Length: > 0 } reason)
            {
                error = reason.Trim();
            }
        }

        return error;
    }

    /// <summary>The <c>message</c> of an engine's JSON error body, or the body itself.</summary>
    private static string ErrorText(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("message", out var text) && text.GetString() is { } message)
            {
                return message.Trim();
            }
        }
        catch (JsonException)
        {
        }

        return body.Trim();
    }
}
