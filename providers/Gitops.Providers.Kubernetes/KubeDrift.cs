using System.Text.Json.Nodes;
using Gitops.Engine.Planning;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// What was changed on the cluster behind the platform's back: the fields the platform applied
/// (kept in the object's <see cref="KubeLabels.Applied"/> annotation) whose live value differs,
/// named as Kubernetes names fields in apply conflicts (<c>.spec.template.spec.containers[name="app"].image</c>),
/// so a plan can show them and the apply after it can take exactly those back.
/// Fields the platform never set (a label another tool adds, a default the server fills in) are not drift.
/// </summary>
public static class KubeDrift
{
    public static List<FieldChange> Of(JsonObject live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var changes = new List<FieldChange>();
        if ((string?)live["metadata"]?["annotations"]?[KubeLabels.Applied] is not { } text || JsonNode.Parse(text) is not JsonObject applied)
        {
            return changes;
        }

        Compare(applied["spec"], live["spec"], ".spec", changes);
        Compare(applied["metadata"]?["labels"], live["metadata"]?["labels"], ".metadata.labels", changes);
        return changes;
    }

    /// <summary>The object as applied, with the record of itself that drift is measured against.</summary>
    public static JsonObject WithRecord(JsonObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var record = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = value["metadata"]?["labels"]?.DeepClone() },
            ["spec"] = value["spec"]?.DeepClone(),
        };
        var metadata = (JsonObject)value["metadata"]!;
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[KubeLabels.Applied] = record.ToJsonString();
        metadata["annotations"] = annotations;
        return value;
    }

    private static void Compare(JsonNode? applied, JsonNode? live, string path, List<FieldChange> changes)
    {
        switch (applied)
        {
            case null:
                return;
            case JsonObject fields:
                foreach (var (key, value) in fields)
                {
                    Compare(value, (live as JsonObject)?[key], $"{path}.{key}", changes);
                }

                return;
            case JsonArray items when Keyed(items) is { } keyOf:
                var liveItems = (live as JsonArray ?? []).OfType<JsonObject>().ToList();
                foreach (var item in items.OfType<JsonObject>())
                {
                    var key = keyOf(item);
                    var match = liveItems.FirstOrDefault(l => keyOf(l) == key);
                    if (match is null)
                    {
                        changes.Add(new FieldChange($"{path}[{key}]", null, Text(item)));
                    }
                    else
                    {
                        Compare(item, match, $"{path}[{key}]", changes);
                    }
                }

                return;
            default:
                if (!Same(applied, live))
                {
                    changes.Add(new FieldChange(path, live is null ? null : Text(live), Text(applied)));
                }

                return;
        }
    }

    /// <summary>The merge key of a list of objects, as the API's schema declares it for the lists the platform applies; null for an atomic list.</summary>
    private static Func<JsonObject, string>? Keyed(JsonArray items)
    {
        var first = items.OfType<JsonObject>().FirstOrDefault();
        if (first is null || items.Count != items.OfType<JsonObject>().Count())
        {
            return null;
        }

        if (first.ContainsKey("containerPort"))
        {
            return o => $"containerPort={Show(o["containerPort"])},protocol={Show(o["protocol"])}";
        }

        if (first.ContainsKey("port") && first.ContainsKey("protocol") && !first.ContainsKey("name"))
        {
            return o => $"port={Show(o["port"])},protocol={Show(o["protocol"])}";
        }

        return first.ContainsKey("name") ? o => $"name={Show(o["name"])}" : null;
    }

    /// <summary>Equal as JSON values, a number and the same number written as a string included (an int-or-string).</summary>
    private static bool Same(JsonNode applied, JsonNode? live) =>
        live is not null && (JsonNode.DeepEquals(applied, live) || (applied is JsonValue && live is JsonValue && Plain(applied) == Plain(live)));

    private static string Plain(JsonNode value) => value.ToJsonString().Trim('"');

    private static string Show(JsonNode? value) => value?.ToJsonString() ?? "null";

    /// <summary>A value as a plan shows it: a string as itself, anything else as JSON.</summary>
    private static string Text(JsonNode value) => value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value.ToJsonString();
}
