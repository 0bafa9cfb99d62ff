using LibGit2Sharp;

namespace Gitops.Cli;

/// <summary>
/// The Git repositories <c>paas quickstart</c> deploys from, laid out like a forge's: a bare
/// repository the platform watches and pushes promotion branches to (<c>NAME.git</c>), and a
/// working clone the user commits in and pushes from (<c>NAME</c>). The sample (samples/hello,
/// embedded in the CLI) is committed on <c>main</c> and <c>develop</c>, the branches its
/// environments follow.
/// </summary>
internal sealed record SampleRepository(string Bare, string Work)
{
    private const string Prefix = "samples/hello/";

    public static SampleRepository In(string dataDirectory, string project) =>
        new(Path.Combine(dataDirectory, project + ".git"), Path.Combine(dataDirectory, project));

    public string Url => new Uri(Bare).AbsoluteUri;

    /// <returns>What was done, for the quick start's progress line.</returns>
    /// <param name="project">The project name written in the sample's paas.yaml (the sample says <c>hello</c>).</param>
    public string EnsureCreated(string project)
    {
        if (Repository.IsValid(Bare))
        {
            return $"using the repository {Bare} and its clone {Work}";
        }

        // Before the forge layout, the quick start watched the working repository itself, and
        // promotion could not push into it: its branches move into a new bare repository.
        var existing = Repository.IsValid(Work);
        if (!existing)
        {
            CommitSample(project);
        }

        Repository.Init(Bare, isBare: true);
        using (var bare = new Repository(Bare))
        {
            bare.Refs.UpdateTarget("HEAD", "refs/heads/main");
        }

        PublishBranches();
        return existing
            ? $"moved the branches of {Work} into the bare repository {Bare}, which the platform now watches; {Work} is its clone"
            : $"created the repository {Bare} from samples/hello (branches main → production, develop → dev) and its clone {Work}";
    }

    private void CommitSample(string project)
    {
        Repository.Init(Work);
        using var repository = new Repository(Work);
        repository.Refs.UpdateTarget("HEAD", "refs/heads/main"); // whatever init.defaultBranch says
        var assembly = typeof(SampleRepository).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var path = Path.Combine(Work, resource[Prefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var source = assembly.GetManifestResourceStream(resource)!;
            using var target = File.Create(path);
            source.CopyTo(target);
        }

        NameProject(Path.Combine(Work, "paas.yaml"), project);
        LibGit2Sharp.Commands.Stage(repository, "*");
        var author = new Signature("paas quickstart", "quickstart@localhost", DateTimeOffset.UtcNow);
        var commit = repository.Commit("hello: the quickstart sample", author, author);
        repository.CreateBranch("develop", commit);
    }

    /// <summary>The clone's branches go to the bare repository as <c>origin</c>, each tracking it, so a plain <c>git push</c> works.</summary>
    private void PublishBranches()
    {
        using var work = new Repository(Work);
        if (work.Network.Remotes["origin"] is null)
        {
            work.Network.Remotes.Add("origin", Bare);
        }
        else
        {
            work.Network.Remotes.Update("origin", r => r.Url = Bare);
        }

        var branches = work.Branches.Where(b => !b.IsRemote).ToList();
        work.Network.Push(work.Network.Remotes["origin"], branches.Select(b => $"{b.CanonicalName}:{b.CanonicalName}"), new PushOptions());
        foreach (var branch in branches)
        {
            work.Branches.Update(branch, b => b.Remote = "origin", b => b.UpstreamBranch = branch.CanonicalName);
        }
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
