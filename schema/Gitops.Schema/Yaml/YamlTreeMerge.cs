namespace Gitops.Schema.Yaml;

/// <summary>
/// Merges an override tree over a base tree the way Compose and Helm values do: mappings merge
/// key by key, anything else (scalars, lists) is replaced whole. Nodes keep the place they were
/// written, so an error in the result still points at the right line.
/// </summary>
public static class YamlTreeMerge
{
    public static YNode Merge(YNode baseNode, YNode overrideNode)
    {
        if (baseNode is not YMapping baseMap || overrideNode is not YMapping overMap)
        {
            return overrideNode;
        }

        var entries = new List<YEntry>(baseMap.Entries.Count + overMap.Entries.Count);
        foreach (var entry in baseMap.Entries)
        {
            var over = overMap[entry.Key.Value];
            entries.Add(over is null ? entry : entry with { Value = Merge(entry.Value, over) });
        }

        foreach (var entry in overMap.Entries)
        {
            if (baseMap[entry.Key.Value] is null)
            {
                entries.Add(entry);
            }
        }

        return baseMap with { Entries = entries };
    }

    /// <summary>The mapping without the named keys.</summary>
    public static YMapping Without(YMapping map, params string[] keys) =>
        map with { Entries = map.Entries.Where(e => !keys.Contains(e.Key.Value)).ToList() };
}
