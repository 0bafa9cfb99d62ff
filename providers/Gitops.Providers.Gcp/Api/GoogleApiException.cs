using System.Net;

namespace Gitops.Providers.Gcp.Api;

/// <summary>
/// A Google API's error answer (<c>{"error":{"code","message","status"}}</c>): the HTTP status, the
/// canonical status (<c>NOT_FOUND</c>, <c>ALREADY_EXISTS</c>, <c>ABORTED</c>) and Google's message.
/// Never the request: no header, token or key can reach it.
/// </summary>
public sealed class GoogleApiException(string method, string path, HttpStatusCode status, string code, string message, TimeSpan? retryAfter = null)
    : Exception($"cloud run {method} {path}: {code}: {message} (HTTP {(int)status})")
{
    public HttpStatusCode Status => status;

    public string Code => code;

    /// <summary>What a 429 or 503 asked the caller to wait (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter => retryAfter;

    /// <summary>Quota exhaustion and server-side failures pass: retried with jittered backoff.</summary>
    public bool Transient => (int)status is 429 or >= 500;

    /// <summary>Another writer changed the object first (etag mismatch): read it again and retry.</summary>
    public bool Conflict => status == HttpStatusCode.PreconditionFailed || (status == HttpStatusCode.Conflict && code is "ABORTED" or "FAILED_PRECONDITION");
}
