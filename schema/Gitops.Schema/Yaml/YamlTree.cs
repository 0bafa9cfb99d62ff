namespace Gitops.Schema.Yaml;

/// <summary>
/// A YAML node with the place it was written. Our own small tree instead of YamlDotNet's
/// representation model: it is built without recursion (so depth is bounded by us, not by the
/// stack) and aliases share nodes instead of copying them.
/// </summary>
public abstract record YNode(int Line, int Column);

/// <summary>A scalar as written; <see cref="Plain"/> tells an unquoted word from a quoted string.</summary>
public sealed record YScalar(string Value, bool Plain, int Line, int Column) : YNode(Line, Column)
{
    /// <summary>YAML's null: an empty plain scalar, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

public sealed record YSequence(IReadOnlyList<YNode> Items, int Line, int Column) : YNode(Line, Column);

public sealed record YEntry(YScalar Key, YNode Value);

public sealed record YMapping(IReadOnlyList<YEntry> Entries, int Line, int Column) : YNode(Line, Column)
{
    public YNode? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key)?.Value;
}
