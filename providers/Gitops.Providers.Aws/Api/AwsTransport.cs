using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Gitops.Engine.Targets;
using Microsoft.Extensions.Logging;

namespace Gitops.Providers.Aws.Api;

/// <summary>
/// Calls AWS APIs over HttpClient, each request signed by AWSSDK.Core's SigV4 handler (payload
/// signed too): the JSON 1.1 protocol (ECS, Application Auto Scaling, CloudWatch Logs: a POST with
/// <c>X-Amz-Target</c>) and the Query protocol (ELBv2: a form POST answered in XML). Throttling,
/// 429 and 5xx are retried with the platform's jittered backoff (<see cref="Retry"/>). The
/// credentials live only inside the signer; nothing here logs or throws a header.
/// </summary>
public sealed partial class AwsTransport : IDisposable
{
    private readonly Dictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly AWSCredentials _credentials;
    private readonly RegionEndpoint _region;
    private readonly Uri? _endpoint;
    private readonly Func<HttpMessageHandler> _inner;
    private readonly ILogger _log;
    private readonly Lock _lock = new();

    /// <param name="endpoint">One base URL for every service (moto); null: AWS's regional endpoints.</param>
    /// <param name="inner">The handler under the signer (tests record what goes on the wire there).</param>
    public AwsTransport(AWSCredentials credentials, string region, Uri? endpoint, ILogger log, Func<HttpMessageHandler>? inner = null)
    {
        _credentials = credentials;
        _region = RegionEndpoint.GetBySystemName(region);
        _endpoint = endpoint;
        _inner = inner ?? (() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        _log = log;
    }

    public string Region => _region.SystemName;

    /// <summary>A JSON 1.1 call: <paramref name="target"/> is the <c>X-Amz-Target</c> prefix (<c>AmazonEC2ContainerServiceV20141113</c>).</summary>
    public Task<JsonObject> JsonAsync(string service, string target, string action, JsonObject body, CancellationToken cancellationToken) =>
        Retry.RunAsync(t => JsonOnceAsync(service, target, action, body, t), IsTransient, cancellationToken, attempts: 6);

    /// <summary>A Query call (<c>Action=…&amp;Version=…</c>): the XML answer's root element.</summary>
    public Task<XElement> QueryAsync(string service, string version, string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken) =>
        Retry.RunAsync(t => QueryOnceAsync(service, version, action, parameters, t), IsTransient, cancellationToken, attempts: 6);

    /// <summary>
    /// A REST-JSON call (EventBridge Scheduler): the verb and path name the action, the body is JSON
    /// (none for GET and DELETE), the answer is JSON; an error names itself in the
    /// <c>X-Amzn-ErrorType</c> header or the body's <c>__type</c>.
    /// </summary>
    public Task<JsonObject> RestJsonAsync(string service, HttpMethod method, string pathAndQuery, JsonObject? body, CancellationToken cancellationToken) =>
        Retry.RunAsync(t => RestJsonOnceAsync(service, method, pathAndQuery, body, t), IsTransient, cancellationToken, attempts: 6);

    public static bool IsTransient(Exception e) => e switch
    {
        AwsApiException api => api.Transient,
        HttpRequestException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    private async Task<JsonObject> JsonOnceAsync(string service, string target, string action, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BaseUri(service))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"{target}.{action}");
        var (status, text) = await SendAsync(service, action, request, cancellationToken).ConfigureAwait(false);
        var parsed = text.Length == 0 ? null : TryParse(text);
        if ((int)status >= 300)
        {
            var code = ((string?)parsed?["__type"] ?? ((int)status >= 500 ? "ServerError" : "UnknownError")).Split('#').Last();
            var message = (string?)parsed?["message"] ?? (string?)parsed?["Message"] ?? status.ToString();
            throw new AwsApiException(service, action, status, code, message);
        }

        return parsed ?? [];
    }

    private async Task<JsonObject> RestJsonOnceAsync(string service, HttpMethod method, string pathAndQuery, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUri(service), pathAndQuery.TrimStart('/')));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        var action = $"{method.Method} {pathAndQuery.Split('?')[0]}";
        var (status, text, errorType) = await SendWithErrorTypeAsync(service, action, request, cancellationToken).ConfigureAwait(false);
        var parsed = text.Length == 0 ? null : TryParse(text);
        if ((int)status >= 300)
        {
            var code = (errorType ?? (string?)parsed?["__type"] ?? ((int)status >= 500 ? "ServerError" : "UnknownError")).Split(':')[0].Split('#').Last();
            var message = (string?)parsed?["Message"] ?? (string?)parsed?["message"] ?? status.ToString();
            throw new AwsApiException(service, action, status, code, message);
        }

        return parsed ?? [];
    }

    private async Task<(HttpStatusCode Status, string Text, string? ErrorType)> SendWithErrorTypeAsync(string service, string action, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await Client(service).SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var milliseconds = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Log.Called(_log, service, action, (int)response.StatusCode, milliseconds);
        var errorType = response.Headers.TryGetValues("X-Amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        return (response.StatusCode, text, errorType);
    }

    private async Task<XElement> QueryOnceAsync(string service, string version, string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", version) };
        form.AddRange(parameters);
        using var request = new HttpRequestMessage(HttpMethod.Post, BaseUri(service)) { Content = new FormUrlEncodedContent(form) };
        var (status, text) = await SendAsync(service, action, request, cancellationToken).ConfigureAwait(false);
        XElement? root = null;
        try
        {
            root = text.Length == 0 ? null : XElement.Parse(text);
        }
        catch (System.Xml.XmlException)
        {
            // A proxy's HTML page: reported by its status below.
        }

        if ((int)status >= 300 || root is null)
        {
            var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? ((int)status >= 500 ? "ServerError" : "UnknownError");
            var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? status.ToString();
            throw new AwsApiException(service, action, status, code, message);
        }

        return root;
    }

    private async Task<(HttpStatusCode Status, string Text)> SendAsync(string service, string action, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await Client(service).SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var milliseconds = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Log.Called(_log, service, action, (int)response.StatusCode, milliseconds);
        return (response.StatusCode, text);
    }

    private Uri BaseUri(string service) => _endpoint ?? new Uri($"https://{service}.{_region.SystemName}.amazonaws.com/");

    /// <summary>One signing client per service: the signature's scope names the service (moto routes by it too).</summary>
    private HttpClient Client(string service)
    {
        lock (_lock)
        {
            if (!_clients.TryGetValue(service, out var client))
            {
                var signer = new SigV4SigningHandler(new AWSSigV4Parameters { Credentials = _credentials, Region = _region, Service = service, SignPayload = true }, _inner());
                client = new HttpClient(signer) { Timeout = TimeSpan.FromSeconds(60) };
                _clients[service] = client;
            }

            return client;
        }
    }

    private static JsonObject? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }

            _clients.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "aws {Service} {Action}: HTTP {Status} in {Milliseconds} ms")]
        public static partial void Called(ILogger logger, string service, string action, int status, long milliseconds);
    }
}
