using Gitops.Schema.Loading;
using Gitops.Schema.Model;

namespace Gitops.Engine.Sources;

/// <summary>
/// The files a deploy reads: a local directory (<c>paas apply DIR</c>) or one commit of a
/// watched repository (the GitOps loop). Builds never read a working directory of a repository.
/// </summary>
public interface ISourceTree
{
    /// <summary>For messages: a directory path, or repository@commit.</summary>
    string Description { get; }

    /// <summary>The commit for a repository; null for a local directory.</summary>
    string? Commit { get; }

    /// <summary>The commit's root tree id; null for a local directory.</summary>
    string? Tree { get; }

    /// <summary>The commit's message, author and time; null for a local directory.</summary>
    CommitInfo? Info => null;

    ManifestLoadResult LoadManifest();

    /// <summary>The build context of a service, read from this tree.</summary>
    BuildContextFiles BuildContext(BuildSpec build);
}

/// <summary>A directory on this machine, as <c>paas plan/apply DIR</c> use.</summary>
public sealed class DirectoryTree(string directory) : ISourceTree
{
    public string Description => directory;

    public string? Commit => null;

    public string? Tree => null;

    public ManifestLoadResult LoadManifest() => ManifestLoader.LoadPath(directory);

    public BuildContextFiles BuildContext(BuildSpec build)
    {
        ArgumentNullException.ThrowIfNull(build);
        return BuildContextFiles.Read(BuildContextFiles.ResolveInside(directory, build.Context), build);
    }
}
