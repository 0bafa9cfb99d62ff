using System.Security.Cryptography;
using System.Text.Json;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Backups;

/// <summary>
/// What a service's backup and the platform's share: private temporary files in the data
/// directory, the archive's checksum, putting an archive then its manifest, and fetching an archive
/// whose checksum must match its manifest's before anything opens it.
/// </summary>
internal static class BackupFiles
{
    /// <summary>A new private file name under <c>DATA_DIR/backups-work</c> (the caller deletes it).</summary>
    public static string Temporary(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "backups-work");
        Directory.CreateDirectory(directory, DataDirectory.DirectoryMode);
        return Path.Combine(directory, Guid.NewGuid().ToString("N"));
    }

    public static FileStream Create(string path, FileMode mode = FileMode.CreateNew) =>
        new(path, new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, UnixCreateMode = DataDirectory.FileMode });

    public static async Task<(string Sha, long Bytes)> ChecksumAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return (Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false)), file.Length);
    }

    /// <summary>The archive, then its manifest: a backup is listed (and counted for keep) only once its archive is whole.</summary>
    public static async Task PutAsync(IBackupDestination destination, BackupManifest manifest, string sealedPath, CancellationToken cancellationToken)
    {
        await using (var archive = File.OpenRead(sealedPath))
        {
            await destination.PutAsync(manifest.ArchiveName, archive, manifest.Bytes, cancellationToken).ConfigureAwait(false);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(manifest, BackupManifest.Json);
        await destination.PutAsync(manifest.ManifestName, new MemoryStream(json), json.Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches the archive to <paramref name="path"/>; <see cref="BackupCorruptException"/> unless its size and SHA-256 are the manifest's.</summary>
    public static async Task FetchVerifiedAsync(IBackupDestination destination, BackupManifest manifest, string path, CancellationToken cancellationToken)
    {
        await using (var file = Create(path))
        await using (var stored = await destination.GetAsync(manifest.ArchiveName, cancellationToken).ConfigureAwait(false))
        {
            await stored.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }

        var (sha, bytes) = await ChecksumAsync(path, cancellationToken).ConfigureAwait(false);
        if (sha != manifest.Sha256 || bytes != manifest.Bytes)
        {
            throw new BackupCorruptException($"{manifest.Id} at {destination.Name} is damaged: its SHA-256 is {sha} ({bytes} bytes), its manifest says {manifest.Sha256} ({manifest.Bytes} bytes); nothing was restored");
        }
    }
}
