using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Backups;

/// <summary>
/// The platform's own state as one backup (<c>paas admin backup</c> / <c>restore</c>): platform.yaml,
/// the state database (projects, environments, deployments, people, tokens, repositories, sealed
/// secrets, the audit log), the audit log's key and head, and the data directory's templates. Sealed
/// like any backup, under the master key, which it does not hold: a backup without its key cannot be
/// opened, so the key is kept apart. Restored only into a data directory without a state, which then
/// runs the same environments.
/// </summary>
public static class PlatformBackup
{
    public const string IdPrefix = "@platform--";

    /// <summary>What a platform backup holds: files of the data directory, and <c>templates/*.yaml</c>.</summary>
    public static readonly IReadOnlyList<string> Files = [PlatformConfig.FileName, "state.db", Audit.AuditKey.FileName, Audit.AuditHead.FileName];

    public static async Task<BackupManifest> BackUpAsync(StateStore state, IBackupDestination destination, DateTimeOffset now, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(destination);
        var directory = state.DataDirectory;
        var id = $"{IdPrefix}{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var (tar, sealedFile, snapshot) = (BackupFiles.Temporary(directory), BackupFiles.Temporary(directory), BackupFiles.Temporary(directory));
        try
        {
            state.SnapshotTo(snapshot); // a server keeps writing while it backs itself up

            long plain;
            await using (var file = BackupFiles.Create(tar))
            await using (var writer = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var name in Members(directory))
                {
                    await using var source = new FileStream(name == "state.db" ? snapshot : Path.Combine(directory, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = source, Mode = DataDirectory.FileMode }, cancellationToken).ConfigureAwait(false);
                    progress?.Report($"  {name} ({Backups.Size(source.Length)})");
                }
            }

            await using (var input = File.OpenRead(tar))
            await using (var output = BackupFiles.Create(sealedFile))
            {
                plain = await BackupArchive.SealAsync(input, output, BackupArchive.Key(directory), id, cancellationToken).ConfigureAwait(false);
            }

            var (sha, bytes) = await BackupFiles.ChecksumAsync(sealedFile, cancellationToken).ConfigureAwait(false);
            var manifest = new BackupManifest
            {
                Id = id, Project = "@platform", Environment = "-", Service = "state", Template = "platform",
                Format = $"tar: {string.Join(", ", Members(directory))}", CreatedAt = now, PlainBytes = plain, Bytes = bytes, Sha256 = sha, Destination = destination.Name,
            };
            await BackupFiles.PutAsync(destination, manifest, sealedFile, cancellationToken).ConfigureAwait(false);
            return manifest;
        }
        finally
        {
            File.Delete(tar);
            File.Delete(sealedFile);
            File.Delete(snapshot);
        }
    }

    /// <summary>Restores backup <paramref name="id"/> into <paramref name="directory"/>, which must hold the master key and no state yet.</summary>
    public static async Task<BackupManifest> RestoreAsync(string directory, IBackupDestination destination, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!id.StartsWith(IdPrefix, StringComparison.Ordinal))
        {
            throw new BackupRefusedException($"{id} is not a platform backup (theirs start with {IdPrefix}); a service's backup is restored with paas backup restore");
        }

        if (new FileInfo(Path.Combine(directory, "state.db")) is { Exists: true, Length: > 0 })
        {
            throw new BackupRefusedException($"{directory} holds a state already; a platform backup is restored into a data directory without one (a new machine, or one you emptied), so nothing is overwritten");
        }

        if (!File.Exists(Path.Combine(directory, Secrets.MasterKey.FileName)))
        {
            throw new BackupRefusedException($"put the platform's master key at {Path.Combine(directory, Secrets.MasterKey.FileName)} first (mode 600): the backup is sealed under it and does not hold it");
        }

        BackupManifest manifest;
        await using (var stream = await destination.GetAsync($"{id}.json", cancellationToken).ConfigureAwait(false))
        {
            manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(stream, BackupManifest.Json, cancellationToken).ConfigureAwait(false) ?? throw new BackupCorruptException($"{id}.json is empty");
        }

        var (archivePath, tar) = (BackupFiles.Temporary(directory), BackupFiles.Temporary(directory));
        try
        {
            await BackupFiles.FetchVerifiedAsync(destination, manifest, archivePath, cancellationToken).ConfigureAwait(false);
            await using (var input = File.OpenRead(archivePath))
            await using (var output = BackupFiles.Create(tar))
            {
                await BackupArchive.OpenAsync(input, output, BackupArchive.Key(directory), id, cancellationToken).ConfigureAwait(false);
            }

            await using var reader = new TarReader(File.OpenRead(tar));
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                // Only what a platform backup holds, under its own names: nothing lands outside the data directory.
                if (entry.EntryType != TarEntryType.RegularFile || !(Files.Contains(entry.Name) || IsTemplate(entry.Name)))
                {
                    throw new BackupCorruptException($"{id} holds '{entry.Name}', which no platform backup has; nothing more was restored");
                }

                var path = Path.Combine(directory, entry.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!, DataDirectory.DirectoryMode);
                await using var target = BackupFiles.Create(path, FileMode.Create);
                await entry.DataStream!.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            }

            return manifest;
        }
        finally
        {
            File.Delete(archivePath);
            File.Delete(tar);
        }
    }

    private static IEnumerable<string> Members(string directory) =>
        Files.Where(f => File.Exists(Path.Combine(directory, f)))
            .Concat(Directory.Exists(Path.Combine(directory, Templates.TemplateCatalogue.DirectoryName))
                ? Directory.EnumerateFiles(Path.Combine(directory, Templates.TemplateCatalogue.DirectoryName), "*.yaml").Select(f => $"{Templates.TemplateCatalogue.DirectoryName}/{Path.GetFileName(f)}").Where(IsTemplate).Order(StringComparer.Ordinal)
                : []);

    private static bool IsTemplate(string name) =>
        name.StartsWith($"{Templates.TemplateCatalogue.DirectoryName}/", StringComparison.Ordinal) && name.EndsWith(".yaml", StringComparison.Ordinal)
        && name.Count(c => c == '/') == 1 && !name.Contains("..", StringComparison.Ordinal);
}
