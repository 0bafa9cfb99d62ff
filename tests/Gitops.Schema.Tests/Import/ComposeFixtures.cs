using Gitops.Schema.Import;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;

namespace Gitops.Schema.Tests.Import;

/// <summary>The Compose files under tests/Compose, imported the way paas import does (env files read beside them).</summary>
internal static class ComposeFixtures
{
    public static string Directory => Path.Combine(RepositoryRoot.Path, "tests", "Compose");

    public static IEnumerable<string> Names() =>
        System.IO.Directory.GetDirectories(Directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    private static readonly string[] ComposeFileNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    public static string FileOf(string name) =>
        ComposeFileNames.Select(f => Path.Combine(Directory, name, f)).First(File.Exists);

    public static ComposeImportResult Import(string name)
    {
        var file = FileOf(name);
        var directory = Path.GetDirectoryName(file)!;
        return ComposeImport.Import(File.ReadAllText(file), file, new ComposeImportOptions
        {
            FallbackProject = name,
            ReadFile = path => File.Exists(Path.Combine(directory, path)) ? File.ReadAllText(Path.Combine(directory, path)) : null,
        });
    }

    /// <summary>The written paas.yaml, loaded back as paas validate reads it.</summary>
    public static Manifest Manifest(ComposeImportResult result)
    {
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var loaded = ManifestLoader.LoadText(result.Manifest!, "paas.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + result.Manifest);
        return loaded.Manifest!;
    }

    public static ComposeNote Note(this ComposeImportResult result, string service, string key) =>
        result.Notes.FirstOrDefault(n => n.Service == service && n.Key == key)
        ?? throw new Xunit.Sdk.XunitException($"no note on {service}: {key}; notes:\n{string.Join("\n", result.Notes)}");

    public static IEnumerable<ComposeNote> Notes(this ComposeImportResult result, string service, string key) =>
        result.Notes.Where(n => n.Service == service && n.Key == key);
}
