using LibGit2Sharp;

namespace Gitops.Cli;

/// <summary>
/// The Git repository <c>paas quickstart</c> deploys from: samples/hello (embedded in the CLI)
/// committed on <c>main</c> and <c>develop</c>, the branches its environments follow. It is an
/// ordinary repository: a commit in it is what the platform deploys next.
/// </summary>
internal static class SampleRepository
{
    private const string Prefix = "samples/hello/";

    /// <returns>True when it was created; false when it existed already (kept as the user left it).</returns>
    public static bool EnsureCreated(string directory)
    {
        if (Repository.IsValid(directory))
        {
            return false;
        }

        Repository.Init(directory);
        using var repository = new Repository(directory);
        repository.Refs.UpdateTarget("HEAD", "refs/heads/main"); // whatever init.defaultBranch says
        var assembly = typeof(SampleRepository).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var path = Path.Combine(directory, resource[Prefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var source = assembly.GetManifestResourceStream(resource)!;
            using var target = File.Create(path);
            source.CopyTo(target);
        }

        LibGit2Sharp.Commands.Stage(repository, "*");
        var author = new Signature("paas quickstart", "quickstart@localhost", DateTimeOffset.UtcNow);
        var commit = repository.Commit("hello: the quickstart sample", author, author);
        repository.CreateBranch("develop", commit);
        return true;
    }
}
