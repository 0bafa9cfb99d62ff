using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Azure.Core;
using Gitops.Engine.Targets;
using Microsoft.Extensions.Logging;

namespace Gitops.Providers.Azure.Api;

/// <summary>
/// JSON over HTTPS to Azure Resource Manager, each request with <c>Authorization: Bearer</c> from the
/// target's <see cref="TokenCredential"/> for <see cref="Scope"/>. 429 (waiting what <c>Retry-After</c>
/// says, at least the backoff) and 5xx are retried with the platform's jittered backoff
/// (<see cref="Retry.Backoff"/>). A URL ARM hands back (an async operation's) is followed only on the
/// endpoint's own host, so the token goes nowhere else; nothing here logs or throws a header.
/// </summary>
public sealed partial class ArmTransport : IDisposable
{
    public const int Attempts = 6;

    public const string Scope = "https://management.azure.com/.default";

    /// <summary>The longest <c>Retry-After</c> honoured: a longer one fails the call (the next apply tries again).</summary>
    private static readonly TimeSpan MostRetryAfter = TimeSpan.FromSeconds(30);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TokenCredential _credential;
    private readonly ILogger _log;

    /// <param name="inner">The handler requests go through (tests record or fault them there); null: sockets.</param>
    public ArmTransport(Uri endpoint, TokenCredential credential, ILogger log, HttpMessageHandler? inner = null)
    {
        _endpoint = endpoint;
        _http = new HttpClient(inner ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(60) };
        _credential = credential;
        _log = log;
    }

    /// <summary>One call, retried while it fails transiently.</summary>
    public async Task<ArmResponse> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken, (string Header, string Value)? precondition = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(method, path, body, precondition, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < Attempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                var wait = Retry.Backoff(attempt);
                if (e is ArmApiException { RetryAfter: { } asked } && asked > wait)
                {
                    wait = asked < MostRetryAfter ? asked : MostRetryAfter;
                }

                Log.Retrying(_log, method.Method, path, attempt, (long)wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The answer's JSON as <typeparamref name="T"/>, or null for an empty body.</summary>
    public async Task<T?> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var response = await SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        return response.As<T>();
    }

    public static bool IsTransient(Exception e) => e switch
    {
        ArmApiException api => api.Transient,
        HttpRequestException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    /// <summary>The path of a URL ARM answered with, when it is on the endpoint's host; else refused (the token stays home).</summary>
    public string Local(string url)
    {
        var uri = new Uri(_endpoint, url);
        return uri.GetLeftPart(UriPartial.Authority) == _endpoint.GetLeftPart(UriPartial.Authority)
            ? uri.PathAndQuery
            : throw new TargetRefusedException($"azure answered with an operation URL on another host ({uri.Host}); it was not followed");
    }

    private async Task<ArmResponse> SendOnceAsync(HttpMethod method, string path, object? body, (string Header, string Value)? precondition, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");
        }

        if (precondition is { } given)
        {
            request.Headers.TryAddWithoutValidation(given.Header, given.Value);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(cancellationToken).ConfigureAwait(false));
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var milliseconds = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Log.Called(_log, method.Method, path, (int)response.StatusCode, milliseconds);
        if (!response.IsSuccessStatusCode)
        {
            throw Error(method, path, response, text);
        }

        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        return new ArmResponse((int)response.StatusCode, text, Header("Azure-AsyncOperation"), response.Headers.Location?.ToString(), response.Headers.ETag?.ToString() ?? Header("ETag"));
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken).ConfigureAwait(false)).Token;
        }
        catch (global::Azure.Identity.CredentialUnavailableException e)
        {
            throw new TargetUnavailableException($"containerapps target: no Azure credentials (store a service principal with paas target credentials NAME, or sign in with az login, a managed identity or AZURE_* variables): {e.Message}", e);
        }
        catch (global::Azure.Identity.AuthenticationFailedException e)
        {
            // Entra's own words (MSAL's, under Azure.Identity's: an AADSTS code and its description); the request that carried the secret is not part of them.
            throw new TargetRefusedException($"containerapps target: Microsoft Entra refused a token: {(e.InnerException ?? e).Message}", e);
        }
    }

    private static ArmApiException Error(HttpMethod method, string path, HttpResponseMessage response, string text)
    {
        var error = CloudErrorAnswer.ErrorOf(text);
        var retryAfter = CloudErrorAnswer.RetryAfter(response);
        var code = (string?)error?["code"] ?? response.StatusCode.ToString();
        var message = (string?)error?["message"] ?? ((int)response.StatusCode >= 500 ? "the server failed" : "refused");
        return new ArmApiException(method.Method, path, response.StatusCode, code, message, retryAfter);
    }

    public void Dispose() => _http.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "azure {Method} {Path}: HTTP {Status} in {Milliseconds} ms")]
        public static partial void Called(ILogger logger, string method, string path, int status, long milliseconds);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "azure {Method} {Path}: attempt {Attempt} failed transiently; retrying in {Milliseconds} ms")]
        public static partial void Retrying(ILogger logger, string method, string path, int attempt, long milliseconds);
    }
}

/// <summary>An answer: its status, body and the headers ARM's long-running operations and concurrency use.</summary>
public sealed record ArmResponse(int Status, string Body, string? AsyncOperation, string? Location, string? ETag)
{
    public T? As<T>() => Body.Length == 0 ? default : JsonSerializer.Deserialize<T>(Body, ArmTransport.Json);
}
