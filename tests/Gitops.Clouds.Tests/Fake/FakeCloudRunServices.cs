using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Gitops.Clouds.Tests.Fake;

/// <summary>
/// What the FAKE Cloud Run Admin API holds (<see cref="FakeCloudRun"/>): services as the JSON the
/// v2 REST reference describes, a revision per template change (<c>SERVICE-00001-abc</c>), long-running
/// operations, etags and an IAM policy per service. It runs no containers: whether a revision becomes
/// ready is the fake's decision (<see cref="Readiness"/>), made the second time anyone reads the
/// service or its operation after the change, so a rollout is seen in progress once.
/// </summary>
internal sealed partial class FakeCloudRunServices(string project, string region)
{
    /// <summary>The failure message a revision that fails its startup probe gets (Cloud Run's wording, shortened).</summary>
    public const string ProbeFailure = "The user-provided container failed the configured startup probe checks.";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pending> _operations = new(StringComparer.Ordinal);

    public string Parent { get; } = $"projects/{project}/locations/{region}";

    /// <summary>
    /// Decides a new revision's fate from its template: null (ready) or why it failed. Default: the
    /// conformance image's contract, where a startup probe under <c>/missing</c> answers 404.
    /// </summary>
    public Func<JsonObject, string?> Readiness { get; set; } = TestImageContract;

    /// <summary>New revisions stay reconciling (and their operations running) until this is false: a rollout that never ends.</summary>
    public bool Stalled { get; set; }

    /// <summary>How many of the next PATCHes find the service changed by someone else just before them (their etag is stale).</summary>
    public int ConcurrentEdits { get; set; }

    public static string? TestImageContract(JsonObject template) =>
        ((string?)template["containers"]?[0]?["startupProbe"]?["httpGet"]?["path"])?.StartsWith("/missing", StringComparison.Ordinal) == true ? ProbeFailure : null;

    public (int Status, JsonNode? Body) Create(string id, JsonObject body)
    {
        lock (_lock)
        {
            if (!ServiceIds().IsMatch(id))
            {
                return Error(400, "INVALID_ARGUMENT", $"service id '{id}' must be 1 to 49 lowercase letters, digits and '-', starting with a letter and not ending with '-'");
            }

            if (_services.ContainsKey(id))
            {
                return Error(409, "ALREADY_EXISTS", $"Resource '{id}' already exists.");
            }

            var entry = new Entry(id, $"{Parent}/services/{id}");
            _services[id] = entry;
            entry.Service = Writable(body);
            entry.Service["name"] = entry.Name;
            entry.Service["uri"] = $"https://{id}-fake.a.run.app";
            entry.Service["createTime"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            entry.Iam = new JsonObject { ["version"] = 1, ["etag"] = NewEtag(), ["bindings"] = new JsonArray() };
            var revision = NewRevision(entry);
            return (200, Operation(entry, revision));
        }
    }

    public (int Status, JsonNode? Body) Get(string id)
    {
        lock (_lock)
        {
            if (!_services.TryGetValue(id, out var entry))
            {
                return NotFound(id);
            }

            Read(entry);
            return (200, Show(entry));
        }
    }

    public JsonObject List()
    {
        lock (_lock)
        {
            var services = new JsonArray();
            foreach (var entry in _services.Values.OrderBy(e => e.Id, StringComparer.Ordinal))
            {
                Read(entry);
                services.Add(Show(entry));
            }

            return new JsonObject { ["services"] = services };
        }
    }

    /// <summary>A PATCH: the etag in the body, when given, must be the current one (else ABORTED, as Cloud Run answers).</summary>
    public (int Status, JsonNode? Body) Patch(string id, JsonObject body)
    {
        lock (_lock)
        {
            if (!_services.TryGetValue(id, out var entry))
            {
                return NotFound(id);
            }

            if (ConcurrentEdits > 0)
            {
                // Someone saved the service in the console a moment before this PATCH arrived.
                ConcurrentEdits--;
                entry.Generation++;
                entry.Etag = NewEtag();
            }

            if ((string?)body["etag"] is { } etag && etag != entry.Etag)
            {
                return Error(409, "ABORTED", $"The service '{id}' was modified (etag {etag} is not the current one); read it again and retry.");
            }

            var before = entry.Service["template"]?.ToJsonString();
            var changed = Writable(body);
            foreach (var field in new[] { "labels", "annotations", "template", "scaling", "traffic", "ingress" })
            {
                if (changed[field] is { } value)
                {
                    entry.Service[field] = value.DeepClone();
                }
            }

            entry.Generation++;
            entry.Etag = NewEtag();
            var revision = entry.Service["template"]?.ToJsonString() != before ? NewRevision(entry) : null;
            return (200, Operation(entry, revision));
        }
    }

    public (int Status, JsonNode? Body) Delete(string id)
    {
        lock (_lock)
        {
            if (!_services.Remove(id, out var entry))
            {
                return NotFound(id);
            }

            var name = $"{Parent}/operations/{Guid.NewGuid():N}";
            _operations[name] = new Pending(entry, null, 0) { Done = true };
            return (200, new JsonObject { ["name"] = name, ["done"] = false });
        }
    }

    public (int Status, JsonNode? Body) Revisions(string id)
    {
        lock (_lock)
        {
            if (!_services.TryGetValue(id, out var entry))
            {
                return NotFound(id);
            }

            Read(entry);
            return (200, new JsonObject { ["revisions"] = new JsonArray([.. entry.Revisions.Select(r => (JsonNode)r.DeepClone())]) });
        }
    }

    /// <summary>An operation, done the second time it is read (a delete's: at once); its error when its revision failed.</summary>
    public (int Status, JsonNode? Body) Operation(string name)
    {
        lock (_lock)
        {
            if (!_operations.TryGetValue(name, out var pending))
            {
                return Error(404, "NOT_FOUND", $"Operation '{name}' not found.");
            }

            pending.Reads++;
            if (!pending.Done && pending.Reads >= 2 && !Stalled)
            {
                Settle(pending.Entry);
                pending.Done = true;
            }

            var answer = new JsonObject { ["name"] = name, ["done"] = pending.Done };
            if (pending.Done && pending.Revision is { } revision && (string?)revision["conditions"]?[0]?["state"] == "CONDITION_FAILED")
            {
                answer["error"] = new JsonObject { ["code"] = 9, ["message"] = (string?)revision["conditions"]![0]!["message"] };
            }
            else if (pending.Done)
            {
                answer["response"] = Show(pending.Entry);
            }

            return (200, answer);
        }
    }

    public (int Status, JsonNode? Body) GetIam(string id)
    {
        lock (_lock)
        {
            return _services.TryGetValue(id, out var entry) ? (200, entry.Iam.DeepClone()) : NotFound(id);
        }
    }

    public (int Status, JsonNode? Body) SetIam(string id, JsonObject body)
    {
        lock (_lock)
        {
            if (!_services.TryGetValue(id, out var entry))
            {
                return NotFound(id);
            }

            if (body["policy"] is not JsonObject policy)
            {
                return Error(400, "INVALID_ARGUMENT", "setIamPolicy needs a policy");
            }

            if ((string?)policy["etag"] is { } etag && etag != (string?)entry.Iam["etag"])
            {
                return Error(409, "ABORTED", "The policy was modified (its etag is not the current one); read it again and retry.");
            }

            entry.Iam = (JsonObject)policy.DeepClone();
            entry.Iam["etag"] = NewEtag();
            entry.Iam["version"] = 1;
            return (200, entry.Iam.DeepClone());
        }
    }

    /// <summary>The stored service (for the tests' own checks), or null.</summary>
    public JsonObject? Peek(string id)
    {
        lock (_lock)
        {
            return _services.TryGetValue(id, out var entry) ? Show(entry) : null;
        }
    }

    public IReadOnlyList<string> Ids()
    {
        lock (_lock)
        {
            return [.. _services.Keys.Order(StringComparer.Ordinal)];
        }
    }

    private static JsonObject NewRevision(Entry entry)
    {
        var number = entry.Revisions.Count + 1;
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))[..3];
        var template = entry.Service["template"] as JsonObject ?? new JsonObject();
        var revision = new JsonObject
        {
            ["name"] = $"{entry.Name}/revisions/{entry.Id}-{number.ToString("00000", CultureInfo.InvariantCulture)}-{suffix}",
            ["labels"] = template["labels"]?.DeepClone(),
            ["annotations"] = template["annotations"]?.DeepClone(),
            ["containers"] = template["containers"]?.DeepClone(),
            ["createTime"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["state"] = "CONDITION_RECONCILING" }),
        };
        entry.Revisions.Add(revision);
        entry.Service["latestCreatedRevision"] = (string)revision["name"]!;
        entry.Service["terminalCondition"] = new JsonObject { ["type"] = "Ready", ["state"] = "CONDITION_RECONCILING" };
        entry.Unsettled = revision;
        entry.UnsettledReads = 0;
        return revision;
    }

    private JsonObject Operation(Entry entry, JsonObject? revision)
    {
        var name = $"{Parent}/operations/{Guid.NewGuid():N}";
        _operations[name] = new Pending(entry, revision, 0) { Done = revision is null };
        return new JsonObject { ["name"] = name, ["done"] = false };
    }

    /// <summary>Someone looked: the unsettled revision settles on the second look.</summary>
    private void Read(Entry entry)
    {
        if (entry.Unsettled is not null && ++entry.UnsettledReads >= 2)
        {
            Settle(entry);
        }
    }

    private void Settle(Entry entry)
    {
        if (entry.Unsettled is not { } revision || Stalled)
        {
            return;
        }

        entry.Unsettled = null;
        var failure = Readiness(entry.Service["template"] as JsonObject ?? new JsonObject());
        revision["conditions"] = new JsonArray(failure is null
            ? new JsonObject { ["type"] = "Ready", ["state"] = "CONDITION_SUCCEEDED" }
            : new JsonObject { ["type"] = "Ready", ["state"] = "CONDITION_FAILED", ["reason"] = "HealthCheckContainerError", ["message"] = $"Revision '{Short(revision)}' is not ready and cannot serve traffic. {failure}" });
        if (failure is null)
        {
            entry.Service["latestReadyRevision"] = (string?)revision["name"];
            entry.Service["terminalCondition"] = new JsonObject { ["type"] = "Ready", ["state"] = "CONDITION_SUCCEEDED" };
        }
        else
        {
            entry.Service["terminalCondition"] = new JsonObject { ["type"] = "Ready", ["state"] = "CONDITION_FAILED", ["message"] = (string?)revision["conditions"]![0]!["message"] };
        }
    }

    /// <summary>The service as answered: with its etag, generation and where its traffic goes now.</summary>
    private static JsonObject Show(Entry entry)
    {
        var shown = (JsonObject)entry.Service.DeepClone();
        shown["etag"] = entry.Etag;
        shown["generation"] = entry.Generation.ToString(CultureInfo.InvariantCulture);
        var statuses = new JsonArray();
        foreach (var target in (entry.Service["traffic"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var status = (JsonObject)target.DeepClone();
            if ((string?)target["type"] == "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" && entry.Service["latestReadyRevision"] is { } ready)
            {
                status["revision"] = Short((string)ready!);
            }

            statuses.Add(status);
        }

        shown["trafficStatuses"] = statuses;
        return shown;
    }

    /// <summary>What a client may write: everything but the output-only members.</summary>
    private static JsonObject Writable(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        foreach (var field in new[] { "name", "uri", "etag", "generation", "latestReadyRevision", "latestCreatedRevision", "terminalCondition", "trafficStatuses", "reconciling", "createTime" })
        {
            copy.Remove(field);
        }

        return copy;
    }

    private static string Short(JsonObject revision) => Short((string)revision["name"]!);

    private static string Short(string name) => name[(name.LastIndexOf('/') + 1)..];

    private static string NewEtag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(9));

    private static (int, JsonNode?) NotFound(string id) => Error(404, "NOT_FOUND", $"Resource '{id}' of kind 'SERVICE' was not found.");

    public static (int, JsonNode?) Error(int code, string status, string message) =>
        (code, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } });

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex ServiceIds();

    private sealed class Entry(string id, string name)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public JsonObject Service { get; set; } = [];

        public JsonObject Iam { get; set; } = [];

        public string Etag { get; set; } = NewEtag();

        public long Generation { get; set; } = 1;

        public List<JsonObject> Revisions { get; } = [];

        public JsonObject? Unsettled { get; set; }

        public int UnsettledReads { get; set; }
    }

    private sealed class Pending(Entry entry, JsonObject? revision, int reads)
    {
        public Entry Entry { get; } = entry;

        public JsonObject? Revision { get; } = revision;

        public int Reads { get; set; } = reads;

        public bool Done { get; set; }
    }
}
