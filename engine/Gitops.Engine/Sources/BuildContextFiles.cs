using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gitops.Schema.Model;

namespace Gitops.Engine.Sources;

/// <summary>One entry of a build context: a file, a directory or a symlink that stays inside.</summary>
public sealed record ContextEntry(string RelativePath, string FullPath, bool IsDirectory, string? LinkTarget, UnixFileMode Mode);

/// <summary>
/// The files a build sends, read from a directory: <c>.dockerignore</c> honoured, symlinks that
/// point outside the context refused, nothing above the context ever read. The hash of the
/// entries (paths, modes, contents) and the build settings is the image's tag, so an unchanged
/// context is never rebuilt.
/// </summary>
public sealed class BuildContextFiles
{
    private BuildContextFiles(string root, IReadOnlyList<ContextEntry> entries, string hash) => (Root, Entries, InputsHash) = (root, entries, hash);

    public string Root { get; }

    public IReadOnlyList<ContextEntry> Entries { get; }

    /// <summary>SHA-256 of every entry and of the Dockerfile path, build arguments and target.</summary>
    public string InputsHash { get; }

    public static BuildContextFiles Read(string contextDirectory, BuildSpec build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var root = new DirectoryInfo(contextDirectory);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"build context '{contextDirectory}' does not exist");
        }

        var ignore = DockerIgnore.For(root.FullName);
        var entries = new List<ContextEntry>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, $"dockerfile={build.Dockerfile}\ntarget={build.Target}\n");
        foreach (var (key, value) in build.Args)
        {
            Add(hash, $"arg {key}={value}\n");
        }

        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false };
        var pending = new Stack<DirectoryInfo>([root]);
        while (pending.Count > 0)
        {
            foreach (var info in pending.Pop().EnumerateFileSystemInfos("*", options).OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(root.FullName, info.FullName).Replace('\\', '/');
                var always = relative is ".dockerignore" || relative == build.Dockerfile;
                if (!always && ignore.Excludes(relative))
                {
                    continue;
                }

                var entry = Entry(root, info, relative);
                entries.Add(entry);
                Add(hash, $"{entry.RelativePath}\0{(int)entry.Mode}\0{entry.IsDirectory}\0{entry.LinkTarget}\0");
                if (entry is { IsDirectory: false, LinkTarget: null })
                {
                    using var stream = File.OpenRead(info.FullName);
                    hash.AppendData(SHA256.HashData(stream));
                }
                else if (entry is { IsDirectory: true, LinkTarget: null })
                {
                    pending.Push((DirectoryInfo)info);
                }
            }
        }

        var ordered = entries.OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToList();
        return new BuildContextFiles(root.FullName, ordered, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static ContextEntry Entry(DirectoryInfo root, FileSystemInfo info, string relative)
    {
        if (info.LinkTarget is { } target)
        {
            var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(info.FullName)!, target));
            if (Path.IsPathRooted(target) || !(resolved + "/").StartsWith(root.FullName.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"build context '{root.FullName}': symlink '{relative}' points outside the context ({target}); it is not sent");
            }

            return new ContextEntry(relative, info.FullName, false, target, info.UnixFileMode);
        }

        return new ContextEntry(relative, info.FullName, info is DirectoryInfo, null, info.UnixFileMode);
    }

    private static void Add(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Entries.Count} entries, inputs {InputsHash[..12]}");
}
