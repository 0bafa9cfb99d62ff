using Gitops.Schema.Loading;

namespace Gitops.Schema.Tests;

/// <summary>The manifests people copy from (samples, paas.yaml.example) are valid and editor-ready.</summary>
public sealed class SampleManifestTests
{
    public static TheoryData<string> Files() => new(RepositoryFiles.Manifests());

    [Theory]
    [MemberData(nameof(Files))]
    public void Manifest_is_valid(string relativePath)
    {
        var result = ManifestLoader.LoadPath(Path.Combine(RepositoryRoot.Path, relativePath));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.NotEmpty(result.Manifest!.Services);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Manifest_starts_with_the_schema_modeline_that_resolves(string relativePath)
    {
        var path = Path.Combine(RepositoryRoot.Path, relativePath);
        var first = File.ReadLines(path).First();

        Assert.StartsWith("# yaml-language-server: $schema=", first, StringComparison.Ordinal);
        var schema = first["# yaml-language-server: $schema=".Length..].Trim();
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, schema)), $"{schema} does not exist next to {relativePath}");
    }

    [Fact]
    public void Repository_has_a_web_sample_and_a_web_worker_cron_sample()
    {
        var manifests = RepositoryFiles.Manifests().Where(f => f.StartsWith("samples/", StringComparison.Ordinal))
            .Select(f => ManifestLoader.LoadPath(Path.Combine(RepositoryRoot.Path, f)).Manifest!)
            .ToList();

        Assert.Contains(manifests, m => m.Services.Values.Any(s => s.Public && s.Build is not null));
        Assert.Contains(manifests, m => m.Services.Count >= 2 && m.Crons.Count >= 1 && m.Services.Values.Any(s => !s.Public));
    }
}
