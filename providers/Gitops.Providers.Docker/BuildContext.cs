using System.Formats.Tar;

namespace Gitops.Providers.Docker;

/// <summary>
/// The build context sent to the engine: a tar of one directory. Only regular files and
/// directories inside it are sent; a symlink is refused, since its target could lie outside the
/// context (the Git-tree builder of the GitOps issue replaces this for repository builds).
/// </summary>
public static class BuildContext
{
    public static MemoryStream FromDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"build context '{directory}' does not exist");
        }

        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                         .OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                var name = Path.GetRelativePath(root.FullName, entry.FullName).Replace('\\', '/');
                if (entry.LinkTarget is not null)
                {
                    throw new InvalidOperationException($"build context '{directory}' holds a symlink, '{name}'; symlinks are not sent to the builder");
                }

                tar.WriteEntry(entry.FullName, entry is DirectoryInfo ? name + "/" : name);
            }
        }

        stream.Position = 0;
        return stream;
    }

    /// <summary>A context made of in-memory files (name, bytes, Unix mode).</summary>
    public static MemoryStream FromFiles(IEnumerable<(string Name, byte[] Content, UnixFileMode Mode)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content, mode) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content), Mode = mode });
            }
        }

        stream.Position = 0;
        return stream;
    }
}
