using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>The three non-apply patch types: JSON merge patch, strategic merge patch, JSON patch.</summary>
internal static class Patches
{
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string JsonPatch = "application/json-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";

    public static JsonObject Apply(JsonObject target, string contentType, string body, string kind)
    {
        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw ApiErrors.BadRequest($"error decoding patch: {e.Message}");
        }

        return contentType switch
        {
            MergePatch => patch is JsonObject o ? (JsonObject)Merge(target, o)! : throw ApiErrors.BadRequest("a merge patch must be a JSON object"),
            StrategicMergePatch => patch is JsonObject s ? Strategic(target, s, [], kind) : throw ApiErrors.BadRequest("a strategic merge patch must be a JSON object"),
            JsonPatch => patch is JsonArray a ? JsonPatchApply(target, a) : throw ApiErrors.BadRequest("a JSON patch must be an array of operations"),
            _ => throw new FakeApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {JsonPatch}, {MergePatch}, {ApplyPatch}, {StrategicMergePatch}"),
        };
    }

    /// <summary>RFC 7386: objects merge, null deletes, everything else replaces.</summary>
    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? t.Clone() : [];
        foreach (var (name, value) in p)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = Merge(result[name], value);
            }
        }

        return result;
    }

    /// <summary>
    /// Strategic merge patch, the subset kubectl sends: maps merge, lists with a patch merge key merge
    /// by it (<c>$patch: delete</c> removes an item), <c>$patch: replace</c> replaces a map,
    /// <c>$setElementOrder</c> and <c>$retainKeys</c> are honoured loosely, <c>$deleteFromPrimitiveList</c> works.
    /// </summary>
    private static JsonObject Strategic(JsonObject target, JsonObject patch, List<string> fields, string kind)
    {
        if (patch["$patch"]?.ToString() == "replace")
        {
            var replaced = patch.Clone();
            replaced.Remove("$patch");
            return replaced;
        }

        var result = target.Clone();
        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.ToString()).ToHashSet(StringComparer.Ordinal);
            foreach (var name in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                result.Remove(name);
            }
        }

        foreach (var (name, value) in patch)
        {
            if (name.StartsWith("$setElementOrder/", StringComparison.Ordinal) || name is "$retainKeys" or "$patch")
            {
                continue;
            }

            if (name.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var listName = name["$deleteFromPrimitiveList/".Length..];
                if (result[listName] is JsonArray primitives && value is JsonArray doomed)
                {
                    foreach (var item in primitives.Where(i => doomed.Any(d => Json.Same(d, i))).ToList())
                    {
                        primitives.Remove(item);
                    }
                }

                continue;
            }

            var childFields = new List<string>(fields) { name };
            if (value is null || value is JsonObject { Count: 1 } deleteMap && deleteMap["$patch"]?.ToString() == "delete")
            {
                result.Remove(name);
            }
            else if (value is JsonObject childPatch && !ObjectSchema.IsAtomicObject(childFields))
            {
                result[name] = Strategic(result[name] as JsonObject ?? [], childPatch, childFields, kind);
            }
            else if (value is JsonArray items && ObjectSchema.ListOf(kind, childFields) is { Type: ListType.Map } shape)
            {
                result[name] = MergeList(result[name] as JsonArray ?? [], items, shape, childFields, kind);
            }
            else if (value is JsonArray set && ObjectSchema.ListOf(kind, childFields).Type == ListType.Set)
            {
                var merged = result[name] as JsonArray ?? [];
                foreach (var item in set.Where(i => !merged.Any(m => Json.Same(m, i))))
                {
                    merged.Add(item?.DeepClone());
                }

                result[name] = merged;
            }
            else
            {
                result[name] = value.DeepClone();
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray target, JsonArray patch, ListShape shape, List<string> fields, string kind)
    {
        // The strategic patch merge key is the first list-map key (containerPort, port, name…).
        var mergeKey = shape.Keys[0];
        var result = (JsonArray)target.DeepClone();
        if (patch.Count == 1 && patch[0] is JsonObject only && only["$patch"]?.ToString() == "replace")
        {
            return [];
        }

        foreach (var item in patch.OfType<JsonObject>())
        {
            var key = item[mergeKey];
            var index = result.Select((existing, i) => (existing, i)).FirstOrDefault(x => Json.Same((x.existing as JsonObject)?[mergeKey], key), (null, -1)).i;
            if (item["$patch"]?.ToString() == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }
            }
            else if (index >= 0)
            {
                result[index] = Strategic((JsonObject)result[index]!, item, fields, kind);
            }
            else
            {
                var added = item.Clone();
                added.Remove("$patch");
                result.Add(added);
            }
        }

        return result;
    }

    /// <summary>RFC 6902 with RFC 6901 pointers.</summary>
    private static JsonObject JsonPatchApply(JsonObject target, JsonArray operations)
    {
        JsonNode root = target.Clone();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation.String("op");
            var path = operation.String("path") ?? throw ApiErrors.BadRequest("json patch operation without a path");
            switch (op)
            {
                case "add":
                    root = Set(root, path, operation["value"]?.DeepClone(), insert: true);
                    break;
                case "replace":
                    _ = Get(root, path) ?? throw ApiErrors.BadRequest($"the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: {path}");
                    root = Set(root, path, operation["value"]?.DeepClone(), insert: false);
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "move":
                case "copy":
                    var from = operation.String("from") ?? throw ApiErrors.BadRequest($"json patch {op} without from");
                    var value = Get(root, from)?.DeepClone();
                    if (op == "move")
                    {
                        Remove(root, from);
                    }

                    root = Set(root, path, value, insert: true);
                    break;
                case "test":
                    if (!Json.Same(Get(root, path), operation["value"]))
                    {
                        throw new FakeApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                default:
                    throw ApiErrors.BadRequest($"unexpected json patch operation \"{op}\"");
            }
        }

        return root as JsonObject ?? throw ApiErrors.BadRequest("a json patch must leave an object");
    }

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : [.. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static JsonNode? Get(JsonNode? node, string pointer)
    {
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o => o[token],
                JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        return node;
    }

    private static JsonNode Set(JsonNode root, string pointer, JsonNode? value, bool insert)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            return value ?? throw ApiErrors.BadRequest("json patch cannot set the document to null");
        }

        var parent = Get(root, pointer[..pointer.LastIndexOf('/')]);

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                if (insert)
                {
                    a.Insert(i, value);
                }
                else
                {
                    a[i] = value;
                }

                break;
            default:
                throw ApiErrors.BadRequest($"json patch: the path {pointer} does not exist");
        }

        return root;
    }

    private static void Remove(JsonNode root, string pointer)
    {
        var tokens = Tokens(pointer);
        var parent = Get(root, pointer[..pointer.LastIndexOf('/')]);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(tokens[^1]):
                o.Remove(tokens[^1]);
                break;
            case JsonArray a when int.TryParse(tokens[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw ApiErrors.BadRequest($"the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: {pointer}");
        }
    }
}
