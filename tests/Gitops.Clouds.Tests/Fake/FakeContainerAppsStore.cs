using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Gitops.Clouds.Tests.Fake;

/// <summary>
/// What the FAKE ARM holds for Microsoft.App/containerApps (<see cref="FakeContainerApps"/>): apps as the
/// JSON the REST reference describes, with etags, and their revisions. A revision is made when the
/// template (its scale aside, its suffix included) changes, named <c>APP--SUFFIX</c> by the template's
/// revisionSuffix (random without one); a template put back under the suffix of a revision with the same
/// template makes that revision active again instead, and a suffix reused with another template is
/// refused. It runs no containers: whether a revision becomes healthy is the fake's decision
/// (<see cref="Readiness"/>), made once per revision the second time anyone reads the app or its async
/// operation after the change, so a rollout is seen in progress once. In Single mode the revision that
/// served keeps serving until a new one is healthy.
/// </summary>
internal sealed partial class FakeContainerAppsStore(string resourceGroup, string location)
{
    public const string ProbeFailure = "Startup probe failed: HTTP probe failed with statuscode: 404";

    private const string Apps = "/providers/Microsoft.App/containerApps";
    private const string Operations = "/providers/Microsoft.App/locations/";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _apps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pending> _operations = new(StringComparer.Ordinal);

    /// <summary>Decides a new revision's fate from its template: null (healthy) or why not. Default: a startup probe under <c>/missing</c> fails (the conformance image's contract).</summary>
    public Func<JsonObject, string?> Readiness { get; set; } = TestImageContract;

    /// <summary>New revisions stay provisioning (and their operations in progress) while this is true: a rollout that never ends.</summary>
    public bool Stalled { get; set; }

    /// <summary>How many of the next PUTs find the app saved by someone else just before them (their If-Match is stale).</summary>
    public int ConcurrentEdits { get; set; }

    public static string? TestImageContract(JsonObject template) =>
        (template["containers"]?[0]?["probes"] as JsonArray ?? []).Any(p => ((string?)p?["httpGet"]?["path"])?.StartsWith("/missing", StringComparison.Ordinal) == true) ? ProbeFailure : null;

    /// <summary>The resource group's Microsoft.App/jobs (the crons' jobs).</summary>
    public FakeContainerAppsJobs Jobs { get; } = new(resourceGroup, location);

    public FakeAnswer Route(string method, string path, JsonObject body, string ifMatch, string ifNoneMatch)
    {
        var subscription = resourceGroup[..resourceGroup.IndexOf("/resourceGroups/", StringComparison.Ordinal)];
        if (method == "GET" && path.StartsWith(subscription + Operations, StringComparison.Ordinal))
        {
            var id = path[(path.LastIndexOf('/') + 1)..];
            return Jobs.HasOperation(id) ? Jobs.Operation(id) : Operation(id);
        }

        if (Jobs.Serves(path))
        {
            return Jobs.Route(method, path, body, ifMatch, ifNoneMatch);
        }

        var apps = resourceGroup + Apps;
        if (path == apps)
        {
            return method == "GET" ? List() : Error(405, "MethodNotAllowed", $"{method} {path}");
        }

        if (!path.StartsWith(apps + "/", StringComparison.Ordinal))
        {
            return Error(404, "InvalidResourceType", $"{path} is not a Microsoft.App/containerApps path of {resourceGroup}");
        }

        return (method, path[(apps.Length + 1)..].Split('/')) switch
        {
            ("GET", [var name]) => Get(name),
            ("PUT", [var name]) => Put(name, body, ifMatch, ifNoneMatch),
            ("DELETE", [var name]) => Delete(name),
            ("GET", [var name, "revisions"]) => Revisions(name),
            _ => Error(404, "NotFound", $"{method} {path} is not served by the fake"),
        };
    }

    public FakeAnswer Get(string name)
    {
        lock (_lock)
        {
            if (!_apps.TryGetValue(name, out var entry))
            {
                return NotFound(name);
            }

            Read(entry);
            return new FakeAnswer(200, Show(entry), new() { ["ETag"] = entry.ETag });
        }
    }

    public FakeAnswer List()
    {
        lock (_lock)
        {
            var value = new JsonArray();
            foreach (var entry in _apps.Values.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                Read(entry);
                value.Add(Show(entry));
            }

            return new FakeAnswer(200, new JsonObject { ["value"] = value });
        }
    }

    /// <summary>Create or replace: If-None-Match: * refuses an existing app, If-Match a changed one (412, as ARM answers).</summary>
    public FakeAnswer Put(string name, JsonObject body, string ifMatch, string ifNoneMatch)
    {
        lock (_lock)
        {
            if (!AppNames().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            {
                return Error(400, "ContainerAppInvalidName", $"Invalid ContainerApp name '{name}'. A name must consist of lower case alphanumeric characters or '-', start with a letter, end with an alphanumeric character, cannot have '--', and be at most 32 characters.");
            }

            _apps.TryGetValue(name, out var entry);
            if (entry is not null && ConcurrentEdits > 0)
            {
                ConcurrentEdits--; // someone saved the app in the portal a moment before this PUT arrived
                entry.ETag = NewETag();
            }

            if (ifNoneMatch == "*" && entry is not null)
            {
                return Error(412, "PreconditionFailed", $"The container app '{name}' already exists (If-None-Match: *).");
            }

            if (ifMatch.Length > 0 && (entry is null || (ifMatch != "*" && ifMatch != entry.ETag)))
            {
                return Error(412, "PreconditionFailed", $"The container app '{name}' was modified (If-Match {ifMatch} is not its current etag); read it again and retry.");
            }

            if ((string?)body["properties"]?["environmentId"] is null || (string?)body["location"] is null)
            {
                return Error(400, "InvalidRequestContent", "location and properties.environmentId are required.");
            }

            var created = entry is null;
            entry ??= new Entry(name, $"{resourceGroup}{Apps}/{name}");
            var template = body["properties"]?["template"] as JsonObject ?? [];
            var latest = entry.Latest;
            JsonObject? revision = null;
            if (latest is null || Unscaled(latest["properties"]!["template"]!.AsObject()) != Unscaled(template))
            {
                var suffix = (string?)template["revisionSuffix"] ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))[..7];
                var revisionName = $"{name}--{suffix}";
                revision = entry.Revisions.FirstOrDefault(r => (string?)r["name"] == revisionName);
                if (revision is not null && Unscaled(revision["properties"]!["template"]!.AsObject()) != Unscaled(template))
                {
                    return Error(400, "ContainerAppRevisionSuffixConflict", $"Revision with suffix {suffix} already exists with a different template.");
                }

                revision ??= NewRevision(entry, revisionName, template);
                revision["properties"]!["template"] = template.DeepClone();
                entry.Unsettled = revision;
                entry.UnsettledReads = 0;
            }

            _apps[name] = entry;
            entry.App = Writable(body);
            entry.ETag = NewETag();
            entry.LatestName = revision is null ? entry.LatestName : (string)revision["name"]!;
            entry.ProvisioningState = revision is null ? "Succeeded" : "InProgress";
            if (revision is null && entry.Serving is { } serving)
            {
                serving["properties"]!["replicas"] = Min(entry);
                serving["properties"]!["template"]!["scale"] = template["scale"]?.DeepClone();
            }

            var operation = Guid.NewGuid().ToString("N");
            _operations[operation] = new Pending(entry, done: revision is null);
            return new FakeAnswer(created ? 201 : 200, Show(entry), new()
            {
                ["ETag"] = entry.ETag,
                ["Azure-AsyncOperation"] = OperationPath(operation),
            });
        }
    }

    public FakeAnswer Delete(string name)
    {
        lock (_lock)
        {
            if (!_apps.Remove(name, out var entry))
            {
                return new FakeAnswer(204, null); // ARM: deleting what is gone succeeds
            }

            var operation = Guid.NewGuid().ToString("N");
            _operations[operation] = new Pending(entry, done: true);
            return new FakeAnswer(202, null, new() { ["Azure-AsyncOperation"] = OperationPath(operation), ["Location"] = OperationPath(operation) });
        }
    }

    public FakeAnswer Revisions(string name)
    {
        lock (_lock)
        {
            if (!_apps.TryGetValue(name, out var entry))
            {
                return NotFound(name);
            }

            Read(entry);
            return new FakeAnswer(200, new JsonObject { ["value"] = new JsonArray([.. entry.Revisions.Select(r => r.DeepClone())]) });
        }
    }

    /// <summary>An operation, done the second time it is read (a delete's at once).</summary>
    public FakeAnswer Operation(string id)
    {
        lock (_lock)
        {
            if (!_operations.TryGetValue(id, out var pending))
            {
                return Error(404, "OperationNotFound", $"Operation '{id}' not found.");
            }

            pending.Reads++;
            if (!pending.Done && pending.Reads >= 2 && !Stalled)
            {
                Settle(pending.Entry);
                pending.Done = true;
            }

            return new FakeAnswer(200, new JsonObject { ["id"] = OperationPath(id), ["name"] = id, ["status"] = pending.Done ? "Succeeded" : "InProgress" });
        }
    }

    /// <summary>The stored app as answered (for the tests' own checks), or null.</summary>
    public JsonObject? Peek(string name)
    {
        lock (_lock)
        {
            return _apps.TryGetValue(name, out var entry) ? Show(entry) : null;
        }
    }

    public IReadOnlyList<string> Names()
    {
        lock (_lock)
        {
            return [.. _apps.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public static FakeAnswer Error(int status, string code, string message) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private string OperationPath(string id) =>
        $"{resourceGroup[..resourceGroup.IndexOf("/resourceGroups/", StringComparison.Ordinal)]}{Operations}{location}/containerappOperationStatuses/{id}?api-version=2024-03-01";

    private static JsonObject NewRevision(Entry entry, string name, JsonObject template)
    {
        var revision = new JsonObject
        {
            ["id"] = $"{entry.Id}/revisions/{name}",
            ["name"] = name,
            ["type"] = "Microsoft.App/containerApps/revisions",
            ["properties"] = new JsonObject
            {
                ["createdTime"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["active"] = false,
                ["replicas"] = 0,
                ["healthState"] = "None",
                ["provisioningState"] = "Provisioning",
                ["runningState"] = "Processing",
                ["template"] = template.DeepClone(),
            },
        };
        entry.Revisions.Add(revision);
        return revision;
    }

    /// <summary>Someone looked: the unsettled revision settles on the second look.</summary>
    private void Read(Entry entry)
    {
        if (entry.Unsettled is not null && ++entry.UnsettledReads >= 2)
        {
            Settle(entry);
        }
    }

    /// <summary>The new revision's fate: healthy, it becomes the one active revision; unhealthy, the one that served keeps serving.</summary>
    private void Settle(Entry entry)
    {
        if (entry.Unsettled is not { } revision || Stalled)
        {
            return;
        }

        entry.Unsettled = null;
        entry.ProvisioningState = "Succeeded";
        var properties = revision["properties"]!.AsObject();
        // A revision's template never changes, so neither does its fate: one made active again is what it was.
        var failure = entry.Fates.TryGetValue((string)revision["name"]!, out var decided) ? decided : entry.Fates[(string)revision["name"]!] = Readiness(properties["template"]!.AsObject());
        if (failure is not null)
        {
            properties["provisioningState"] = "Provisioned";
            properties["healthState"] = "Unhealthy";
            properties["runningState"] = "Failed";
            properties["provisioningError"] = $"Revision '{revision["name"]}' is unhealthy: {failure}";
            properties["active"] = false;
            properties["replicas"] = 0;
            return;
        }

        foreach (var other in entry.Revisions.Where(r => r != revision))
        {
            other["properties"]!["active"] = false;
            other["properties"]!["replicas"] = 0;
            if ((string?)other["properties"]!["runningState"] == "Running")
            {
                other["properties"]!["runningState"] = "Stopped";
            }
        }

        properties["provisioningState"] = "Provisioned";
        properties["healthState"] = "Healthy";
        properties["runningState"] = "Running";
        properties.Remove("provisioningError");
        properties["active"] = true;
        properties["replicas"] = Min(entry);
        entry.ReadyName = (string)revision["name"]!;
    }

    private static int Min(Entry entry) => (int?)entry.App["properties"]?["template"]?["scale"]?["minReplicas"] ?? 0;

    /// <summary>The app as answered: its name, id, etag-free body and what only Container Apps writes.</summary>
    private static JsonObject Show(Entry entry)
    {
        var shown = (JsonObject)entry.App.DeepClone();
        shown["id"] = entry.Id;
        shown["name"] = entry.Name;
        shown["type"] = "Microsoft.App/containerApps";
        var properties = shown["properties"] as JsonObject ?? [];
        shown["properties"] = properties;
        properties["provisioningState"] = entry.ProvisioningState;
        properties["latestRevisionName"] = entry.LatestName;
        properties["latestReadyRevisionName"] = entry.ReadyName;
        if (properties["configuration"]?["ingress"] is JsonObject ingress)
        {
            ingress["fqdn"] = $"{entry.Name}{((bool?)ingress["external"] == true ? "" : ".internal")}.fakeenv-1a2b3c.westeurope.azurecontainerapps.io";
            properties["latestRevisionFqdn"] = $"{entry.LatestName}.fakeenv-1a2b3c.westeurope.azurecontainerapps.io";
        }

        return shown;
    }

    /// <summary>What a client may write: everything but the read-only members.</summary>
    private static JsonObject Writable(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        foreach (var field in new[] { "id", "name", "type", "systemData" })
        {
            copy.Remove(field);
        }

        if (copy["properties"] is JsonObject properties)
        {
            foreach (var field in new[] { "provisioningState", "latestRevisionName", "latestReadyRevisionName", "latestRevisionFqdn", "outboundIpAddresses" })
            {
                properties.Remove(field);
            }

            (properties["configuration"]?["ingress"] as JsonObject)?.Remove("fqdn");
        }

        return copy;
    }

    /// <summary>A template without its scale (a scale change makes no revision; a new suffix alone does, as a restart).</summary>
    private static string Unscaled(JsonObject template)
    {
        var copy = (JsonObject)template.DeepClone();
        copy.Remove("scale");
        return copy.ToJsonString();
    }

    private static string NewETag() => $"\"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}\"";

    private static FakeAnswer NotFound(string name) => Error(404, "ResourceNotFound", $"The Resource 'Microsoft.App/containerApps/{name}' was not found.");

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex AppNames();

    private sealed class Entry(string name, string id)
    {
        public string Name { get; } = name;

        public string Id { get; } = id;

        public JsonObject App { get; set; } = [];

        public string ETag { get; set; } = NewETag();

        public string ProvisioningState { get; set; } = "InProgress";

        public string? LatestName { get; set; }

        public string? ReadyName { get; set; }

        public List<JsonObject> Revisions { get; } = [];

        /// <summary>Each revision's fate once decided: null (healthy) or why not.</summary>
        public Dictionary<string, string?> Fates { get; } = new(StringComparer.Ordinal);

        public JsonObject? Unsettled { get; set; }

        public int UnsettledReads { get; set; }

        public JsonObject? Latest => Revisions.FirstOrDefault(r => (string?)r["name"] == LatestName);

        public JsonObject? Serving => Revisions.FirstOrDefault(r => (string?)r["name"] == ReadyName);
    }

    private sealed class Pending(Entry entry, bool done)
    {
        public Entry Entry { get; } = entry;

        public int Reads { get; set; }

        public bool Done { get; set; } = done;
    }
}
