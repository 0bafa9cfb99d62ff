using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>The HTTP face of the fake: authentication, discovery, and the REST verbs on resources.</summary>
internal sealed class ApiHandler(ObjectStore store, FakeKubernetesApiServer server)
{
    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            if (authorization != $"Bearer {server.Token}")
            {
                throw ApiErrors.Unauthorized();
            }

            var answer = await RouteAsync(context);
            if (answer is not null)
            {
                await WriteAsync(context, answer.Value.Code, answer.Value.Body);
            }
        }
        catch (FakeApiException e) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, e.Code, e.ToStatus());
        }
    }

    private async Task<(int Code, JsonObject Body)?> RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var gateway = server.ServesGatewayApi;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["version"]:
                return (200, Discovery.Version());
            case ["api"]:
                return (200, Discovery.CoreVersions($"{server.BaseAddress.Host}:{server.BaseAddress.Port}"));
            case ["apis"]:
                return (200, Discovery.Groups(gateway));
            case ["api", "v1"]:
                return (200, Discovery.Resources("", "v1", gateway));
            case ["apis", var group] when ResourceTypes.GroupVersions(gateway).FirstOrDefault(gv => gv.Group == group) is { Group.Length: > 0 } gv:
                return (200, Discovery.Group(gv.Group, gv.Version));
            case ["apis", var group, var version] when ResourceTypes.GroupVersions(gateway).Contains((group, version)):
                return (200, Discovery.Resources(group, version, gateway));
            case ["openapi", "v3"]:
                return (200, Discovery.OpenApiIndex(gateway));
            case ["openapi", "v3", ..]:
                return (200, Discovery.OpenApiGroupVersion(string.Join('/', segments[2..]), gateway) ?? throw ApiErrors.PageNotFound());
        }

        var target = ApiPath.Parse(path, gateway) ?? throw ApiErrors.PageNotFound();
        var query = request.Query;
        var write = new WriteContext(
            query["fieldManager"].ToString() is { Length: > 0 } manager ? manager : request.Headers.UserAgent.ToString().Split('/')[0],
            target.Subresource,
            query["dryRun"].ToString() == "All");
        var ct = context.RequestAborted;
        return request.Method switch
        {
            "GET" when target.Name is null && IsWatch(query["watch"].ToString()) => await WatchAsync(context, target),
            "GET" when target.Name is null => (200, List(target, request)),
            "GET" when target.Subresource == "scale" => (200, store.GetScale(target.Type, target.Namespace, target.Name)),
            "GET" => (200, Single(target.Type, store.Get(target.Type, target.Namespace, target.Name), request)),
            "POST" when target.Name is null => (201, store.Create(target.Type, target.Namespace, await ObjectBodyAsync(request, ct), write)),
            "PUT" when target.Name is not null && target.Subresource == "scale" => await ReplaceScaleAsync(target, request, write, ct),
            "PUT" when target.Name is not null => (200, store.Replace(target.Type, target.Namespace, target.Name, await ObjectBodyAsync(request, ct), write)),
            "PATCH" when target.Name is not null => await PatchAsync(target, request, write, ct),
            "DELETE" when target.Name is not null => (200, await DeleteAsync(target, request, ct)),
            "DELETE" => (200, ListOf(target.Type, store.DeleteCollection(target.Type, target.Namespace, Labels(request), Fields(request)), store.ResourceVersion)),
            _ => throw ApiErrors.MethodNotAllowed($"the server does not allow this method on the requested resource"),
        };
    }

    private static bool IsWatch(string value) => value is "true" or "1" or "True";

    private JsonObject List(ApiPath target, HttpRequest request)
    {
        var (items, resourceVersion) = store.List(target.Type, target.Namespace, Labels(request), Fields(request));
        return Tables.Wanted(request.Headers.Accept.ToString())
            ? Tables.Build(target.Type, items, resourceVersion)
            : ListOf(target.Type, items, resourceVersion);
    }

    private static JsonObject Single(ResourceType type, JsonObject value, HttpRequest request) =>
        Tables.Wanted(request.Headers.Accept.ToString()) ? Tables.Build(type, [value], value.String("metadata", "resourceVersion") ?? "") : value;

    private static JsonObject ListOf(ResourceType type, List<JsonObject> items, string resourceVersion) => new()
    {
        ["kind"] = type.Kind + "List",
        ["apiVersion"] = type.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
        ["items"] = new JsonArray([.. items]),
    };

    private async Task<(int, JsonObject)> PatchAsync(ApiPath target, HttpRequest request, WriteContext write, CancellationToken ct)
    {
        var contentType = (request.ContentType ?? "").Split(';')[0].Trim();
        var body = await TextBodyAsync(request, ct);
        var force = request.Query["force"].ToString() == "true";
        if (contentType == Patches.ApplyPatch)
        {
            if (string.IsNullOrEmpty(request.Query["fieldManager"].ToString()))
            {
                throw ApiErrors.BadRequest("PATCH " + request.Path + ": fieldManager is required for apply requests");
            }

            if (target.Subresource == "scale")
            {
                throw ApiErrors.BadRequest("the fake API server does not take apply patches on /scale");
            }

            return (200, store.Apply(target.Type, target.Namespace, target.Name!, YamlBody.Parse(body), write, force));
        }

        if (force)
        {
            throw ApiErrors.BadRequest("force must be false for non-apply patch types");
        }

        return target.Subresource == "scale"
            ? (200, store.UpdateScale(target.Type, target.Namespace, target.Name!, scale => Patches.Apply(scale, contentType, body, "Scale"), write))
            : (200, store.Patch(target.Type, target.Namespace, target.Name!, contentType, body, write));
    }

    private async Task<(int, JsonObject)> ReplaceScaleAsync(ApiPath target, HttpRequest request, WriteContext write, CancellationToken ct)
    {
        var scale = await ObjectBodyAsync(request, ct);
        return (200, store.UpdateScale(target.Type, target.Namespace, target.Name!, _ => scale, write));
    }

    private async Task<JsonObject> DeleteAsync(ApiPath target, HttpRequest request, CancellationToken ct)
    {
        var propagation = request.Query["propagationPolicy"].ToString();
        var body = await TextBodyAsync(request, ct);
        if (body.Length > 0 && JsonNode.Parse(body) is JsonObject options && options.String("propagationPolicy") is { } policy)
        {
            propagation = policy;
        }

        var gone = store.Delete(target.Type, target.Namespace, target.Name!, propagation.Length == 0 ? null : propagation);
        // Pods answer with the object, as the real server does for graceful deletions; the rest with a Status.
        return target.Type == ResourceTypes.Pod ? gone : ApiErrors.Success(target.Type, gone.Name(), gone.Uid());
    }

    /// <summary>A watch: newline-delimited events, each flushed at once, until timeoutSeconds, the client, or the fake stops.</summary>
    private async Task<(int, JsonObject)?> WatchAsync(HttpContext context, ApiPath target)
    {
        var request = context.Request;
        var watcher = store.Watch(
            target.Type,
            target.Namespace,
            Labels(request),
            Fields(request),
            request.Query["resourceVersion"].ToString(),
            request.Query["sendInitialEvents"].ToString() == "true");
        var asTable = Tables.Wanted(request.Headers.Accept.ToString());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server.Stopping);
        if (int.TryParse(request.Query["timeoutSeconds"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        try
        {
            await response.StartAsync(stop.Token);
            await response.Body.FlushAsync(stop.Token);
            await foreach (var (type, value) in watcher.Events.ReadAllAsync(stop.Token))
            {
                var payload = asTable && type is "ADDED" or "MODIFIED" or "DELETED"
                    ? Tables.Build(target.Type, [value], value.String("metadata", "resourceVersion") ?? "")
                    : value;
                var line = new JsonObject { ["type"] = type, ["object"] = payload }.Text() + "\n";
                await response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), stop.Token);
                await response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds, the client went away, or the fake is stopping: the watch ends normally.
        }
        catch (IOException)
        {
            // The client closed the connection mid-write.
        }
        finally
        {
            store.StopWatching(watcher);
        }

        return null;
    }

    private static LabelSelector Labels(HttpRequest request) => LabelSelector.Parse(request.Query["labelSelector"].ToString());

    private static FieldSelector Fields(HttpRequest request) => FieldSelector.Parse(request.Query["fieldSelector"].ToString());

    private static async Task<string> TextBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }

    private static async Task<JsonObject> ObjectBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var mediaType = (request.ContentType ?? "application/json").Split(';')[0].Trim();
        if (mediaType is not ("application/json" or "*/*" or ""))
        {
            // Protobuf (kubectl's typed clients) and CBOR are not spoken here; JSON only, as documented.
            throw new FakeApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json");
        }

        var text = await TextBodyAsync(request, ct);
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw ApiErrors.BadRequest("the request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiErrors.BadRequest($"error decoding the request body: {e.Message}");
        }
    }

    private static async Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.Text(), context.RequestAborted);
    }
}
