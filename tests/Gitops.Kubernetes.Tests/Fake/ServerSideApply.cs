using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// Server-side apply as https://kubernetes.io/docs/reference/using-api/server-side-apply/ describes it:
/// the applied configuration's fields become the manager's; fields it applied before and omits now
/// are removed unless another manager owns them; changing a field another manager owns is a conflict
/// unless forced, and forcing takes the field from that manager.
/// </summary>
internal static class ServerSideApply
{
    public static (JsonObject Merged, List<ManagerEntry> Entries) Apply(
        ResourceType type, JsonObject? live, JsonObject config, WriteContext write, bool force, string now)
    {
        var kind = type.Kind;
        config = Endpoint(config, write.Subresource);
        var baseline = live?.Clone() ?? new JsonObject
        {
            ["apiVersion"] = type.ApiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = config.Name() },
        };
        var merged = FieldWalk.Merge(baseline, config, kind);
        var applied = ManagedFields.Strip(FieldWalk.FieldsOf(config, kind), write.Subresource);

        var entries = live is null ? [] : ManagedFields.Read(live);
        var mine = entries.FirstOrDefault(e => e.Is(write.Manager, ManagerEntry.Apply, write.Subresource));
        var others = entries.Where(e => !ReferenceEquals(e, mine)).ToList();

        // Prune: what this manager applied last time and left out now goes, unless someone else holds it.
        if (mine is not null)
        {
            foreach (var path in mine.Fields.Except(applied).Paths.OrderByDescending(p => p.Length))
            {
                if (!applied.Covers(path) && !others.Any(e => e.Fields.Covers(path)))
                {
                    FieldWalk.Remove(merged, path, kind);
                }
            }
        }

        var (changed, removed) = FieldWalk.Compare(
            ManagedFields.Comparable(live ?? baseline), ManagedFields.Comparable(merged), kind);
        changed = ManagedFields.Strip(changed, write.Subresource);
        removed = ManagedFields.Strip(removed, write.Subresource);

        var conflicts = others
            .SelectMany(e => e.Fields.Intersect(changed).Paths.Select(p => (Entry: e, Path: p)))
            .OrderBy(c => c.Path, StringComparer.Ordinal)
            .ToList();
        if (conflicts.Count > 0 && !force)
        {
            throw ApiErrors.ApplyConflict([.. conflicts.Select(c => (c.Entry.Describe(), FieldSet.Describe(c.Path)))]);
        }

        var result = new List<ManagerEntry>();
        var placed = false;
        foreach (var entry in entries)
        {
            if (ReferenceEquals(entry, mine))
            {
                result.Add(new ManagerEntry(write.Manager, ManagerEntry.Apply, type.ApiVersion, now, write.Subresource, applied));
                placed = true;
            }
            else
            {
                // Forcing takes conflicting fields over; removed fields are nobody's any more.
                result.Add(entry with { Fields = entry.Fields.Except(changed).Except(removed) });
            }
        }

        if (!placed)
        {
            result.Add(new ManagerEntry(write.Manager, ManagerEntry.Apply, type.ApiVersion, now, write.Subresource, applied));
        }

        return (merged, [.. result.Where(e => !e.Fields.IsEmpty)]);
    }

    /// <summary>The part of the configuration the endpoint writes: all but status, or only status.</summary>
    private static JsonObject Endpoint(JsonObject config, string? subresource)
    {
        var copy = config.Clone();
        if (subresource == "status")
        {
            foreach (var name in copy.Select(p => p.Key).Where(k => k is not ("apiVersion" or "kind" or "metadata" or "status")).ToList())
            {
                copy.Remove(name);
            }

            if (copy["metadata"] is JsonObject metadata)
            {
                copy["metadata"] = new JsonObject { ["name"] = metadata["name"]?.DeepClone(), ["namespace"] = metadata["namespace"]?.DeepClone() };
            }
        }
        else
        {
            copy.Remove("status");
        }

        var meta = copy.Metadata();
        foreach (var name in new[] { "managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink" })
        {
            meta.Remove(name);
        }

        Json.DropNulls(meta);
        return copy;
    }
}
