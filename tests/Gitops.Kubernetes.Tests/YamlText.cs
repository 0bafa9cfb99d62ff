using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// JSON objects written as block YAML, keys in the order the object has them, strings quoted only
/// when YAML would read them as something else: the golden files read as the manifests people
/// write for kubectl.
/// </summary>
internal static class YamlText
{
    public static string Write(JsonNode node)
    {
        var text = new StringBuilder();
        Node(text, node, 0, inList: false);
        return text.ToString();
    }

    private static void Node(StringBuilder text, JsonNode? node, int indent, bool inList)
    {
        switch (node)
        {
            case JsonObject { Count: 0 }:
                text.Append(" {}\n");
                break;
            case JsonObject map:
                var first = true;
                foreach (var (key, value) in map)
                {
                    if (!(inList && first))
                    {
                        text.Append(' ', indent);
                    }

                    first = false;
                    text.Append(Scalar(key)).Append(':');
                    Value(text, value, indent);
                }

                break;
            case JsonArray { Count: 0 }:
                text.Append(" []\n");
                break;
            default:
                text.Append(' ').Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void Value(StringBuilder text, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } map:
                text.Append('\n');
                Node(text, map, indent + 2, inList: false);
                break;
            case JsonArray { Count: > 0 } list:
                text.Append('\n');
                foreach (var item in list)
                {
                    text.Append(' ', indent).Append("- ");
                    if (item is JsonObject { Count: > 0 } entry)
                    {
                        Node(text, entry, indent + 2, inList: true);
                    }
                    else
                    {
                        text.Append(Scalar(item)).Append('\n');
                    }
                }

                break;
            default:
                Node(text, value, indent, inList: false);
                break;
        }
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => Scalar(s),
        _ => node.ToJsonString(),
    };

    private static string Scalar(string s)
    {
        var plain = s.Length > 0
            && !s.Any(c => ":#{}[],&*!|>'\"%@`\n".Contains(c, StringComparison.Ordinal))
            && !char.IsWhiteSpace(s[0]) && !char.IsWhiteSpace(s[^1]) && s[0] != '-' && s[0] != '?'
            && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && s is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "~");
        return plain ? s : System.Text.Json.JsonSerializer.Serialize(s);
    }
}
