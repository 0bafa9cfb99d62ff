using System.Reflection;

namespace Gitops.Cli;

/// <summary>One file of a starter, with its path relative to the target directory.</summary>
public sealed record StarterFile(string Path, string Content);

/// <summary>A starter app written by <c>paas init</c>.</summary>
public sealed record Starter(string Name, IReadOnlyList<StarterFile> Files);

/// <summary>
/// The starters embedded in the CLI (cli/Gitops.Cli/Starters/&lt;name&gt;/...). Adding a folder
/// there adds a template; a test inits and validates each one.
/// </summary>
public static class Starters
{
    private const string Prefix = "starters/";
    private static readonly Lazy<IReadOnlyList<Starter>> All = new(Load);

    public static IEnumerable<string> Names => All.Value.Select(s => s.Name);

    public static Starter? Find(string name) => All.Value.FirstOrDefault(s => s.Name == name);

    private static List<Starter> Load()
    {
        var assembly = typeof(Starters).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => (Name: n[Prefix.Length..].Split('/')[0], Resource: n))
            .GroupBy(r => r.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Starter(g.Key, g
                .Select(r => new StarterFile(r.Resource[(Prefix.Length + g.Key.Length + 1)..], Read(assembly, r.Resource)))
                .OrderBy(f => f.Path, StringComparer.Ordinal)
                .ToList()))
            .ToList();
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
