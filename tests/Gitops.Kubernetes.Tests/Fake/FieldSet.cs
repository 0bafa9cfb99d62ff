using System.Text;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// A set of field paths in the managedFields encoding (<c>f:spec</c>, <c>k:{"name":"web"}</c>,
/// <c>v:"x"</c>), each path its elements joined by a newline (never part of an element, which is JSON).
/// </summary>
internal sealed class FieldSet
{
    public const char Separator = '\n';

    private readonly HashSet<string> paths;

    public FieldSet()
        : this([])
    {
    }

    private FieldSet(IEnumerable<string> paths) => this.paths = new HashSet<string>(paths, StringComparer.Ordinal);

    public bool IsEmpty => paths.Count == 0;

    public IReadOnlyCollection<string> Paths => paths;

    public static string Join(string prefix, string element) => prefix.Length == 0 ? element : prefix + Separator + element;

    public void Add(string path) => paths.Add(path);

    public bool Contains(string path) => paths.Contains(path);

    /// <summary>Whether the set holds the path or anything under it.</summary>
    public bool Covers(string path) => paths.Contains(path) || paths.Any(p => p.StartsWith(path + Separator, StringComparison.Ordinal));

    public FieldSet Union(FieldSet other) => new(paths.Concat(other.paths));

    public FieldSet Except(FieldSet other) => new(paths.Where(p => !other.paths.Contains(p)));

    public FieldSet Intersect(FieldSet other) => new(paths.Where(other.paths.Contains));

    public FieldSet Where(Func<string, bool> keep) => new(paths.Where(keep));

    public bool SetEquals(FieldSet other) => paths.SetEquals(other.paths);

    /// <summary>The fieldsV1 tree: <c>{"f:spec":{"f:replicas":{}}}</c>, with <c>".": {}</c> where a path and paths under it are both members.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var element in path.Split(Separator))
            {
                if (node[element] is not JsonObject next)
                {
                    next = [];
                    node[element] = next;
                }

                node = next;
            }
        }

        MarkMembers(root, "");
        return root;

        void MarkMembers(JsonObject node, string prefix)
        {
            foreach (var (element, child) in node.ToList())
            {
                var path = Join(prefix, element);
                var childObject = (JsonObject)child!;
                if (childObject.Count > 0)
                {
                    MarkMembers(childObject, path);
                    if (paths.Contains(path))
                    {
                        var ordered = new JsonObject { ["."] = new JsonObject() };
                        foreach (var (k, v) in childObject.ToList())
                        {
                            childObject.Remove(k);
                            ordered[k] = v;
                        }

                        node[element] = ordered;
                    }
                }
            }
        }
    }

    public static FieldSet FromFieldsV1(JsonObject? tree)
    {
        var set = new FieldSet();
        if (tree is not null)
        {
            Read(tree, "");
        }

        return set;

        void Read(JsonObject node, string prefix)
        {
            foreach (var (element, child) in node)
            {
                if (element == ".")
                {
                    set.Add(prefix);
                    continue;
                }

                var path = Join(prefix, element);
                if (child is JsonObject { Count: > 0 } childObject)
                {
                    Read(childObject, path);
                }
                else
                {
                    set.Add(path);
                }
            }
        }
    }

    /// <summary>The path as structured-merge-diff prints it: <c>.spec.template.spec.containers[name="web"].image</c>.</summary>
    public static string Describe(string path)
    {
        var text = new StringBuilder();
        foreach (var element in path.Split(Separator))
        {
            var body = element[2..];
            switch (element[0])
            {
                case 'f':
                    text.Append('.').Append(body);
                    break;
                case 'k':
                    var key = JsonNode.Parse(body)!.AsObject();
                    text.Append('[').AppendJoin(",", key.Select(p => $"{p.Key}={p.Value?.Text()}")).Append(']');
                    break;
                case 'v':
                    text.Append("[=").Append(body).Append(']');
                    break;
                default:
                    text.Append('[').Append(body).Append(']');
                    break;
            }
        }

        return text.ToString();
    }
}
