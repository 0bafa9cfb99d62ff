using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gitops.Engine.Targets;
using Microsoft.Extensions.Logging;

namespace Gitops.Providers.Gcp.Api;

/// <summary>
/// JSON over HTTPS to the Cloud Run Admin API, each request with <c>Authorization: Bearer</c> from
/// <see cref="GoogleAccessTokens"/>. 429 (waiting what <c>Retry-After</c> says, at least the backoff)
/// and 5xx are retried with the platform's jittered backoff (<see cref="Retry.Backoff"/>); nothing
/// here logs or throws a header.
/// </summary>
public sealed partial class CloudRunTransport : IDisposable
{
    public const int Attempts = 6;

    /// <summary>The longest <c>Retry-After</c> honoured: a longer one fails the call (the next apply tries again).</summary>
    private static readonly TimeSpan MostRetryAfter = TimeSpan.FromSeconds(30);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly GoogleAccessTokens _tokens;
    private readonly ILogger _log;

    /// <param name="inner">The handler requests go through (tests record or fault them there); null: sockets.</param>
    public CloudRunTransport(Uri endpoint, GoogleAccessTokens tokens, ILogger log, HttpMessageHandler? inner = null)
    {
        _http = new HttpClient(inner ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(60) };
        _tokens = tokens;
        _log = log;
    }

    /// <summary>One call, retried while it fails transiently; the answer's JSON, or null for an empty body.</summary>
    public async Task<T?> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var text = await SendOnceAsync(method, path, body, cancellationToken).ConfigureAwait(false);
                return text.Length == 0 ? default : JsonSerializer.Deserialize<T>(text, Json);
            }
            catch (Exception e) when (attempt < Attempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                var wait = Retry.Backoff(attempt);
                if (e is GoogleApiException { RetryAfter: { } asked } && asked > wait)
                {
                    wait = asked < MostRetryAfter ? asked : MostRetryAfter;
                }

                Log.Retrying(_log, method.Method, path, attempt, (long)wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static bool IsTransient(Exception e) => e switch
    {
        GoogleApiException api => api.Transient,
        HttpRequestException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    private async Task<string> SendOnceAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetAsync(cancellationToken).ConfigureAwait(false));
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var milliseconds = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Log.Called(_log, method.Method, path, (int)response.StatusCode, milliseconds);
        if (!response.IsSuccessStatusCode)
        {
            throw Error(method, path, response, text);
        }

        return text;
    }

    private static GoogleApiException Error(HttpMethod method, string path, HttpResponseMessage response, string text)
    {
        var error = CloudErrorAnswer.ErrorOf(text);
        var retryAfter = CloudErrorAnswer.RetryAfter(response);
        var code = (string?)error?["status"] ?? response.StatusCode.ToString();
        var message = (string?)error?["message"] ?? ((int)response.StatusCode >= 500 ? "the server failed" : "refused");
        return new GoogleApiException(method.Method, path, response.StatusCode, code, message, retryAfter);
    }

    public void Dispose() => _http.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "cloud run {Method} {Path}: HTTP {Status} in {Milliseconds} ms")]
        public static partial void Called(ILogger logger, string method, string path, int status, long milliseconds);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "cloud run {Method} {Path}: attempt {Attempt} failed transiently; retrying in {Milliseconds} ms")]
        public static partial void Retrying(ILogger logger, string method, string path, int attempt, long milliseconds);
    }
}
