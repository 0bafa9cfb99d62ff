using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// A label selector in the query syntax: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>,
/// <c>k notin (a)</c>, <c>k</c>, <c>!k</c>; commas outside parentheses are AND.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> requirements = [];

    public static readonly LabelSelector Everything = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in SplitTopLevel(text))
        {
            selector.requirements.Add(Requirement(part.Trim(), text));
        }

        return selector;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => requirements.All(r => r(labels));

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> Requirement(string part, string whole)
    {
        if (part.Length == 0)
        {
            throw Invalid(whole);
        }

        if (part.StartsWith('!'))
        {
            var key = Key(part[1..].Trim(), whole);
            return labels => !labels.ContainsKey(key);
        }

        foreach (var (op, length) in new[] { ("!=", 2), ("==", 2), ("=", 1) })
        {
            var at = part.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = Key(part[..at].Trim(), whole);
                var value = part[(at + length)..].Trim();
                return op == "!="
                    ? labels => !labels.TryGetValue(key, out var v) || v != value
                    : labels => labels.TryGetValue(key, out var v) && v == value;
            }
        }

        var words = part.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 1)
        {
            var key = Key(words[0], whole);
            return labels => labels.ContainsKey(key);
        }

        var rest = words[1];
        var notIn = rest.StartsWith("notin", StringComparison.Ordinal);
        if (!notIn && !rest.StartsWith("in", StringComparison.Ordinal))
        {
            throw Invalid(whole);
        }

        var list = rest[(notIn ? 5 : 2)..].Trim();
        if (!list.StartsWith('(') || !list.EndsWith(')'))
        {
            throw Invalid(whole);
        }

        var values = list[1..^1].Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var name = Key(words[0], whole);
        return notIn
            ? labels => !labels.TryGetValue(name, out var v) || !values.Contains(v)
            : labels => labels.TryGetValue(name, out var v) && values.Contains(v);
    }

    private static string Key(string key, string whole) =>
        key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or '!' or '=') ? throw Invalid(whole) : key;

    private static FakeApiException Invalid(string whole) =>
        ApiErrors.BadRequest($"unable to parse requirement: found '{whole}', expected: identifier, !, in, notin, =, ==, !=");
}

/// <summary>A field selector: <c>metadata.name=x</c>, <c>metadata.namespace==y</c>, <c>status.phase!=Running</c>; comma is AND.</summary>
internal sealed class FieldSelector
{
    private static readonly string[] EqualsSigns = ["==", "="];

    private readonly List<(string[] Path, string Value, bool Equal)> terms = [];

    public static readonly FieldSelector Everything = new();

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var notEqual = part.IndexOf("!=", StringComparison.Ordinal);
            var (field, value, equal) = notEqual > 0
                ? (part[..notEqual], part[(notEqual + 2)..], false)
                : part.Split(EqualsSigns, 2, StringSplitOptions.None) is [var f, var v]
                    ? (f, v, true)
                    : throw ApiErrors.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            selector.terms.Add((field.Trim().Split('.'), value.Trim(), equal));
        }

        return selector;
    }

    public bool Matches(JsonObject value) => terms.All(t => (value.String(t.Path) ?? "") == t.Value == t.Equal);
}
