using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>Small helpers over System.Text.Json.Nodes, the fake's one object model.</summary>
internal static class Json
{
    /// <summary>As Go's encoder writes JSON: quotes as <c>\"</c>, not <c>\u0022</c> (the default encoder's HTML-safe escaping).</summary>
    public static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Text(this JsonNode node) => node.ToJsonString(Wire);

    public static JsonObject Clone(this JsonObject value) => (JsonObject)value.DeepClone();

    public static JsonObject Metadata(this JsonObject value)
    {
        if (value["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        value["metadata"] = metadata;
        return metadata;
    }

    /// <summary>The object at a path, created on the way when asked to.</summary>
    public static JsonObject? Object(this JsonObject value, params string[] path)
    {
        JsonObject? current = value;
        foreach (var name in path)
        {
            current = current?[name] as JsonObject;
        }

        return current;
    }

    public static JsonObject Ensure(this JsonObject value, params string[] path)
    {
        var current = value;
        foreach (var name in path)
        {
            if (current[name] is not JsonObject next)
            {
                next = [];
                current[name] = next;
            }

            current = next;
        }

        return current;
    }

    public static string? String(this JsonObject? value, params string[] path)
    {
        JsonNode? current = value;
        foreach (var name in path)
        {
            current = (current as JsonObject)?[name];
        }

        return current is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    }

    public static long? Long(this JsonObject? value, params string[] path)
    {
        JsonNode? current = value;
        foreach (var name in path)
        {
            current = (current as JsonObject)?[name];
        }

        return current is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? (long)double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;
    }

    public static bool? Bool(this JsonObject? value, params string[] path)
    {
        JsonNode? current = value;
        foreach (var name in path)
        {
            current = (current as JsonObject)?[name];
        }

        return current?.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }

    public static JsonArray? Array(this JsonObject? value, params string[] path)
    {
        JsonNode? current = value;
        foreach (var name in path)
        {
            current = (current as JsonObject)?[name];
        }

        return current as JsonArray;
    }

    public static IEnumerable<JsonObject> Objects(this JsonArray? array) => array?.OfType<JsonObject>() ?? [];

    public static string Name(this JsonObject value) => value.String("metadata", "name") ?? "";

    public static string? Namespace(this JsonObject value) => value.String("metadata", "namespace");

    public static string Uid(this JsonObject value) => value.String("metadata", "uid") ?? "";

    public static IReadOnlyDictionary<string, string> Labels(this JsonObject value, params string[] path)
    {
        var labels = value.Object([.. path, "labels"]);
        return labels is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : labels.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal);
    }

    public static bool Same(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    /// <summary>Kubernetes times: RFC 3339, whole seconds, UTC (metav1.Time).</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    /// <summary>Canonical JSON: keys sorted, so equal objects hash equally whatever their key order.</summary>
    public static string Canonical(JsonNode? node)
    {
        return Sort(node)?.ToJsonString() ?? "null";

        static JsonNode? Sort(JsonNode? node) => node switch
        {
            JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
            JsonArray a => new JsonArray([.. a.Select(Sort)]),
            _ => node?.DeepClone(),
        };
    }

    /// <summary>Drops null members the way a Go struct with omitempty would not carry them.</summary>
    public static void DropNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    o.Remove(key);
                }

                foreach (var child in o)
                {
                    DropNulls(child.Value);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    DropNulls(child);
                }

                break;
        }
    }
}
