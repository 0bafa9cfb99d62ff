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
    /// <param name="project">The project name written in the sample's paas.yaml (the sample says <c>hello</c>).</param>
    public static bool EnsureCreated(string directory, string project)
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

        NameProject(Path.Combine(directory, "paas.yaml"), project);

        LibGit2Sharp.Commands.Stage(repository, "*");
        var author = new Signature("paas quickstart", "quickstart@localhost", DateTimeOffset.UtcNow);
        var commit = repository.Commit("hello: the quickstart sample", author, author);
        repository.CreateBranch("develop", commit);
        return true;
    }

    private static void NameProject(string manifest, string project)
    {
        const string Line = "\nproject: hello\n";
        var text = File.ReadAllText(manifest);
        if (!text.Contains(Line, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("samples/hello/paas.yaml no longer says 'project: hello' on a line of its own; update SampleRepository");
        }

        File.WriteAllText(manifest, text.Replace(Line, $"\nproject: {project}\n", StringComparison.Ordinal));
    }
}
