using System.Net;

namespace Gitops.Providers.Aws.Api;

/// <summary>
/// An AWS API's error answer: its HTTP status, its error code (<c>ServiceNotFoundException</c>,
/// <c>TargetGroupNotFound</c>) and message. The message is AWS's, never the request: no header,
/// signature or key can reach it.
/// </summary>
public sealed class AwsApiException(string service, string action, HttpStatusCode status, string code, string message)
    : Exception($"aws {service} {action}: {code}: {message} (HTTP {(int)status})")
{
    public string Service => service;

    public string Action => action;

    public HttpStatusCode Status => status;

    public string Code => code;

    /// <summary>Throttling and server-side failures pass: the call is retried with jittered backoff (Retry.cs).</summary>
    public bool Transient =>
        (int)status is 429 or >= 500
        || code is "ThrottlingException" or "Throttling" or "TooManyRequestsException" or "RequestLimitExceeded" or "ServiceUnavailable" or "ServerException" or "ConcurrentUpdateException";
}
