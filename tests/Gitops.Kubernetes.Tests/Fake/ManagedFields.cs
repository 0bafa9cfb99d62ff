using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>One metadata.managedFields entry; its identity is manager, operation and subresource.</summary>
internal sealed record ManagerEntry(string Manager, string Operation, string ApiVersion, string? Time, string? Subresource, FieldSet Fields)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    public bool Is(string manager, string operation, string? subresource) =>
        Manager == manager && Operation == operation && (Subresource ?? "") == (subresource ?? "");

    /// <summary>How conflict messages name the manager (structured-merge-diff's printManager, without the time).</summary>
    public string Describe()
    {
        var text = $"\"{Manager}\"";
        if (!string.IsNullOrEmpty(Subresource))
        {
            text += $" with subresource \"{Subresource}\"";
        }

        return Operation == Update ? $"{text} using {ApiVersion}" : text;
    }

    public JsonObject ToJson()
    {
        var entry = new JsonObject
        {
            ["manager"] = Manager,
            ["operation"] = Operation,
            ["apiVersion"] = ApiVersion,
            ["time"] = Time,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = Fields.ToFieldsV1(),
        };
        if (!string.IsNullOrEmpty(Subresource))
        {
            entry["subresource"] = Subresource;
        }

        return entry;
    }
}

/// <summary>Reading, writing and updating managedFields for writes other than apply.</summary>
internal static class ManagedFields
{
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "f:apiVersion", "f:kind", "f:metadata",
        "f:metadata\nf:name", "f:metadata\nf:namespace", "f:metadata\nf:uid", "f:metadata\nf:resourceVersion",
        "f:metadata\nf:generation", "f:metadata\nf:creationTimestamp", "f:metadata\nf:managedFields",
        "f:metadata\nf:selfLink", "f:metadata\nf:deletionTimestamp", "f:metadata\nf:deletionGracePeriodSeconds",
    };

    public static List<ManagerEntry> Read(JsonObject value) =>
    [
        .. value.Array("metadata", "managedFields").Objects().Select(e => new ManagerEntry(
            e.String("manager") ?? "",
            e.String("operation") ?? ManagerEntry.Update,
            e.String("apiVersion") ?? "",
            e.String("time"),
            e.String("subresource"),
            FieldSet.FromFieldsV1(e.Object("fieldsV1")))),
    ];

    public static void Write(JsonObject value, IEnumerable<ManagerEntry> entries)
    {
        var list = entries.Where(e => !e.Fields.IsEmpty).ToList();
        if (list.Count == 0)
        {
            value.Metadata().Remove("managedFields");
            return;
        }

        value.Metadata()["managedFields"] = new JsonArray([.. list.Select(e => (JsonNode)e.ToJson())]);
    }

    /// <summary>
    /// Drops what no manager owns: identity and server-set metadata, and the half of the object the
    /// request's endpoint does not write (status for the main resource, everything else for /status).
    /// </summary>
    public static FieldSet Strip(FieldSet set, string? subresource) => set.Where(p =>
        !Ignored.Contains(p) && (subresource == "status"
            ? p.StartsWith("f:status", StringComparison.Ordinal)
            : !p.StartsWith("f:status", StringComparison.Ordinal)));

    /// <summary>An object without the metadata the server owns, for comparing two versions.</summary>
    public static JsonObject Comparable(JsonObject value)
    {
        var copy = value.Clone();
        var metadata = copy.Metadata();
        foreach (var name in new[] { "managedFields", "resourceVersion", "generation", "uid", "creationTimestamp" })
        {
            metadata.Remove(name);
        }

        return copy;
    }

    /// <summary>
    /// A non-apply write: the writer now owns what it added or changed and no longer what it removed;
    /// every other manager loses those fields (no conflicts for updates, as in the real server).
    /// </summary>
    public static List<ManagerEntry> Update(List<ManagerEntry> entries, JsonObject? before, JsonObject after, string kind, WriteContext write, string apiVersion, string now)
    {
        var (changed, removed) = FieldWalk.Compare(before is null ? null : Comparable(before), Comparable(after), kind);
        changed = Strip(changed, write.Subresource);
        removed = Strip(removed, write.Subresource);
        if (changed.IsEmpty && removed.IsEmpty)
        {
            return entries;
        }

        var result = new List<ManagerEntry>();
        ManagerEntry? mine = null;
        foreach (var entry in entries)
        {
            if (entry.Is(write.Manager, ManagerEntry.Update, write.Subresource))
            {
                mine = entry with { Fields = entry.Fields.Except(removed).Union(changed), Time = now, ApiVersion = apiVersion };
                result.Add(mine);
            }
            else
            {
                result.Add(entry with { Fields = entry.Fields.Except(changed).Except(removed) });
            }
        }

        if (mine is null)
        {
            result.Add(new ManagerEntry(write.Manager, ManagerEntry.Update, apiVersion, now, write.Subresource, changed));
        }

        return [.. result.Where(e => !e.Fields.IsEmpty)];
    }
}

/// <summary>Who writes, how, and through which endpoint.</summary>
internal sealed record WriteContext(string Manager, string? Subresource = null, bool DryRun = false)
{
    public static readonly WriteContext ControllerManager = new("kube-controller-manager");
    public static readonly WriteContext ControllerManagerStatus = new("kube-controller-manager", "status");
    public static readonly WriteContext KubeletStatus = new("kubelet", "status");
}
