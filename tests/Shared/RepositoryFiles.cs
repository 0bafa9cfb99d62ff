namespace Gitops.Tests;

public static class RepositoryFiles
{
    /// <summary>Every manifest a user copies from: samples/*/paas.yaml and paas.yaml.example, relative to the root.</summary>
    public static IEnumerable<string> Manifests() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "samples"), "paas.yaml", SearchOption.AllDirectories)
            .Append(Path.Combine(RepositoryRoot.Path, "paas.yaml.example"))
            .Select(p => Path.GetRelativePath(RepositoryRoot.Path, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
}
