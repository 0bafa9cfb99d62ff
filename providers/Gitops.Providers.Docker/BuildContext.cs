using System.Formats.Tar;
using Gitops.Engine.Sources;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>The build context sent to the engine: a tar of exactly the entries <see cref="BuildContextFiles"/> chose.</summary>
public static class BuildContext
{
    public static MemoryStream FromFiles(BuildContextFiles context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in context.Entries)
            {
                if (entry.LinkTarget is { } target)
                {
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, entry.RelativePath) { LinkName = target, Mode = entry.Mode });
                }
                else if (entry.IsDirectory)
                {
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, entry.RelativePath + "/") { Mode = entry.Mode });
                }
                else
                {
                    using var content = entry.Open!();
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entry.RelativePath) { Mode = entry.Mode, DataStream = content });
                }
            }
        }

        stream.Position = 0;
        return stream;
    }

    /// <summary>A context read from a directory with default build settings.</summary>
    public static MemoryStream FromDirectory(string directory) => FromFiles(BuildContextFiles.Read(directory, new BuildSpec()));

    /// <summary>A context made of in-memory files (name, bytes, Unix mode).</summary>
    public static MemoryStream FromMemory(IEnumerable<(string Name, byte[] Content, UnixFileMode Mode)> files)
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
