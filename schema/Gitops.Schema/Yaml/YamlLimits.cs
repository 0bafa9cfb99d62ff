namespace Gitops.Schema.Yaml;

/// <summary>
/// Bounds that make hostile YAML fail fast with bounded memory. A real manifest of a few
/// hundred services stays far below each of them.
/// </summary>
public sealed record YamlLimits
{
    public static readonly YamlLimits Default = new();

    /// <summary>Largest accepted file, in bytes.</summary>
    public long MaxBytes { get; init; } = 1024 * 1024;

    /// <summary>Deepest nesting of mappings and sequences.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most nodes the document may have once every alias is expanded (billion laughs).</summary>
    public long MaxExpandedNodes { get; init; } = 100_000;
}
