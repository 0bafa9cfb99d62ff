namespace Gitops.Schema.Import;

/// <summary>The variable names of a Compose env file (<c>NAME=value</c> lines, <c>export</c>, comments); values are never read.</summary>
public static class DotEnv
{
    public static IReadOnlyList<string> Names(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var names = new List<string>();
        var quote = '\0';
        foreach (var raw in content.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (quote != '\0')
            {
                // Inside a quoted value that spans lines: it ends at the line that closes the quote.
                quote = line.EndsWith(quote) ? '\0' : quote;
                continue;
            }

            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? line : line[..equals]).Trim();
            if (name.Length > 0 && !names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }

            var value = equals < 0 ? "" : line[(equals + 1)..].TrimStart();
            if (value.Length > 0 && value[0] is '"' or '\'' && (value.Length == 1 || !value[1..].Contains(value[0], StringComparison.Ordinal)))
            {
                quote = value[0];
            }
        }

        return names;
    }
}
