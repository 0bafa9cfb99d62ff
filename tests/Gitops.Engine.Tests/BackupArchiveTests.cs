using System.Security.Cryptography;
using Gitops.Engine.Backups;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Tests;

/// <summary>
/// The archive format on its own: what goes in comes out, across chunk boundaries; and an archive
/// damaged, cut short, moved under another backup's id or opened with another platform's key is
/// refused without handing out any of it as the end of a dump.
/// </summary>
public sealed class BackupArchiveTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(BackupArchive.ChunkSize)]
    [InlineData((3 * BackupArchive.ChunkSize) + 17)]
    public async Task What_is_sealed_opens_to_the_same_bytes(int length)
    {
        var plain = RandomNumberGenerator.GetBytes(length);

        var archive = await SealAsync(plain, "shop--dev--db--1");
        var opened = new MemoryStream();
        var count = await BackupArchive.OpenAsync(new MemoryStream(archive), opened, Key, "shop--dev--db--1", Token);

        Assert.Equal(length, count);
        Assert.Equal(plain, opened.ToArray());
        if (length >= 64)
        {
            Assert.True(archive.AsSpan().IndexOf(plain.AsSpan(0, 64)) < 0); // sealed, not stored
        }
    }

    [Fact]
    public async Task A_damaged_archive_is_refused_at_the_damaged_chunk()
    {
        var archive = await SealAsync(RandomNumberGenerator.GetBytes((2 * BackupArchive.ChunkSize) + 5), "id");
        archive[BackupArchive.ChunkSize + 100] ^= 1; // in the second chunk

        var refused = await Assert.ThrowsAsync<BackupCorruptException>(() => BackupArchive.OpenAsync(new MemoryStream(archive), Stream.Null, Key, "id", Token));

        Assert.Contains("chunk 1 does not open", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archive_cut_after_a_whole_chunk_is_refused_as_cut_short()
    {
        var archive = await SealAsync(RandomNumberGenerator.GetBytes((2 * BackupArchive.ChunkSize) + 5), "id");
        var firstChunkEnds = 8 + 12 + 4 + BackupArchive.ChunkSize + 16;

        var refused = await Assert.ThrowsAsync<BackupCorruptException>(() => BackupArchive.OpenAsync(new MemoryStream(archive[..firstChunkEnds]), Stream.Null, Key, "id", Token));

        Assert.Contains("cut short", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archive_under_another_id_or_with_another_key_is_refused()
    {
        var archive = await SealAsync("select 1"u8.ToArray(), "shop--prod--db--1");

        var moved = await Assert.ThrowsAsync<BackupCorruptException>(() => BackupArchive.OpenAsync(new MemoryStream(archive), Stream.Null, Key, "shop--dev--db--1", Token));
        var otherKey = await Assert.ThrowsAsync<BackupCorruptException>(() => BackupArchive.OpenAsync(new MemoryStream(archive), Stream.Null, RandomNumberGenerator.GetBytes(32), "shop--prod--db--1", Token));
        var notOurs = await Assert.ThrowsAsync<BackupCorruptException>(() => BackupArchive.OpenAsync(new MemoryStream("PGDMP plain dump"u8.ToArray()), Stream.Null, Key, "x", Token));

        Assert.Contains("does not open with this platform's key as backup shop--dev--db--1", moved.Message, StringComparison.Ordinal);
        Assert.Contains("chunk 0 does not open", otherKey.Message, StringComparison.Ordinal);
        Assert.Equal("not a paas backup archive", notOurs.Message);
    }

    [Fact]
    public async Task A_local_destination_refuses_a_name_with_a_path_and_keeps_files_private()
    {
        var directory = Directory.CreateTempSubdirectory("paas-backup-dest-").FullName;
        try
        {
            using var destination = new LocalDestination("local", Path.Combine(directory, "kept"));
            await destination.PutAsync("a.json", new MemoryStream("{}"u8.ToArray()), 2, Token);

            await Assert.ThrowsAsync<ArgumentException>(() => destination.PutAsync("../escape", new MemoryStream([1]), 1, Token));
            Assert.Equal(DataDirectory.FileMode, File.GetUnixFileMode(Path.Combine(directory, "kept", "a.json")));
            Assert.False(File.Exists(Path.Combine(directory, "escape")));
            Assert.Equal(["a.json"], await destination.ListAsync("", Token));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Listing_one_service_s_backups_never_takes_another_s_whose_names_share_its_prefix()
    {
        var directory = Directory.CreateTempSubdirectory("paas-backup-owners-").FullName;
        try
        {
            // Names may hold "--": project shop--dev's env db shares the id prefix of project shop's env dev, service db.
            using var destination = new LocalDestination("local", Path.Combine(directory, "backups"));
            foreach (var (project, environment, service) in new[] { ("shop", "dev", "db"), ("shop--dev", "db", "x") })
            {
                var id = BackupManifest.NewId(project, environment, service, DateTimeOffset.UnixEpoch);
                var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new BackupManifest { Id = id, Project = project, Environment = environment, Service = service, Template = "postgres", Format = "f", CreatedAt = DateTimeOffset.UnixEpoch, Sha256 = "0" }, BackupManifest.Json);
                await destination.PutAsync($"{id}.json", new MemoryStream(json), json.Length, Token);
            }

            using var state = Gitops.Engine.State.StateStore.Open(Path.Combine(directory, "data"));
            var backups = new Backups.Backups(state, (_, _) => throw new InvalidOperationException("no target needed"),
                new BackupDestinations(Schema.Model.ValueMap<BackupDestinationConfig>.Empty, Path.Combine(directory, "data"), null), new Execution.ExecutionHooks(TimeProvider.System, Execution.CrashHooks.FromEnvironment()));
            Directory.Move(Path.Combine(directory, "backups"), Path.Combine(directory, "data", "backups")); // the default local destination

            var (listed, problems) = await backups.ListAsync("shop", "dev", "db", Token);

            Assert.Empty(problems);
            Assert.Equal([("shop", "dev", "db")], listed.Select(b => (b.Project, b.Environment, b.Service)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("backups:\n  offsite: { kind: s3 }\n", "backup destination offsite needs bucket:")]
    [InlineData("backups:\n  offsite: { kind: local, path: relative/dir }\n", "backup destination offsite needs path: an absolute directory")]
    [InlineData("backups:\n  offsite: { kind: s3, bucket: b, endpoint: \"http://minio.example.com\" }\n", "'http://minio.example.com' is not an https:// endpoint (http:// only to this machine)")]
    [InlineData("backups:\n  offsite: { kind: tape }\n", "tape")]
    public void A_backup_destination_platform_yaml_cannot_use_is_refused_naming_its_place(string yaml, string error)
    {
        var refused = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse(yaml, "platform.yaml", ProviderRegistry.Default));

        Assert.Contains(error, refused.Message, StringComparison.Ordinal);
        Assert.Contains("platform.yaml:2:", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("platformBackup:\n  schedule: \"every night\"\n", "platform.yaml:2:", "'every night' is not a cron expression")]
    [InlineData("platformBackup:\n  keep: 0\n", "platform.yaml:2:", "platformBackup.keep must be at least 1, not 0")]
    [InlineData("backups:\n  nas: { kind: local, path: /mnt/nas }\nplatformBackup:\n  to: offsite\n", "platform.yaml:4:", "no backup destination 'offsite'; destinations: local, nas")]
    [InlineData("platformBackup:\n  schedul: \"0 3 * * *\"\n", "platform.yaml:2:", "schedul")]
    public void A_platform_backup_schedule_that_cannot_run_is_refused_naming_its_place(string yaml, string place, string error)
    {
        var refused = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse(yaml, "platform.yaml", ProviderRegistry.Default));

        Assert.Contains(error, refused.Message, StringComparison.Ordinal);
        Assert.Contains(place, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_platform_backup_schedule_defaults_to_nightly_keeping_fourteen_locally()
    {
        var config = PlatformConfig.Parse("platformBackup: {}\n", "platform.yaml", ProviderRegistry.Default).PlatformBackup;

        Assert.Equal(new PlatformBackupConfig { Schedule = "30 2 * * *", Keep = 14, To = "local" }, config);
    }

    private static async Task<byte[]> SealAsync(byte[] plain, string id)
    {
        var archive = new MemoryStream();
        await BackupArchive.SealAsync(new MemoryStream(plain), archive, Key, id, Token);
        return archive.ToArray();
    }
}
