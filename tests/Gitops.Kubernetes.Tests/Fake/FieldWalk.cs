using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// Schema-aware walks over objects: the fields a value sets, what changed between two versions, the
/// apply merge, and removing a field. Keyed lists are walked item by item, atomic parts as one leaf.
/// </summary>
internal static class FieldWalk
{
    /// <summary>The leaf fields and list items <paramref name="value"/> sets (structured-merge-diff's ToFieldSet).</summary>
    public static FieldSet FieldsOf(JsonObject value, string kind)
    {
        var set = new FieldSet();
        foreach (var (name, child) in value)
        {
            Collect(child, FieldSet.Join("", "f:" + name), [name], kind, set);
        }

        return set;
    }

    private static void Collect(JsonNode? node, string path, List<string> fields, string kind, FieldSet set)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0 && !ObjectSchema.IsAtomicObject(fields):
                foreach (var (name, child) in o)
                {
                    Collect(child, FieldSet.Join(path, "f:" + name), [.. fields, name], kind, set);
                }

                break;
            case JsonArray a when a.Count > 0 && ObjectSchema.ListOf(kind, fields) is { Type: not ListType.Atomic } shape:
                foreach (var item in a)
                {
                    var itemPath = FieldSet.Join(path, ObjectSchema.ItemElement(shape, item));
                    set.Add(itemPath);
                    if (shape.Type == ListType.Map && item is JsonObject itemObject)
                    {
                        foreach (var (name, child) in itemObject)
                        {
                            Collect(child, FieldSet.Join(itemPath, "f:" + name), [.. fields, name], kind, set);
                        }
                    }
                }

                break;
            default:
                set.Add(path);
                break;
        }
    }

    /// <summary>What changed from <paramref name="before"/> to <paramref name="after"/>: fields added or modified, and fields removed.</summary>
    public static (FieldSet Changed, FieldSet Removed) Compare(JsonObject? before, JsonObject after, string kind)
    {
        var changed = new FieldSet();
        var removed = new FieldSet();
        CompareNodes(before ?? [], after, "", [], kind, changed, removed);
        return (changed, removed);
    }

    private static void CompareNodes(JsonNode? before, JsonNode? after, string path, List<string> fields, string kind, FieldSet changed, FieldSet removed)
    {
        if (before is JsonObject bo && after is JsonObject ao && (path.Length == 0 || !ObjectSchema.IsAtomicObject(fields)))
        {
            foreach (var (name, child) in ao)
            {
                var childPath = FieldSet.Join(path, "f:" + name);
                if (bo.TryGetPropertyValue(name, out var old))
                {
                    CompareNodes(old, child, childPath, [.. fields, name], kind, changed, removed);
                }
                else
                {
                    Collect(child, childPath, [.. fields, name], kind, changed);
                }
            }

            foreach (var (name, old) in bo.Where(p => !ao.ContainsKey(p.Key)))
            {
                var childPath = FieldSet.Join(path, "f:" + name);
                removed.Add(childPath);
                Collect(old, childPath, [.. fields, name], kind, removed);
            }

            return;
        }

        if (before is JsonArray ba && after is JsonArray aa && ObjectSchema.ListOf(kind, fields) is { Type: not ListType.Atomic } shape)
        {
            var olds = ba.GroupBy(i => ObjectSchema.ItemElement(shape, i)).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var news = aa.GroupBy(i => ObjectSchema.ItemElement(shape, i)).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var (element, item) in news)
            {
                var itemPath = FieldSet.Join(path, element);
                if (!olds.TryGetValue(element, out var old))
                {
                    changed.Add(itemPath);
                    Collect(new JsonArray(item?.DeepClone()), path, fields, kind, changed);
                }
                else if (shape.Type == ListType.Map)
                {
                    CompareItem(old as JsonObject ?? [], item as JsonObject ?? [], itemPath, fields, kind, changed, removed);
                }
            }

            foreach (var (element, old) in olds.Where(p => !news.ContainsKey(p.Key)))
            {
                removed.Add(FieldSet.Join(path, element));
                Collect(new JsonArray(old?.DeepClone()), path, fields, kind, removed);
            }

            return;
        }

        if (!Json.Same(before, after))
        {
            changed.Add(path);
            if (before is JsonObject or JsonArray)
            {
                var gone = new FieldSet();
                Collect(before, path, fields, kind, gone);
                foreach (var p in gone.Paths.Where(p => p != path))
                {
                    removed.Add(p);
                }
            }
        }
    }

    private static void CompareItem(JsonObject before, JsonObject after, string itemPath, List<string> fields, string kind, FieldSet changed, FieldSet removed)
    {
        foreach (var (name, child) in after)
        {
            var childPath = FieldSet.Join(itemPath, "f:" + name);
            if (before.TryGetPropertyValue(name, out var old))
            {
                CompareNodes(old, child, childPath, [.. fields, name], kind, changed, removed);
            }
            else
            {
                Collect(child, childPath, [.. fields, name], kind, changed);
            }
        }

        foreach (var (name, old) in before.Where(p => !after.ContainsKey(p.Key)))
        {
            var childPath = FieldSet.Join(itemPath, "f:" + name);
            removed.Add(childPath);
            Collect(old, childPath, [.. fields, name], kind, removed);
        }
    }

    /// <summary>The apply merge: maps merge, keyed lists merge item by item, sets unite, everything else is replaced.</summary>
    public static JsonObject Merge(JsonObject live, JsonObject config, string kind) => (JsonObject)MergeNodes(live, config, [], kind, root: true)!;

    private static JsonNode? MergeNodes(JsonNode? live, JsonNode? config, List<string> fields, string kind, bool root = false)
    {
        if (config is JsonObject co && live is JsonObject lo && (root || !ObjectSchema.IsAtomicObject(fields)))
        {
            var result = lo.Clone();
            foreach (var (name, value) in co)
            {
                result[name] = MergeNodes(lo[name], value, [.. fields, name], kind);
            }

            return result;
        }

        if (config is JsonArray ca && live is JsonArray la && ObjectSchema.ListOf(kind, fields) is { Type: not ListType.Atomic } shape)
        {
            var result = (JsonArray)la.DeepClone();
            foreach (var item in ca)
            {
                var element = ObjectSchema.ItemElement(shape, item);
                var index = IndexOf(result, shape, element);
                if (index < 0)
                {
                    result.Add(item?.DeepClone());
                }
                else if (shape.Type == ListType.Map)
                {
                    result[index] = MergeItem(result[index] as JsonObject ?? [], item as JsonObject ?? [], fields, kind);
                }
            }

            return result;
        }

        return config?.DeepClone();
    }

    private static JsonObject MergeItem(JsonObject live, JsonObject config, List<string> fields, string kind)
    {
        var result = live.Clone();
        foreach (var (name, value) in config)
        {
            result[name] = MergeNodes(live[name], value, [.. fields, name], kind);
        }

        return result;
    }

    public static int IndexOf(JsonArray list, ListShape shape, string element)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ObjectSchema.ItemElement(shape, list[i]) == element)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Removes the field or list item at <paramref name="path"/>, then the maps and lists that removal left empty.</summary>
    public static void Remove(JsonObject root, string path, string kind)
    {
        var elements = path.Split(FieldSet.Separator);
        var trail = new List<(JsonNode Container, string Element, List<string> Fields)>();
        JsonNode? node = root;
        var fields = new List<string>();
        foreach (var element in elements)
        {
            if (node is null)
            {
                return;
            }

            trail.Add((node, element, [.. fields]));
            if (element.StartsWith("f:", StringComparison.Ordinal))
            {
                fields.Add(element[2..]);
                node = (node as JsonObject)?[element[2..]];
            }
            else if (node is JsonArray list)
            {
                var index = IndexOf(list, ObjectSchema.ListOf(kind, fields), element);
                node = index < 0 ? null : list[index];
            }
            else
            {
                return;
            }
        }

        if (node is null && !(trail[^1].Container is JsonObject last && last.ContainsKey(trail[^1].Element[2..])))
        {
            return;
        }

        for (var i = trail.Count - 1; i >= 0; i--)
        {
            var (container, element, containerFields) = trail[i];
            if (container is JsonObject o)
            {
                o.Remove(element[2..]);
            }
            else if (container is JsonArray a)
            {
                var index = IndexOf(a, ObjectSchema.ListOf(kind, containerFields), element);
                if (index >= 0)
                {
                    a.RemoveAt(index);
                }
            }

            // Keep climbing only while the removal emptied a map or list below spec/metadata level.
            var emptied = container switch
            {
                JsonObject co => co.Count == 0,
                JsonArray ca => ca.Count == 0,
                _ => false,
            };
            if (!emptied || i <= 1)
            {
                return;
            }
        }
    }
}
