using System.Net;
using System.Text.Json.Nodes;

namespace Gitops.Providers.Kubernetes;

/// <summary>The API server answered with an error (a <c>metav1.Status</c>): its code, reason, message and causes.</summary>
public sealed class KubeApiException(HttpStatusCode status, string reason, string message, IReadOnlyList<KubeCause> causes)
    : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary><c>NotFound</c>, <c>AlreadyExists</c>, <c>Conflict</c>, <c>Invalid</c>, …</summary>
    public string Reason { get; } = reason;

    public IReadOnlyList<KubeCause> Causes { get; } = causes;

    /// <summary>Overload, a restarting server, a proxy's hiccup: worth another try.</summary>
    public bool Transient => Status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    public static KubeApiException From(HttpStatusCode status, string body)
    {
        JsonNode? node = null;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status (a proxy's page): the code says enough.
        }

        var causes = (node?["details"]?["causes"] as JsonArray ?? [])
            .Select(c => new KubeCause((string?)c?["reason"] ?? "", (string?)c?["field"] ?? "", (string?)c?["message"] ?? ""))
            .ToList();
        var message = (string?)node?["message"] ?? $"HTTP {(int)status}";
        return new KubeApiException(status, (string?)node?["reason"] ?? status.ToString(), message, causes);
    }
}

/// <param name="Reason">For an apply conflict, <c>FieldManagerConflict</c>.</param>
/// <param name="Field">The field's path, e.g. <c>.spec.replicas</c>.</param>
/// <param name="Message">For an apply conflict, e.g. <c>conflict with "kubectl" using apps/v1</c>.</param>
public sealed record KubeCause(string Reason, string Field, string Message);
