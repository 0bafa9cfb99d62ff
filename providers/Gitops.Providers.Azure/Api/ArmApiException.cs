using System.Net;

namespace Gitops.Providers.Azure.Api;

/// <summary>
/// Azure Resource Manager's error answer (<c>{"error":{"code","message"}}</c>): the HTTP status, ARM's
/// code (<c>ResourceNotFound</c>, <c>PreconditionFailed</c>, …) and its message. Never the request:
/// no header or token can reach it.
/// </summary>
public sealed class ArmApiException(string method, string path, HttpStatusCode status, string code, string message, TimeSpan? retryAfter = null)
    : Exception($"azure {method} {path}: {code}: {message} (HTTP {(int)status})")
{
    public HttpStatusCode Status => status;

    public string Code => code;

    /// <summary>What a 429 or 503 asked the caller to wait (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter => retryAfter;

    /// <summary>Throttling and server-side failures pass: retried with jittered backoff.</summary>
    public bool Transient => (int)status is 429 or >= 500;

    /// <summary>Another writer changed the app first (its etag no longer matches If-Match): read it again and retry.</summary>
    public bool Conflict => status is HttpStatusCode.PreconditionFailed || (status is HttpStatusCode.Conflict && code is "PreconditionFailed" or "Conflict");
}
