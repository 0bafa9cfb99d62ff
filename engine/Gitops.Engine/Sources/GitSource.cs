using Gitops.Schema.Diagnostics;
using Gitops.Schema.Loading;
using Gitops.Schema.Yaml;
using Gitops.Schema.Model;
using Gitops.Schema.Validation;
using LibGit2Sharp;

namespace Gitops.Engine.Sources;

/// <summary>A repository URL the platform refuses to fetch.</summary>
public sealed class RepositoryUrlException(string message) : Exception(message);

/// <summary>
/// Fetches watched repositories into a bare cache, one per repository, with libgit2: no hooks
/// ever run, submodules are never fetched, and only https:// and ssh:// URLs are accepted
/// (file:// only when the platform allows it, for local development and tests).
/// </summary>
public sealed partial class GitSource(string cacheDirectory, bool allowFileUrls = false)
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\Assh://([A-Za-z0-9_][A-Za-z0-9._-]*@)?([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/[A-Za-z0-9._~+/-]+\z")]
    private static partial System.Text.RegularExpressions.Regex SshUrl();

    /// <summary>
    /// Refuses what is not https://, ssh:// (or file:// when allowed), and any URL carrying
    /// credentials: a password or token in it would show wherever the URL does. A user name alone
    /// is fine for ssh:// (ssh://git@host/...), which authenticates with keys, never with the URL.
    /// </summary>
    public static void CheckUrl(string url, bool allowFileUrls)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (UserInfo(url) is { } user && (!url.StartsWith("ssh://", StringComparison.Ordinal) || user.Contains(':', StringComparison.Ordinal)))
        {
            throw new RepositoryUrlException($"repository URL '{Redact(url)}' carries credentials, which would show wherever the URL does; give the URL without them and the token on standard input: paas repo add {WithoutCredentials(url)} --project PROJECT --credential-stdin < token-file (through the API: \"credential\" in POST /api/v1/repositories)");
        }

        if (url.StartsWith("ssh://", StringComparison.Ordinal) && !SshUrl().IsMatch(url))
        {
            // The path reaches the Git host as a line its login shell reads (git-upload-pack 'PATH'), and
            // the user and host reach ssh as one argument: plain characters only, no option-like user.
            throw new RepositoryUrlException($"repository URL '{Redact(url)}' is refused: an ssh:// URL is ssh://[user@]host[:port]/path with letters, digits and . _ ~ + - / only (no quotes, $ ` \\ ! or spaces)");
        }

        var ok = Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme is "https" or "ssh" || (allowFileUrls && uri.Scheme == "file"))
            && !url.Contains("::", StringComparison.Ordinal) && !url.StartsWith('-')
            && url.All(c => !char.IsControl(c) && c != ' ');
        if (!ok)
        {
            throw new RepositoryUrlException($"repository URL '{Redact(url)}' is refused: use https:// or ssh://{(allowFileUrls ? " or file://" : "")} (for scp-like git@host:path, write ssh://git@host/path)");
        }
    }

    /// <summary>What stands before '@' in the URL's authority (user, or user:password), if anything.</summary>
    public static string? UserInfo(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return null;
        }

        var authority = url[(scheme + 3)..];
        authority = authority.IndexOfAny(['/', '?', '#']) is var end and >= 0 ? authority[..end] : authority;
        var at = authority.LastIndexOf('@');
        return at < 0 ? null : authority[..at];
    }

    /// <summary>The URL with any user information replaced by <c>***</c>, for messages.</summary>
    public static string Redact(string url) =>
        UserInfo(url) is { } user ? url.Replace($"://{user}@", "://***@", StringComparison.Ordinal) : url;

    /// <summary>The URL without its user information.</summary>
    public static string WithoutCredentials(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var redacted = Redact(url);
        return redacted == url ? url : redacted.Replace("://***@", "://", StringComparison.Ordinal);
    }

    /// <summary>
    /// Fetches every branch; returns branch name → commit id. A token answers an https server's
    /// challenge; an ssh:// URL needs the repository's own deploy key, and the host keys trusted
    /// after the fetch (pinned, or learned on this first one) go to <paramref name="hostKeysTrusted"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Fetch(string name, string url, RepositoryCredential? credential = null, Action<string>? hostKeysTrusted = null)
    {
        CheckUrl(url, allowFileUrls);
        var path = CachePath(name);
        if (!Directory.Exists(path))
        {
            Repository.Init(path, isBare: true);
        }

        using var repository = new Repository(path);
        if (repository.Network.Remotes["origin"] is { } origin && origin.Url != url)
        {
            repository.Network.Remotes.Update("origin", r => r.Url = url);
        }
        else if (repository.Network.Remotes["origin"] is null)
        {
            repository.Network.Remotes.Add("origin", url, "+refs/heads/*:refs/remotes/origin/*");
        }

        using (var ssh = OpenSsh(repository, path, url, credential))
        {
            WithSshErrors(ssh, () => Commands.Fetch(repository, "origin", ["+refs/heads/*:refs/remotes/origin/*"], new FetchOptions { TagFetchMode = TagFetchMode.None, Prune = true, CredentialsProvider = Credentials(url, credential) }, "paas fetch"));
            if (ssh?.LearnedHostKeys is { } keys && keys != (credential as SshKeyCredential)?.KnownHosts)
            {
                hostKeysTrusted?.Invoke(keys);
            }
        }

        return Branches(repository);
    }

    /// <summary>
    /// libgit2 asks only when the server challenges; the token is given for https alone, so it
    /// never goes to another scheme or to a host named by a redirect to plain http.
    /// </summary>
    internal static LibGit2Sharp.Handlers.CredentialsHandler? Credentials(string url, RepositoryCredential? credential) =>
        credential is not GitCredential token || !url.StartsWith("https://", StringComparison.Ordinal)
            ? null
            : (_, _, _) => new UsernamePasswordCredentials { Username = token.Username, Password = token.Token };

    /// <summary>libgit2 says only "could not read from remote"; ssh's own words say why (host key changed, key refused).</summary>
    private static void WithSshErrors(SshSession? ssh, Action action)
    {
        try
        {
            action();
        }
        catch (LibGit2SharpException e) when (ssh?.Errors is { Length: > 0 } errors)
        {
            throw new LibGit2SharpException($"{e.Message} (ssh: {errors})", e);
        }
    }

    /// <summary>For ssh:// only: the deploy key's files for the length of one fetch or push; a repository without a key is refused.</summary>
    private static SshSession? OpenSsh(Repository repository, string cachePath, string url, RepositoryCredential? credential)
    {
        if (!url.StartsWith("ssh://", StringComparison.Ordinal))
        {
            return null;
        }

        return credential is SshKeyCredential key
            ? SshSession.Open(repository, cachePath, key)
            : throw new RepositoryUrlException($"{Redact(url)} needs a deploy key of its own: paas repo rm PROJECT, then paas repo add {Redact(url)} --project PROJECT --ssh-key-stdin < deploy-key (the platform never lends a project the machine's SSH keys)");
    }

    /// <summary>Branch name → commit id, from the cache without fetching.</summary>
    public IReadOnlyDictionary<string, string> CachedBranches(string name)
    {
        if (!Directory.Exists(CachePath(name)))
        {
            return new Dictionary<string, string>();
        }

        using var repository = new Repository(CachePath(name));
        return Branches(repository);
    }

    public GitCommitTree Open(string name, string commit) => new(CachePath(name), name, commit);

    /// <summary>True when <paramref name="commit"/> descends from the branch's tip (or the branch does not exist): a fast-forward.</summary>
    /// <summary>
    /// Fetches one ref of the watched repository that is no branch: a pull request's head as its
    /// forge publishes it (<c>refs/pull/7/head</c>, <c>refs/merge-requests/7/head</c>), always
    /// from the registered URL. Null when the repository has no such ref.
    /// </summary>
    public string? FetchRef(string name, string url, string remoteRef, RepositoryCredential? credential = null)
    {
        CheckUrl(url, allowFileUrls);
        if (!PullRef().IsMatch(remoteRef))
        {
            throw new ArgumentException($"'{remoteRef}' is not a pull or merge request's head ref", nameof(remoteRef));
        }

        var local = "refs/paas-previews/" + remoteRef["refs/".Length..].Replace('/', '-');
        using var repository = new Repository(CachePath(name));
        repository.Refs.Remove(local); // a ref the forge deleted must not leave its last commit behind
        using (var ssh = OpenSsh(repository, CachePath(name), url, credential))
        {
            WithSshErrors(ssh, () => Commands.Fetch(repository, "origin", [$"+{remoteRef}:{local}"], new FetchOptions { TagFetchMode = TagFetchMode.None, CredentialsProvider = Credentials(url, credential) }, "paas fetch preview"));
        }

        return repository.Refs[local]?.ResolveToDirectReference().TargetIdentifier;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^refs/(pull|merge-requests)/[0-9]{1,9}/head$")]
    private static partial System.Text.RegularExpressions.Regex PullRef();

    public bool IsFastForward(string name, string branch, string commit)
    {
        using var repository = new Repository(CachePath(name));
        var tip = repository.Refs[$"refs/remotes/origin/{branch}"]?.ResolveToDirectReference().Target as LibGit2Sharp.Commit;
        var target = repository.Lookup<LibGit2Sharp.Commit>(commit) ?? throw new InvalidOperationException($"commit {commit} is not in the cache of {name}");
        return tip is null || repository.ObjectDatabase.FindMergeBase(tip, target)?.Sha == tip.Sha;
    }

    /// <summary>Sets a branch of the remote to a commit, without force: the remote refuses anything but a fast-forward.</summary>
    public void PushBranch(string name, string url, string commit, string branch, RepositoryCredential? credential = null)
    {
        CheckUrl(url, allowFileUrls);
        using var repository = new Repository(CachePath(name));
        using var ssh = OpenSsh(repository, CachePath(name), url, credential);
        var local = $"refs/heads/paas-push-{branch.Replace('/', '-')}";
        repository.Refs.Add(local, new ObjectId(commit), allowOverwrite: true);
        try
        {
            string? rejected = null;
            WithSshErrors(ssh, () => repository.Network.Push(repository.Network.Remotes["origin"], $"{local}:refs/heads/{branch}", new PushOptions
            {
                OnPushStatusError = error => rejected = error.Message,
                CredentialsProvider = Credentials(url, credential),
            }));
            if (rejected is not null)
            {
                throw new InvalidOperationException($"the remote refused {branch}: {rejected}");
            }
        }
        catch (BareRepositoryException)
        {
            // A forge's repository is bare; a working repository with a checkout cannot take pushes.
            throw new InvalidOperationException($"{url} is a working repository (it has a checkout), and Git does not push branches into one; "
                + $"watch a bare repository instead (git clone --bare), commit in a clone of it, and point the project at it with paas repo add URL --project {name}");
        }
        finally
        {
            repository.Refs.Remove(local);
        }
    }

    private string CachePath(string name) => Path.Combine(cacheDirectory, $"{name}.git");

    private static Dictionary<string, string> Branches(Repository repository) => repository.Refs
        .Where(r => r.CanonicalName.StartsWith("refs/remotes/origin/", StringComparison.Ordinal) && !r.CanonicalName.EndsWith("/HEAD", StringComparison.Ordinal))
        .ToDictionary(r => r.CanonicalName["refs/remotes/origin/".Length..], r => r.ResolveToDirectReference().TargetIdentifier, StringComparer.Ordinal);
}

/// <summary>One commit of a cached repository: the manifest and build contexts are read from its objects, never from a checkout.</summary>
public sealed class GitCommitTree(string repositoryPath, string repositoryName, string commit) : ISourceTree
{
    public string Description => $"{repositoryName}@{commit[..Math.Min(12, commit.Length)]}";

    public string? Commit => commit;

    public string? Tree
    {
        get
        {
            using var repository = new Repository(repositoryPath);
            return repository.Lookup<LibGit2Sharp.Commit>(commit)?.Tree.Sha;
        }
    }

    public CommitInfo? Info
    {
        get
        {
            using var repository = new Repository(repositoryPath);
            return repository.Lookup<LibGit2Sharp.Commit>(commit) is { } found ? CommitInfo.Of(found.Message, found.Author.Name, found.Author.When) : null;
        }
    }

    public ManifestLoadResult LoadManifest()
    {
        using var repository = new Repository(repositoryPath);
        var file = $"{Description}:{ManifestLoader.FileName}";
        if (repository.Lookup<LibGit2Sharp.Commit>(commit)?.Tree[ManifestLoader.FileName]?.Target is not Blob blob)
        {
            return ManifestLoadResult.Failure(ErrorCodes.FileNotFound, file, $"no {ManifestLoader.FileName} at the root of {Description}");
        }

        return blob.Size > YamlLimits.Default.MaxBytes
            ? ManifestLoadResult.Failure(ErrorCodes.FileTooLarge, file, $"the file is {blob.Size:N0} bytes; manifests are limited to {YamlLimits.Default.MaxBytes:N0}")
            : ManifestLoader.LoadText(blob.GetContentText(), file);
    }

    public BuildContextFiles BuildContext(BuildSpec build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var context = RepositoryPath.Normalize(build.Context)
            ?? throw new InvalidOperationException($"build context '{build.Context}' leaves the repository");
        using var repository = new Repository(repositoryPath);
        var root = repository.Lookup<LibGit2Sharp.Commit>(commit)?.Tree
            ?? throw new InvalidOperationException($"commit {commit} is not in the cache of {repositoryName}");
        var tree = context == "." ? root : root[context]?.Target as Tree
            ?? throw new InvalidOperationException($"build context '{context}' is not a directory in {Description}");

        // Contents are read into memory here: the repository is closed before the build streams them.
        var entries = new List<ContextEntry>();
        var pending = new Stack<(Tree Tree, string Prefix)>([(tree, "")]);
        while (pending.Count > 0)
        {
            var (current, prefix) = pending.Pop();
            foreach (var entry in current)
            {
                var path = prefix + entry.Name;
                switch (entry.Mode)
                {
                    case Mode.Directory:
                        entries.Add(new ContextEntry(path, true, null, (UnixFileMode)0b111_101_101, null));
                        pending.Push(((Tree)entry.Target, path + "/"));
                        break;
                    case Mode.SymbolicLink:
                        entries.Add(new ContextEntry(path, false, ((Blob)entry.Target).GetContentText(), (UnixFileMode)0b111_111_111, null));
                        break;
                    case Mode.ExecutableFile or Mode.NonExecutableFile:
                        var bytes = ReadAll((Blob)entry.Target);
                        var mode = entry.Mode == Mode.ExecutableFile ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100;
                        entries.Add(new ContextEntry(path, false, null, mode, () => new MemoryStream(bytes, writable: false)));
                        break;
                    default:
                        break; // Submodules (gitlinks) are never fetched, so there is nothing to send.
                }
            }
        }

        var ignore = entries.FirstOrDefault(e => e.RelativePath == ".dockerignore" && e.Open is not null) is { } file
            ? new DockerIgnore(new StreamReader(file.Open!()).ReadToEnd().Split('\n'))
            : new DockerIgnore([]);
        return BuildContextFiles.Create($"{Description}:{context}", entries, ignore, build);
    }

    private static byte[] ReadAll(Blob blob)
    {
        using var stream = blob.GetContentStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
