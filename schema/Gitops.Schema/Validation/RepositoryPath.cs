namespace Gitops.Schema.Validation;

/// <summary>Lexical checks for paths inside a repository (build context, Dockerfile).</summary>
public static class RepositoryPath
{
    /// <summary>
    /// The path normalized to forward slashes without <c>.</c> segments, or null when it is absolute
    /// or climbs out of the repository. Symlinks are the source layer's concern; this is the text.
    /// </summary>
    public static string? Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal)
            || path.StartsWith('/') || path.StartsWith('~') || (path.Length > 1 && path[1] == ':'))
        {
            return null;
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return null;
                }

                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        return segments.Count == 0 ? "." : string.Join('/', segments);
    }

    /// <summary>Joins a path relative to a directory that is itself relative to the repository.</summary>
    public static string? Combine(string directory, string path) =>
        Normalize(directory) is { } root && !path.StartsWith('/') ? Normalize($"{root}/{path}") : null;
}
