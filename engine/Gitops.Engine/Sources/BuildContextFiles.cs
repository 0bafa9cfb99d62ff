using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gitops.Schema.Model;
using Gitops.Schema.Validation;

namespace Gitops.Engine.Sources;

/// <summary>One entry of a build context: a file (with a way to read it), a directory, or a symlink that stays inside.</summary>
public sealed record ContextEntry(string RelativePath, bool IsDirectory, string? LinkTarget, UnixFileMode Mode, Func<Stream>? Open);

/// <summary>
/// The files a build sends: <c>.dockerignore</c> honoured, symlinks that point outside the
/// context refused, nothing above the context ever read. The entries come from a directory or
/// from a Git commit's tree (<see cref="GitSource"/>); either way the hash of the entries (paths,
/// modes, contents) and the build settings is the image's tag, so an unchanged context is never
/// rebuilt.
/// </summary>
public sealed class BuildContextFiles
{
    private BuildContextFiles(string root, IReadOnlyList<ContextEntry> entries, string hash) => (Root, Entries, InputsHash) = (root, entries, hash);

    /// <summary>Where the context came from, for messages: a directory, or repo@commit:path.</summary>
    public string Root { get; }

    public IReadOnlyList<ContextEntry> Entries { get; }

    /// <summary>SHA-256 of every entry and of the Dockerfile path, build arguments and target.</summary>
    public string InputsHash { get; }

    /// <summary>A context read from a directory of the file system.</summary>
    public static BuildContextFiles Read(string contextDirectory, BuildSpec build)
    {
        var root = new DirectoryInfo(contextDirectory);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"build context '{contextDirectory}' does not exist");
        }

        if (new FileInfo(Path.Combine(root.FullName, ".dockerignore")).LinkTarget is { } ignoreLink && Escapes(".dockerignore", ignoreLink))
        {
            throw new InvalidOperationException($"build context '{root.FullName}': symlink '.dockerignore' points outside the context ({ignoreLink}); it is not read");
        }

        var ignore = DockerIgnore.For(root.FullName);
        return Create(root.FullName, Walk(root, ignore, build), ignore, build);
    }

    /// <summary>
    /// The real path of <paramref name="relativePath"/> under <paramref name="directory"/>, following
    /// symlinks one segment at a time: a link that resolves outside the directory (absolute, or
    /// climbing with <c>..</c>) is refused, naming it, as Git mode refuses a context that is no tree.
    /// </summary>
    public static string ResolveInside(string directory, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var remaining = new Queue<string>(relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = root;
        for (var hops = 0; remaining.Count > 0;)
        {
            var segment = remaining.Dequeue();
            var next = segment == "." ? current : Path.GetFullPath(Path.Combine(current, segment));
            if (!Inside(root, next))
            {
                throw new InvalidOperationException($"build context '{relativePath}' leaves the directory {root}");
            }

            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                var link = Path.GetRelativePath(root, next).Replace('\\', '/');
                var resolved = Path.GetFullPath(target, current);
                if (!Inside(root, resolved) || ++hops > 40)
                {
                    throw new InvalidOperationException($"build context '{relativePath}': symlink '{link}' points outside the directory ({target}); it is not read");
                }

                // Follow it from the top, so links inside its target are checked too.
                var rest = remaining.ToList();
                remaining = new Queue<string>(Path.GetRelativePath(root, resolved).Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = root;
                continue;
            }

            current = next;
        }

        return current;
    }

    private static bool Inside(string root, string path) =>
        path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>A context from entries listed elsewhere (a Git tree), depth-first, paths relative to the context.</summary>
    public static BuildContextFiles Create(string root, IEnumerable<ContextEntry> entries, DockerIgnore ignore, BuildSpec build)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(ignore);
        ArgumentNullException.ThrowIfNull(build);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, $"dockerfile={build.Dockerfile}\ntarget={build.Target}\n");
        foreach (var (key, value) in build.Args)
        {
            Add(hash, $"arg {key}={value}\n");
        }

        var kept = new List<ContextEntry>();
        foreach (var entry in entries.OrderBy(e => e.RelativePath, StringComparer.Ordinal))
        {
            if (!Always(entry.RelativePath, build) && ignore.Excludes(entry.RelativePath))
            {
                continue;
            }

            if (entry.LinkTarget is { } target && Escapes(entry.RelativePath, target))
            {
                throw new InvalidOperationException($"build context '{root}': symlink '{entry.RelativePath}' points outside the context ({target}); it is not sent");
            }

            kept.Add(entry);
            Add(hash, $"{entry.RelativePath}\0{(int)entry.Mode}\0{entry.IsDirectory}\0{entry.LinkTarget}\0");
            if (entry.Open is { } open)
            {
                using var stream = open();
                hash.AppendData(SHA256.HashData(stream));
            }
        }

        return new BuildContextFiles(root, kept, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Docker sends the Dockerfile and .dockerignore even when ignored.</summary>
    private static bool Always(string path, BuildSpec build) => path is ".dockerignore" || path == build.Dockerfile;

    /// <summary>Lexical: the link's target, resolved from the link's folder, must stay inside the context.</summary>
    private static bool Escapes(string linkPath, string target)
    {
        var folder = Path.GetDirectoryName(linkPath)?.Replace('\\', '/') ?? "";
        return target.StartsWith('/') || RepositoryPath.Normalize(folder.Length == 0 ? target : $"{folder}/{target}") is null;
    }

    private static IEnumerable<ContextEntry> Walk(DirectoryInfo root, DockerIgnore ignore, BuildSpec build)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0 };
        var pending = new Stack<DirectoryInfo>([root]);
        while (pending.Count > 0)
        {
            foreach (var info in pending.Pop().EnumerateFileSystemInfos("*", options))
            {
                var relative = Path.GetRelativePath(root.FullName, info.FullName).Replace('\\', '/');
                if (info.LinkTarget is { } target)
                {
                    yield return new ContextEntry(relative, false, target, info.UnixFileMode, null);
                }
                else if (info is DirectoryInfo directory)
                {
                    yield return new ContextEntry(relative, true, null, info.UnixFileMode, null);
                    if (!ignore.Excludes(relative) || Always(relative, build))
                    {
                        pending.Push(directory); // An excluded folder is not even read (node_modules).
                    }
                }
                else
                {
                    var path = info.FullName;
                    yield return new ContextEntry(relative, false, null, info.UnixFileMode, () => File.OpenRead(path));
                }
            }
        }
    }

    private static void Add(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Entries.Count} entries, inputs {InputsHash[..12]}");
}
