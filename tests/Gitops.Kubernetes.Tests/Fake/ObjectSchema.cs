using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

internal enum ListType
{
    Atomic,
    Set,
    Map,
}

/// <summary>How a list merges: atomic, a set of scalars, or a map of objects keyed by some of their fields.</summary>
internal sealed record ListShape(ListType Type, IReadOnlyList<string> Keys, string? DefaultProtocolKey = null)
{
    public static readonly ListShape Atomic = new(ListType.Atomic, []);
    public static readonly ListShape Set = new(ListType.Set, []);

    public static ListShape Map(params string[] keys) => new(ListType.Map, keys);
}

/// <summary>
/// The part of the Kubernetes OpenAPI schema that merging needs (x-kubernetes-list-type,
/// list-map-keys, map-type atomic), for the fields the fake's kinds carry. Anything not named here is
/// granular if an object and atomic if a list, as in the real schema for these kinds.
/// </summary>
internal static class ObjectSchema
{
    private static readonly HashSet<string> AtomicObjects = new(StringComparer.Ordinal)
    {
        // metav1.LabelSelector is +structType=atomic; nodeSelector and a Service's selector are +mapType=atomic.
        "selector", "podSelector", "namespaceSelector", "nodeSelector", "labelSelector",
    };

    private static readonly HashSet<string> ContainerLists = new(StringComparer.Ordinal) { "containers", "initContainers", "ephemeralContainers" };

    /// <summary>The list at <paramref name="fields"/> (field names from the root, list items skipped).</summary>
    public static ListShape ListOf(string kind, IReadOnlyList<string> fields)
    {
        var last = fields.Count == 0 ? "" : fields[^1];
        return last switch
        {
            "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" or "resourceClaims" => ListShape.Map("name"),
            "volumeMounts" => ListShape.Map("mountPath"),
            "volumeDevices" => ListShape.Map("devicePath"),
            "ports" when fields.Count >= 2 && ContainerLists.Contains(fields[^2]) =>
                new ListShape(ListType.Map, ["containerPort", "protocol"], "protocol"),
            "ports" when kind == "Service" && fields.Count == 2 && fields[0] == "spec" =>
                new ListShape(ListType.Map, ["port", "protocol"], "protocol"),
            "ownerReferences" => ListShape.Map("uid"),
            "conditions" when fields.Count >= 1 && fields[0] == "status" => ListShape.Map("type"),
            "hostAliases" => ListShape.Map("ip"),
            "topologySpreadConstraints" => ListShape.Map("topologyKey", "whenUnsatisfiable"),
            "finalizers" => ListShape.Set,
            _ => ListShape.Atomic,
        };
    }

    public static bool IsAtomicObject(IReadOnlyList<string> fields) => fields.Count > 0 && AtomicObjects.Contains(fields[^1]);

    /// <summary>The path element naming one item of a keyed list or set: <c>k:{"name":"web"}</c>, <c>v:"x"</c>.</summary>
    public static string ItemElement(ListShape shape, JsonNode? item)
    {
        if (shape.Type == ListType.Set)
        {
            return "v:" + (item?.Text() ?? "null");
        }

        var key = new JsonObject();
        foreach (var name in shape.Keys.Order(StringComparer.Ordinal))
        {
            var value = (item as JsonObject)?[name]?.DeepClone();
            if (value is null && name == shape.DefaultProtocolKey)
            {
                value = "TCP"; // the schema's default for protocol, which the key needs even when omitted
            }

            if (value is not null)
            {
                key[name] = value;
            }
        }

        return "k:" + key.Text();
    }
}
