using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using k8s;
using k8s.Models;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// The cluster's REST API as the driver uses it: get, list by labels, server-side apply as field
/// manager <c>paas</c>, delete, watch. Connection, TLS and credentials are the KubernetesClient
/// package's (kubeconfig, exec plugins, in-cluster service account); the verbs are plain REST on
/// <see cref="KubeResource"/> paths, so every kind goes through the same code. It is also the
/// one place objects reach the cluster, so the pod policy (<see cref="KubePolicy"/>) is checked here.
/// </summary>
public sealed class KubeCluster(k8s.Kubernetes client) : IDisposable
{
    public const string FieldManager = "paas";

    private static readonly MediaTypeHeaderValue ApplyPatch = new("application/apply-patch+yaml");

    public Uri Server => client.BaseUri;

    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        var version = await SendAsync(HttpMethod.Get, "/version", null, null, cancellationToken).ConfigureAwait(false);
        return (string?)version?["gitVersion"] ?? "unknown";
    }

    public Task<JsonObject?> GetAsync(KubeResource resource, string? ns, string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, resource.Path(ns, name), null, null, cancellationToken, notFoundIsNull: true);

    /// <summary>The objects of <paramref name="ns"/> (or of every namespace when null) that carry the labels.</summary>
    public async Task<(List<JsonObject> Items, string ResourceVersion)> ListAsync(KubeResource resource, string? ns, string? labelSelector, CancellationToken cancellationToken)
    {
        var query = labelSelector is null ? "" : $"?labelSelector={Uri.EscapeDataString(labelSelector)}";
        var list = await SendAsync(HttpMethod.Get, resource.Path(ns) + query, null, null, cancellationToken, notFoundIsNull: true).ConfigureAwait(false);
        var items = (list?["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var item in items)
        {
            // A list's items carry no kind; the rest of the driver reads objects whole.
            item["kind"] ??= resource.Kind;
            item["apiVersion"] ??= resource.ApiVersion;
        }

        return (items, (string?)list?["metadata"]?["resourceVersion"] ?? "");
    }

    /// <summary>
    /// Applies <paramref name="value"/> as field manager <c>paas</c>. A conflict (a field another
    /// manager set to something else) is taken over only for the fields in <paramref name="takeOver"/>:
    /// the drift a plan showed the user. Any other conflict is an error naming the manager.
    /// </summary>
    public async Task<JsonObject> ApplyAsync(KubeResource resource, JsonObject value, IReadOnlySet<string> takeOver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(takeOver);
        if (PolicyViolations(resource, value) is { Count: > 0 } violations)
        {
            throw new PolicyViolationException(violations);
        }

        var ns = (string?)value["metadata"]?["namespace"];
        var name = (string?)value["metadata"]?["name"] ?? throw new ArgumentException("an object without a name", nameof(value));
        var body = value.ToJsonString();
        try
        {
            return (await SendAsync(HttpMethod.Patch, resource.Path(ns, name) + $"?fieldManager={FieldManager}&force=false", body, ApplyPatch, cancellationToken).ConfigureAwait(false))!;
        }
        catch (KubeApiException e) when (e.Status == HttpStatusCode.Conflict && e.Causes.Count > 0)
        {
            var refused = e.Causes.Where(c => !takeOver.Contains(c.Field)).ToList();
            if (refused.Count > 0)
            {
                throw new TargetConflictException(
                    $"{resource.Kind} {Where(ns, name)}: {string.Join("; ", refused.Select(c => $"{c.Field} is owned by another field manager ({c.Message})"))}. "
                    + "The platform takes over a field only when a plan showed it as changed outside the platform; "
                    + "another tool applies this object too: stop it managing these fields (or remove the object), then apply again", e);
            }

            return (await SendAsync(HttpMethod.Patch, resource.Path(ns, name) + $"?fieldManager={FieldManager}&force=true", body, ApplyPatch, cancellationToken).ConfigureAwait(false))!;
        }
    }

    /// <summary>Deletes the object and, in the background, what it owns (a Deployment's ReplicaSets and pods). Already gone is success.</summary>
    public async Task DeleteAsync(KubeResource resource, string? ns, string name, CancellationToken cancellationToken)
    {
        const string body = """{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}""";
        await SendAsync(HttpMethod.Delete, resource.Path(ns, name), body, new MediaTypeHeaderValue("application/json"), cancellationToken, notFoundIsNull: true).ConfigureAwait(false);
    }

    /// <summary>The events of one object from <paramref name="resourceVersion"/> on, until the server ends the watch.</summary>
    public async IAsyncEnumerable<(string Type, JsonObject Object)> WatchAsync(KubeResource resource, string ns, string name, string resourceVersion, TimeSpan limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = resource.Path(ns) + $"?watch=true&fieldSelector={Uri.EscapeDataString($"metadata.name={name}")}&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={(int)Math.Max(1, limit.TotalSeconds)}";
        using var request = await RequestAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        using var response = await Guard(path, () => client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Translate(KubeApiException.From(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)), HttpMethod.Get, path);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0 && JsonNode.Parse(line) is JsonObject { } change && change["object"] is JsonObject value)
            {
                yield return ((string?)change["type"] ?? "", value);
            }
        }
    }

    public void Dispose() => client.Dispose();

    /// <summary>The pod templates in an object, under the same policy as every container.</summary>
    private static List<string> PolicyViolations(KubeResource resource, JsonObject value)
    {
        var pod = resource.Kind switch
        {
            "Deployment" => KubernetesJson.Deserialize<V1Deployment>(value.ToJsonString()).Spec?.Template?.Spec,
            "Pod" => KubernetesJson.Deserialize<V1Pod>(value.ToJsonString()).Spec,
            "CronJob" => KubernetesJson.Deserialize<V1CronJob>(value.ToJsonString()).Spec?.JobTemplate?.Spec?.Template?.Spec,
            "Job" => KubernetesJson.Deserialize<V1Job>(value.ToJsonString()).Spec?.Template?.Spec,
            _ => null,
        };
        return pod is null ? [] : [.. KubePolicy.Check(pod)];
    }

    private async Task<JsonObject?> SendAsync(HttpMethod method, string path, string? body, MediaTypeHeaderValue? type, CancellationToken cancellationToken, bool notFoundIsNull = false)
    {
        return await Retry.RunAsync(async t =>
        {
            using var request = await RequestAsync(method, path, body, type, t).ConfigureAwait(false);
            using var response = await Guard(path, () => client.HttpClient.SendAsync(request, t)).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(t).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
            }

            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            throw Translate(KubeApiException.From(response.StatusCode, text), method, path);
        }, e => e is KubeApiException { Transient: true } || e is TargetUnavailableException { InnerException: HttpRequestException }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, string? body, MediaTypeHeaderValue? type, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(client.BaseUri, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = type;
        }

        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return request;
    }

    private async Task<HttpResponseMessage> Guard(string path, Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new TargetUnavailableException($"the Kubernetes API server at {client.BaseUri} does not answer ({path}): {e.Message}", e);
        }
    }

    /// <summary>Errors people can act on: whose credentials, which permission, what the cluster said.</summary>
    private Exception Translate(KubeApiException error, HttpMethod method, string path) => error.Status switch
    {
        HttpStatusCode.Unauthorized => new TargetUnavailableException($"the Kubernetes API server at {client.BaseUri} refused the platform's credentials (401 {error.Message}): check the kubeconfig's user or the service account token", error),
        HttpStatusCode.Forbidden => new TargetRefusedException($"the cluster does not let the platform {method.Method.ToUpperInvariant()} {path}: {error.Message}. Give its account the Role in docs/kubernetes.md", error),
        HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest => new TargetRefusedException($"the cluster refused {path}: {error.Message}", error),
        _ => error,
    };

    private static string Where(string? ns, string name) => ns is null ? name : $"{ns}/{name}";
}
