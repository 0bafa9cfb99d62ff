using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Gitops.Clouds.Tests.Fake;

/// <summary>
/// What the FAKE ARM holds for Microsoft.App/jobs (api-version 2024-03-01), built from the REST
/// reference's Jobs operations (Get, CreateOrUpdate, Delete, ListByResourceGroup): jobs as JSON with
/// etags, PUT with If-Match / If-None-Match (412 as for apps), <c>Azure-AsyncOperation</c> status URLs
/// (<c>containerappsjobOperationStatuses</c>) done when first read, DELETE of a gone job answered 204.
/// Validated as the reference requires: the name (as an app's), <c>location</c>,
/// <c>properties.environmentId</c>, <c>configuration.triggerType</c> and <c>replicaTimeout</c>, a
/// Schedule trigger's five-field <c>scheduleTriggerConfig.cronExpression</c>, a container with an image.
/// It runs nothing: no executions are started, whatever the schedule.
/// </summary>
internal sealed partial class FakeContainerAppsJobs(string resourceGroup, string location)
{
    public const string Jobs = "/providers/Microsoft.App/jobs";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (JsonObject Job, string ETag)> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _operations = new(StringComparer.Ordinal);

    public bool Serves(string path) => path == resourceGroup + Jobs || path.StartsWith(resourceGroup + Jobs + "/", StringComparison.Ordinal);

    public bool HasOperation(string id)
    {
        lock (_lock)
        {
            return _operations.Contains(id);
        }
    }

    public FakeAnswer Route(string method, string path, JsonObject body, string ifMatch, string ifNoneMatch)
    {
        if (path == resourceGroup + Jobs)
        {
            return method == "GET" ? List() : FakeContainerAppsStore.Error(405, "MethodNotAllowed", $"{method} {path}");
        }

        return (method, path[(resourceGroup.Length + Jobs.Length + 1)..].Split('/')) switch
        {
            ("GET", [var name]) => Get(name),
            ("PUT", [var name]) => Put(name, body, ifMatch, ifNoneMatch),
            ("DELETE", [var name]) => Delete(name),
            _ => FakeContainerAppsStore.Error(404, "NotFound", $"{method} {path} is not served by the fake"),
        };
    }

    public FakeAnswer Operation(string id) =>
        new(200, new JsonObject { ["id"] = OperationPath(id), ["name"] = id, ["status"] = "Succeeded" });

    /// <summary>The stored job as answered (for the tests' own checks), or null.</summary>
    public JsonObject? Peek(string name)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(name, out var entry) ? Show(name, entry.Job) : null;
        }
    }

    public IReadOnlyList<string> Names()
    {
        lock (_lock)
        {
            return [.. _jobs.Keys.Order(StringComparer.Ordinal)];
        }
    }

    private FakeAnswer Get(string name)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(name, out var entry)
                ? new FakeAnswer(200, Show(name, entry.Job), new() { ["ETag"] = entry.ETag })
                : FakeContainerAppsStore.Error(404, "ResourceNotFound", $"The Resource 'Microsoft.App/jobs/{name}' under resource group was not found.");
        }
    }

    private FakeAnswer List()
    {
        lock (_lock)
        {
            return new FakeAnswer(200, new JsonObject { ["value"] = new JsonArray([.. _jobs.OrderBy(j => j.Key, StringComparer.Ordinal).Select(j => (JsonNode)Show(j.Key, j.Value.Job))]) });
        }
    }

    private FakeAnswer Put(string name, JsonObject body, string ifMatch, string ifNoneMatch)
    {
        lock (_lock)
        {
            if (!JobNames().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            {
                return FakeContainerAppsStore.Error(400, "ContainerAppJobInvalidName", $"Invalid job name '{name}'. A name must consist of lower case alphanumeric characters or '-', start with a letter, end with an alphanumeric character, cannot have '--', and be at most 32 characters.");
            }

            var exists = _jobs.TryGetValue(name, out var entry);
            if (ifNoneMatch == "*" && exists)
            {
                return FakeContainerAppsStore.Error(412, "PreconditionFailed", $"The job '{name}' already exists (If-None-Match: *).");
            }

            if (ifMatch.Length > 0 && (!exists || (ifMatch != "*" && ifMatch != entry.ETag)))
            {
                return FakeContainerAppsStore.Error(412, "PreconditionFailed", $"The job '{name}' was modified (If-Match {ifMatch} is not its current etag); read it again and retry.");
            }

            if (Invalid(body) is { } problem)
            {
                return FakeContainerAppsStore.Error(400, "InvalidRequestContent", problem);
            }

            var job = (JsonObject)body.DeepClone();
            foreach (var field in new[] { "id", "name", "type", "systemData" })
            {
                job.Remove(field);
            }

            (job["properties"] as JsonObject)?.Remove("provisioningState");
            (job["properties"] as JsonObject)?.Remove("eventStreamEndpoint");
            var etag = $"\"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}\"";
            _jobs[name] = (job, etag);
            var operation = Guid.NewGuid().ToString("N");
            _operations.Add(operation);
            return new FakeAnswer(exists ? 200 : 201, Show(name, job), new() { ["ETag"] = etag, ["Azure-AsyncOperation"] = OperationPath(operation) });
        }
    }

    private FakeAnswer Delete(string name)
    {
        lock (_lock)
        {
            if (!_jobs.Remove(name))
            {
                return new FakeAnswer(204, null);
            }

            var operation = Guid.NewGuid().ToString("N");
            _operations.Add(operation);
            return new FakeAnswer(202, null, new() { ["Azure-AsyncOperation"] = OperationPath(operation), ["Location"] = OperationPath(operation) });
        }
    }

    private static string? Invalid(JsonObject body)
    {
        var properties = body["properties"];
        var configuration = properties?["configuration"];
        if ((string?)body["location"] is null || (string?)properties?["environmentId"] is null)
        {
            return "location and properties.environmentId are required.";
        }

        if ((string?)configuration?["triggerType"] is not ("Manual" or "Schedule" or "Event") || configuration?["replicaTimeout"] is null)
        {
            return "properties.configuration.triggerType (Manual, Schedule or Event) and replicaTimeout are required.";
        }

        if ((string?)configuration["triggerType"] == "Schedule"
            && ((string?)configuration["scheduleTriggerConfig"]?["cronExpression"])?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
        {
            return "InvalidCronExpression: properties.configuration.scheduleTriggerConfig.cronExpression must be a cron expression of five fields.";
        }

        return properties?["template"]?["containers"] is JsonArray { Count: > 0 } containers && containers.All(c => (string?)c?["image"] is { Length: > 0 })
            ? null
            : "properties.template.containers must name at least one container with an image.";
    }

    /// <summary>The job as answered: its name, id, type and what only Container Apps writes.</summary>
    private JsonObject Show(string name, JsonObject job)
    {
        var shown = (JsonObject)job.DeepClone();
        shown["id"] = $"{resourceGroup}{Jobs}/{name}";
        shown["name"] = name;
        shown["type"] = "Microsoft.App/jobs";
        var properties = shown["properties"] as JsonObject ?? [];
        shown["properties"] = properties;
        properties["provisioningState"] = "Succeeded";
        properties["eventStreamEndpoint"] = $"https://{location}.azurecontainerapps.dev/subscriptions/fake/resourceGroups/fake/containerApps/{name}/eventstream";
        return shown;
    }

    private string OperationPath(string id) =>
        $"{resourceGroup[..resourceGroup.IndexOf("/resourceGroups/", StringComparison.Ordinal)]}/providers/Microsoft.App/locations/{location}/containerappsjobOperationStatuses/{id}?api-version=2024-03-01";

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex JobNames();
}
