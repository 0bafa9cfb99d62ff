using System.Globalization;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// The fake's etcd and apiserver registry in one: objects by kind, one global resourceVersion
/// counter, the event history watches replay from, and the write path every writer goes through
/// (defaults, validation, generation, managedFields, no-op detection, watch events). One lock guards
/// it all; controllers take the same lock and call the *Core methods.
/// </summary>
internal sealed class ObjectStore
{
    private const int HistoryLimit = 100_000;

    private readonly Dictionary<ResourceType, SortedDictionary<string, JsonObject>> objects = [];
    private readonly List<StoredEvent> history = [];
    private readonly List<Watcher> watchers = [];
    private long revision;
    private long forgottenUpTo;
    private int clusterIps;

    public Lock Gate { get; } = new();

    public string ResourceVersion
    {
        get
        {
            lock (Gate)
            {
                return revision.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    public JsonObject Get(ResourceType type, string? ns, string name)
    {
        lock (Gate)
        {
            return (Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name)).Clone();
        }
    }

    public (List<JsonObject> Items, string ResourceVersion) List(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields)
    {
        lock (Gate)
        {
            var items = Items(type).Where(o => (ns is null || o.Namespace() == ns) && labels.Matches(o.Labels("metadata")) && fields.Matches(o))
                .Select(o => o.Clone()).ToList();
            return (items, revision.ToString(CultureInfo.InvariantCulture));
        }
    }

    public JsonObject Create(ResourceType type, string? ns, JsonObject body, WriteContext write)
    {
        lock (Gate)
        {
            return CreateCore(type, ns, body, write).Clone();
        }
    }

    public JsonObject Replace(ResourceType type, string? ns, string name, JsonObject body, WriteContext write)
    {
        lock (Gate)
        {
            var old = Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name);
            CheckIdentity(type, ns, name, body);
            var expected = body.String("metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(expected) && expected != old.String("metadata", "resourceVersion"))
            {
                throw ApiErrors.Conflict(type, name);
            }

            return CommitCore(type, old, Isolate(old, body, write.Subresource), write).Clone();
        }
    }

    public JsonObject Patch(ResourceType type, string? ns, string name, string contentType, string body, WriteContext write)
    {
        lock (Gate)
        {
            var old = Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name);
            var patched = Patches.Apply(old.Clone(), contentType, body, type.Kind);
            CheckIdentity(type, ns, name, patched);
            if (patched.String("metadata", "resourceVersion") is { Length: > 0 } expected && expected != old.String("metadata", "resourceVersion"))
            {
                throw ApiErrors.Conflict(type, name);
            }

            return CommitCore(type, old, Isolate(old, patched, write.Subresource), write).Clone();
        }
    }

    public JsonObject Apply(ResourceType type, string? ns, string name, JsonObject config, WriteContext write, bool force)
    {
        lock (Gate)
        {
            config.Metadata()["name"] ??= name;
            CheckIdentity(type, ns, name, config);
            var old = Find(type, ns, name);
            if (old is null)
            {
                if (write.Subresource is not null)
                {
                    throw ApiErrors.NotFound(type, name);
                }

                CheckNamespace(type, ns);
            }

            var (merged, entries) = ServerSideApply.Apply(type, old, config, write, force, Json.Time(DateTimeOffset.UtcNow));
            if (ns is not null)
            {
                merged.Metadata()["namespace"] = ns;
            }

            if (old is null)
            {
                Admit(type, merged);
            }

            return CommitCore(type, old, merged, write, entries).Clone();
        }
    }

    /// <summary>The autoscaling/v1 Scale of a Deployment or ReplicaSet.</summary>
    public JsonObject GetScale(ResourceType type, string? ns, string name)
    {
        lock (Gate)
        {
            return Scale(Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name));
        }
    }

    /// <summary>PUT or PATCH of /scale: only spec.replicas reaches the object, owned with subresource "scale".</summary>
    public JsonObject UpdateScale(ResourceType type, string? ns, string name, Func<JsonObject, JsonObject> change, WriteContext write)
    {
        lock (Gate)
        {
            var old = Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name);
            var scale = change(Scale(old));
            if (scale.String("metadata", "resourceVersion") is { Length: > 0 } expected && expected != old.String("metadata", "resourceVersion"))
            {
                throw ApiErrors.Conflict(type, name);
            }

            var replicas = scale.Long("spec", "replicas") ?? 0;
            var next = old.Clone();
            next.Ensure("spec")["replicas"] = replicas;
            return Scale(CommitCore(type, old, next, write with { Subresource = "scale" }));
        }
    }

    public JsonObject Delete(ResourceType type, string? ns, string name, string? propagation)
    {
        lock (Gate)
        {
            var old = Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name);
            return DeleteCore(type, old, propagation).Clone();
        }
    }

    public List<JsonObject> DeleteCollection(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields)
    {
        lock (Gate)
        {
            return [.. Items(type).Where(o => (ns is null || o.Namespace() == ns) && labels.Matches(o.Labels("metadata")) && fields.Matches(o)).ToList()
                .Select(o => DeleteCore(type, o, null).Clone())];
        }
    }

    /// <summary>
    /// Starts a watch: without a resourceVersion (or "0") ADDED events for what exists now come
    /// first; with one, the history after it is replayed; then live events follow.
    /// </summary>
    public Watcher Watch(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, string? resourceVersion, bool sendInitialEvents)
    {
        lock (Gate)
        {
            var watcher = new Watcher(type, ns, labels, fields);
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0" || sendInitialEvents)
            {
                foreach (var item in Items(type).Where(watcher.Matches))
                {
                    watcher.Enqueue("ADDED", item.Clone());
                }

                if (sendInitialEvents)
                {
                    watcher.Enqueue("BOOKMARK", Bookmark(type, revision));
                }
            }
            else if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var since))
            {
                throw ApiErrors.BadRequest($"invalid resource version: {resourceVersion}");
            }
            else if (since < forgottenUpTo)
            {
                watcher.Enqueue("ERROR", ApiErrors.Expired($"too old resource version: {since} ({forgottenUpTo})").ToStatus());
                watcher.Complete();
                return watcher;
            }
            else
            {
                foreach (var stored in history.Where(e => e.ResourceVersion > since && e.Type == type))
                {
                    watcher.Offer(stored);
                }
            }

            watchers.Add(watcher);
            return watcher;
        }
    }

    public void StopWatching(Watcher watcher)
    {
        lock (Gate)
        {
            watchers.Remove(watcher);
        }

        watcher.Complete();
    }

    public void CompleteAllWatches()
    {
        lock (Gate)
        {
            foreach (var watcher in watchers)
            {
                watcher.Complete();
            }

            watchers.Clear();
        }
    }

    // ---- the write path; callers hold Gate ----

    public IEnumerable<JsonObject> Items(ResourceType type) =>
        objects.TryGetValue(type, out var byKey) ? byKey.Values : [];

    public JsonObject? Find(ResourceType type, string? ns, string name) =>
        objects.TryGetValue(type, out var byKey) && byKey.TryGetValue(Key(ns, name), out var found) ? found : null;

    public JsonObject CreateCore(ResourceType type, string? ns, JsonObject body, WriteContext write)
    {
        CheckNamespace(type, ns);
        body = body.Clone();
        if (body.String("kind") is { } kind && kind != type.Kind)
        {
            throw ApiErrors.BadRequest($"the API version in the data ({body.String("apiVersion")}) does not match the expected API version ({type.ApiVersion})");
        }

        var metadata = body.Metadata();
        if (ns is not null)
        {
            if (metadata.String("namespace") is { Length: > 0 } given && given != ns)
            {
                throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = ns;
        }

        if (string.IsNullOrEmpty(body.Name()) && metadata.String("generateName") is { Length: > 0 } prefix)
        {
            metadata["name"] = prefix + Names.RandomSuffix(5);
        }

        if (Find(type, ns, body.Name()) is not null)
        {
            throw ApiErrors.AlreadyExists(type, body.Name());
        }

        body.Remove("status");
        Admit(type, body);
        return CommitCore(type, null, body, write);
    }

    /// <summary>Stores a new version (or the first), unless nothing but managedFields times would change.</summary>
    public JsonObject CommitCore(ResourceType type, JsonObject? old, JsonObject next, WriteContext write, List<ManagerEntry>? appliedEntries = null)
    {
        var now = Json.Time(DateTimeOffset.UtcNow);
        var metadata = next.Metadata();
        if (old is null)
        {
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = now;
        }
        else
        {
            foreach (var name in new[] { "name", "namespace", "uid", "creationTimestamp" })
            {
                metadata[name] = old.Metadata()[name]?.DeepClone();
            }
        }

        next["apiVersion"] = type.ApiVersion;
        next["kind"] = type.Kind;
        Json.DropNulls(next);
        Defaults.Apply(type, next, AllocateClusterIp);
        Validation.Check(type, next, old);

        var generation = old?.Long("metadata", "generation") ?? 0;
        metadata["generation"] = old is null ? 1 : Json.Same(Spec(old), Spec(next)) ? generation : generation + 1;
        metadata["resourceVersion"] = old?.String("metadata", "resourceVersion");
        var entries = appliedEntries ?? ManagedFields.Update(old is null ? [] : ManagedFields.Read(old), old, next, type.Kind, write, type.ApiVersion, now);
        ManagedFields.Write(next, entries);
        next = Tidy(next);
        if (old is not null && Json.Same(WithoutTimes(old), WithoutTimes(next)))
        {
            return old;
        }

        if (write.DryRun)
        {
            return next;
        }

        revision++;
        next.Metadata()["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        Table(type)[Key(next.Namespace(), next.Name())] = next;
        Publish(type, old is null ? "ADDED" : "MODIFIED", next, old);
        return next;
    }

    /// <summary>Deletes at once (no graceful termination) and collects what the object owned; a Namespace takes its contents along.</summary>
    public JsonObject DeleteCore(ResourceType type, JsonObject stored, string? propagation)
    {
        Table(type).Remove(Key(stored.Namespace(), stored.Name()));
        revision++;
        var gone = stored.Clone();
        gone.Metadata()["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        Publish(type, "DELETED", gone, stored);

        var uid = stored.Uid();
        foreach (var other in ResourceTypes.All)
        {
            var dependents = Items(other).Where(o =>
                (type == ResourceTypes.Namespace && o.Namespace() == stored.Name()) ||
                (propagation != "Orphan" && o.Array("metadata", "ownerReferences").Objects().Any(r => r.String("uid") == uid))).ToList();
            foreach (var dependent in dependents)
            {
                if (Find(other, dependent.Namespace(), dependent.Name()) is not null)
                {
                    DeleteCore(other, dependent, propagation);
                }
            }
        }

        return gone;
    }

    private static JsonObject Scale(JsonObject value) => new()
    {
        ["kind"] = "Scale",
        ["apiVersion"] = "autoscaling/v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = value.Name(),
            ["namespace"] = value.Namespace(),
            ["uid"] = value.Uid(),
            ["resourceVersion"] = value.String("metadata", "resourceVersion"),
            ["creationTimestamp"] = value.String("metadata", "creationTimestamp"),
        },
        ["spec"] = new JsonObject { ["replicas"] = value.Long("spec", "replicas") ?? 0 },
        ["status"] = new JsonObject
        {
            ["replicas"] = value.Long("status", "replicas") ?? 0,
            ["selector"] = string.Join(",", (value.Object("spec", "selector", "matchLabels") ?? []).Select(p => $"{p.Key}={p.Value}")),
        },
    };

    private static JsonObject Bookmark(ResourceType type, long at) => new()
    {
        ["kind"] = type.Kind,
        ["apiVersion"] = type.ApiVersion,
        ["metadata"] = new JsonObject
        {
            ["resourceVersion"] = at.ToString(CultureInfo.InvariantCulture),
            ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" },
        },
    };

    /// <summary>The endpoint's half of a write: /status changes only status, the main resource everything but status.</summary>
    private static JsonObject Isolate(JsonObject old, JsonObject proposed, string? subresource)
    {
        if (subresource == "status")
        {
            var result = old.Clone();
            result["status"] = proposed["status"]?.DeepClone();
            return result;
        }

        var next = proposed.Clone();
        next["status"] = old["status"]?.DeepClone();
        return next;
    }

    private static void CheckIdentity(ResourceType type, string? ns, string name, JsonObject body)
    {
        if (body.Name() is { Length: > 0 } given && given != name)
        {
            throw ApiErrors.BadRequest($"the name of the object ({given}) does not match the name on the URL ({name})");
        }

        if (ns is not null && body.Namespace() is { Length: > 0 } bodyNs && bodyNs != ns)
        {
            throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (body.String("kind") is { } kind && kind != type.Kind)
        {
            throw ApiErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }
    }

    private void CheckNamespace(ResourceType type, string? ns)
    {
        if (type.Namespaced && Find(ResourceTypes.Namespace, null, ns ?? "") is null)
        {
            throw ApiErrors.NamespaceNotFound(ns ?? "");
        }
    }

    /// <summary>The RuntimeClass admission plugin: a pod naming a missing RuntimeClass is refused.</summary>
    private void Admit(ResourceType type, JsonObject value)
    {
        if (type == ResourceTypes.Pod && value.String("spec", "runtimeClassName") is { } runtimeClass && Find(ResourceTypes.RuntimeClass, null, runtimeClass) is null)
        {
            var name = value.Name() is { Length: > 0 } n ? n : value.String("metadata", "generateName") ?? "";
            throw ApiErrors.Forbidden(type, name, $"pod rejected: RuntimeClass \"{runtimeClass}\" not found");
        }
    }

    private void Publish(ResourceType type, string eventType, JsonObject value, JsonObject? old)
    {
        var stored = new StoredEvent(revision, type, eventType, value, old);
        history.Add(stored);
        if (history.Count > HistoryLimit)
        {
            forgottenUpTo = history[HistoryLimit / 10].ResourceVersion;
            history.RemoveRange(0, HistoryLimit / 10);
        }

        foreach (var watcher in watchers.Where(w => w.Type == type))
        {
            watcher.Offer(stored);
        }
    }

    private string AllocateClusterIp()
    {
        clusterIps++;
        return $"10.96.{clusterIps / 250}.{(clusterIps % 250) + 1}";
    }

    private SortedDictionary<string, JsonObject> Table(ResourceType type)
    {
        if (!objects.TryGetValue(type, out var byKey))
        {
            byKey = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            objects[type] = byKey;
        }

        return byKey;
    }

    private static string Key(string? ns, string name) => $"{ns}/{name}";

    /// <summary>Everything generation counts: all but metadata and status.</summary>
    private static JsonObject Spec(JsonObject value) =>
        new(value.Where(p => p.Key is not ("metadata" or "status" or "apiVersion" or "kind")).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

    private static JsonObject WithoutTimes(JsonObject value)
    {
        var copy = value.Clone();
        copy.Metadata().Remove("resourceVersion");
        foreach (var entry in copy.Array("metadata", "managedFields").Objects())
        {
            entry.Remove("time");
        }

        return copy;
    }

    /// <summary>The key order the real server writes: apiVersion, kind, metadata, the rest, status.</summary>
    private static JsonObject Tidy(JsonObject value)
    {
        var metadataOrder = new[] { "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "labels", "annotations", "ownerReferences", "finalizers", "managedFields" };
        var metadata = value.Metadata();
        var orderedMetadata = Reorder(metadata, metadataOrder, []);
        value.Remove("metadata");
        value["metadata"] = orderedMetadata;
        return Reorder(value, ["apiVersion", "kind", "metadata"], ["status"]);

        static JsonObject Reorder(JsonObject source, string[] first, string[] last)
        {
            var keys = first.Where(source.ContainsKey)
                .Concat(source.Select(p => p.Key).Where(k => !first.Contains(k) && !last.Contains(k)))
                .Concat(last.Where(source.ContainsKey)).ToList();
            var result = new JsonObject();
            foreach (var key in keys)
            {
                var node = source[key];
                source.Remove(key);
                result[key] = node;
            }

            return result;
        }
    }
}

/// <summary>One change as watches see it; <see cref="Old"/> lets a filtered watch turn it into ADDED or DELETED.</summary>
internal sealed record StoredEvent(long ResourceVersion, ResourceType Type, string EventType, JsonObject Object, JsonObject? Old);
