using System.Text.Json;
using Gitops.Engine.Secrets;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Audit;

/// <summary>The key of the audit chain: <c>audit.key</c> (0600) beside the database, never in it.</summary>
public static class AuditKey
{
    public const string FileName = "audit.key";

    internal static byte[]? Load(string dataDirectory, bool create) => KeyFile.Load(dataDirectory, FileName, create, "audit key");
}

/// <summary>
/// The newest entry's number and hash, kept in <c>audit.head</c> outside the state file and
/// replaced atomically after each append: entries cut from the end, or a whole state file put
/// back from an older copy, leave the log behind its head. <paramref name="KeyedFrom"/> is the
/// first entry of the keyed chain (older entries came from an unkeyed log, see <see cref="AuditLog"/>).
/// </summary>
public sealed record AuditHead(long Entries, string Hash, long KeyedFrom)
{
    public const string FileName = "audit.head";

    internal static AuditHead? Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        DataDirectory.RequirePrivate(path, "600");
        return JsonSerializer.Deserialize<AuditHead>(File.ReadAllText(path), JsonSerializerOptions.Web)
            ?? throw new InvalidDataException($"{path} is empty");
    }

    /// <summary>Written to a temporary file, flushed to disk, then renamed over the old head: never half written.</summary>
    internal void Write(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var temporary = path + ".new";
        using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = DataDirectory.FileMode }))
        {
            JsonSerializer.Serialize(file, this, JsonSerializerOptions.Web);
            file.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, DataDirectory.FileMode);
        File.Move(temporary, path, overwrite: true);
    }
}
