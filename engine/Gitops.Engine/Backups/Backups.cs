using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Operations;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Backups;

/// <summary>Backups refused before anything ran: no backup: on the service, an unknown id, a restore not confirmed.</summary>
public sealed class BackupRefusedException(string message) : InvalidOperationException(message);

/// <summary>
/// Runs, lists and restores backups of template services. A run: the template's dump runs in the
/// service's replica, its output is sealed (<see cref="BackupArchive"/>) into a private temporary
/// file, checksummed, put at the destination with its manifest, and only then are the oldest beyond
/// <c>keep</c> removed. A restore checks the archive's checksum before it opens it, and feeds the
/// dump to the template's restore command. Each ends in an event (backup.* / restore.*) and a record
/// the scheduler and status read.
/// </summary>
/// <param name="connect">The target an environment runs on (<see cref="Crons.CronRunner.OnLastSyncedTarget"/>).</param>
public sealed class Backups(StateStore state, Func<string, string, TargetConnection> connect, BackupDestinations destinations, Execution.ExecutionHooks hooks, IProgress<string>? progress = null)
{
    private readonly BackupRecords _records = new(state);

    /// <summary>What a volume backup runs under while the service is stopped (the server: between two reconciles).</summary>
    public EngineHold Hold { get; init; } = VolumeCopies.NoHold;

    /// <summary>Backs up <paramref name="service"/> as its manifest's <c>backup:</c> says (to its destination, or <paramref name="to"/>).</summary>
    public async Task<BackupManifest> RunAsync(string project, string environment, string service, string? to, CancellationToken cancellationToken)
    {
        var running = RunningServices.Require(state, project, environment, service);
        var backup = running.Extras.Backup ?? throw new BackupRefusedException($"service {service} of {project}/{environment} has no backup: in its manifest; add backup: {{ schedule: \"0 3 * * *\", keep: 7 }} to a template service (postgres)");
        var started = hooks.Clock.GetUtcNow();
        var destinationName = to ?? backup.To;
        try
        {
            var manifest = await RunCoreAsync(project, environment, running, backup, destinationName, started, cancellationToken).ConfigureAwait(false);
            _records.Ran(project, environment, service, started, manifest.Id, null);
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.BackupSucceeded, project, environment, hooks.Clock.GetUtcNow()) { Service = service, Detail = $"{manifest.Id} ({Size(manifest.Bytes)}) to {destinationName}" });
            return manifest;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or KeyNotFoundException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            _records.Ran(project, environment, service, started, null, e.Message);
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.BackupFailed, project, environment, hooks.Clock.GetUtcNow()) { Service = service, Detail = e.Message });
            throw;
        }
    }

    /// <summary>Every backup kept at the destinations (or one), newest first; a destination that does not answer is reported, not fatal.</summary>
    public async Task<(IReadOnlyList<BackupManifest> Backups, IReadOnlyList<string> Problems)> ListAsync(string? project, string? environment, string? service, CancellationToken cancellationToken)
    {
        var found = new List<BackupManifest>();
        var problems = new List<string>();
        var prefix = project is null ? "" : environment is null ? $"{project}--" : service is null ? $"{project}--{environment}--" : $"{project}--{environment}--{service}--";
        // Names may hold "--" themselves (project shop--dev): the prefix narrows, the manifest's own fields decide.
        bool Wanted(BackupManifest m) => (project is null || m.Project == project) && (environment is null || m.Environment == environment) && (service is null || m.Service == service);
        foreach (var name in destinations.Names)
        {
            try
            {
                using var destination = destinations.Open(name);
                found.AddRange((await ManifestsAsync(destination, prefix, cancellationToken).ConfigureAwait(false)).Where(Wanted));
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException)
            {
                problems.Add($"{name}: {e.Message}");
            }
        }

        return (found.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList(), problems);
    }

    /// <summary>
    /// Restores backup <paramref name="id"/> into the same service of <paramref name="environment"/>
    /// (its own, or another of the project's): the archive's checksum first, then the template's restore.
    /// </summary>
    public async Task<string?> RestoreAsync(string id, string? environment, CancellationToken cancellationToken)
    {
        var (manifest, destination) = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        using var _ = destination;
        var into = environment ?? manifest.Environment;
        try
        {
            var check = await RestoreCoreAsync(manifest, destination, into, cancellationToken).ConfigureAwait(false);
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.RestoreSucceeded, manifest.Project, into, hooks.Clock.GetUtcNow()) { Service = manifest.Service, Detail = $"{manifest.Id}{(check is null ? "" : $": {check}")}" });
            return check;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.RestoreFailed, manifest.Project, into, hooks.Clock.GetUtcNow()) { Service = manifest.Service, Detail = e.Message });
            throw;
        }
    }

    private async Task<BackupManifest> RunCoreAsync(string project, string environment, DesiredService running, DesiredBackup backup, string destinationName, DateTimeOffset started, CancellationToken cancellationToken)
    {
        using var destination = destinations.Open(destinationName);
        var id = BackupManifest.NewId(project, environment, running.Name, started);
        var temporary = BackupFiles.Temporary(state.DataDirectory);
        try
        {
            progress?.Report($"dumping {running.Name} ({backup.Format}) in {project}/{environment}…");
            long plainBytes;
            var volumes = backup.Volumes.Count > 0;
            await using (var file = BackupFiles.Create(temporary))
            {
                async Task<long> Seal(Stream output) => await BackupArchive.SealAsync(output, file, BackupArchive.Key(state.DataDirectory), id, cancellationToken).ConfigureAwait(false);
                plainBytes = volumes
                    ? await new VolumeCopies(state, connect, Hold, progress).DumpAsync(project, environment, running, backup, Seal, cancellationToken).ConfigureAwait(false)
                    : await RunInServiceAsync(project, environment, running.Name, backup.Dump, Seal, cancellationToken).ConfigureAwait(false);
            }

            var (sha, bytes) = await BackupFiles.ChecksumAsync(temporary, cancellationToken).ConfigureAwait(false);
            var check = volumes ? await DigestAsync(temporary, id, cancellationToken).ConfigureAwait(false)
                : backup.Check is { } command ? await OutputOfAsync(project, environment, running.Name, command, cancellationToken).ConfigureAwait(false) : null;
            var manifest = new BackupManifest
            {
                Id = id, Project = project, Environment = environment, Service = running.Name, Template = backup.Template, Format = backup.Format,
                CreatedAt = started, Deployment = state.LastSucceededId(project, environment), Image = running.Spec.Image,
                PlainBytes = plainBytes, Bytes = bytes, Sha256 = sha, Check = check, Destination = destinationName,
                Volumes = volumes ? backup.Volumes.Keys.Order(StringComparer.Ordinal).ToList() : null,
            };
            progress?.Report($"putting {Size(bytes)} (dump {Size(plainBytes)}, sealed) at {destinationName}…");
            await BackupFiles.PutAsync(destination, manifest, temporary, cancellationToken).ConfigureAwait(false);
            await PruneAsync(destination, project, environment, running.Name, backup.Keep, cancellationToken).ConfigureAwait(false);
            return manifest;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private async Task<string?> RestoreCoreAsync(BackupManifest manifest, IBackupDestination destination, string into, CancellationToken cancellationToken)
    {
        var running = RunningServices.Require(state, manifest.Project, into, manifest.Service);
        var backup = running.Extras.Backup;
        if (running.Spec.Image != manifest.Image && backup?.Template != manifest.Template)
        {
            throw new BackupRefusedException($"{manifest.Id} is a {manifest.Template} dump, and {manifest.Service} of {manifest.Project}/{into} is not that template's");
        }

        var restore = backup?.Restore ?? throw new BackupRefusedException($"service {manifest.Service} of {manifest.Project}/{into} has no backup: in its manifest, so the platform has no restore command for it");
        if ((manifest.Volumes is not null) != (backup.Volumes.Count > 0))
        {
            throw new BackupRefusedException($"{manifest.Id} is a {manifest.Template} backup, and {manifest.Service} of {manifest.Project}/{into} is backed up as {backup.Template}: restore it into a service backed up the same way");
        }

        var temporary = BackupFiles.Temporary(state.DataDirectory);
        try
        {
            progress?.Report($"fetching {manifest.Id} ({Size(manifest.Bytes)}) from {destination.Name}…");
            await BackupFiles.FetchVerifiedAsync(destination, manifest, temporary, cancellationToken).ConfigureAwait(false);
            progress?.Report($"restoring {manifest.Id} into {manifest.Service} of {manifest.Project}/{into}…");
            await using (var archive = File.OpenRead(temporary))
            {
                async Task Feed(Stream input) => await BackupArchive.OpenAsync(archive, input, BackupArchive.Key(state.DataDirectory), manifest.Id, cancellationToken).ConfigureAwait(false);
                if (manifest.Volumes is { } archived)
                {
                    await new VolumeCopies(state, connect, Hold, progress).RestoreAsync(manifest.Project, into, running, backup, archived, Feed, cancellationToken).ConfigureAwait(false);
                    return manifest.Check is { } was ? $"volumes {string.Join(", ", archived)} replaced ({was} when backed up)" : null;
                }

                await RunInServiceAsync(manifest.Project, into, manifest.Service, restore, output => Task.FromResult(0L), cancellationToken, Feed).ConfigureAwait(false);
            }

            return backup.Check is { } check ? await OutputOfAsync(manifest.Project, into, manifest.Service, check, cancellationToken).ConfigureAwait(false) : null;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>A volume backup's check, read back from its sealed archive (nothing more is read from the service while it is stopped).</summary>
    private async Task<string> DigestAsync(string archivePath, string id, CancellationToken cancellationToken)
    {
        await using var archive = File.OpenRead(archivePath);
        return await VolumeCopies.DigestOfAsync(async plain => await BackupArchive.OpenAsync(archive, plain, BackupArchive.Key(state.DataDirectory), id, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="command"/> in the service's first replica: its stdout to <paramref name="read"/>, its stdin from <paramref name="write"/>; a non-zero exit throws with its stderr.</summary>
    private Task<long> RunInServiceAsync(string project, string environment, string service, IReadOnlyList<string> command, Func<Stream, Task<long>> read, CancellationToken cancellationToken, Func<Stream, Task>? write = null) =>
        ExecCommand.RunAsync(t => new ServiceExec(state, connect).StartAsync(new ExecRequest(project, environment, service, null, command, Tty: false), t), service, command, read, cancellationToken, write);

    private Task<string> OutputOfAsync(string project, string environment, string service, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        ExecCommand.OutputAsync(t => new ServiceExec(state, connect).StartAsync(new ExecRequest(project, environment, service, null, command, Tty: false), t), service, command, cancellationToken);

    /// <summary>Keeps the newest <paramref name="keep"/> of the service's backups at the destination; runs only after a backup was put whole.</summary>
    private async Task PruneAsync(IBackupDestination destination, string project, string environment, string service, int keep, CancellationToken cancellationToken)
    {
        var kept = (await ManifestsAsync(destination, $"{project}--{environment}--{service}--", cancellationToken).ConfigureAwait(false))
            .Where(m => m.Project == project && m.Environment == environment && m.Service == service) // never another's whose name shares the prefix
            .OrderByDescending(m => m.Id, StringComparer.Ordinal).ToList();
        foreach (var old in kept.Skip(keep))
        {
            await destination.DeleteAsync(old.ManifestName, cancellationToken).ConfigureAwait(false); // the manifest first: a half-removed backup is never listed
            await destination.DeleteAsync(old.ArchiveName, cancellationToken).ConfigureAwait(false);
            progress?.Report($"removed {old.Id} (keep {keep})");
        }
    }

    private static async Task<List<BackupManifest>> ManifestsAsync(IBackupDestination destination, string prefix, CancellationToken cancellationToken)
    {
        var manifests = new List<BackupManifest>();
        foreach (var name in (await destination.ListAsync(prefix, cancellationToken).ConfigureAwait(false)).Where(n => n.EndsWith(".json", StringComparison.Ordinal)))
        {
            await using var stream = await destination.GetAsync(name, cancellationToken).ConfigureAwait(false);
            if (await JsonSerializer.DeserializeAsync<BackupManifest>(stream, BackupManifest.Json, cancellationToken).ConfigureAwait(false) is { } manifest && manifest.ManifestName == name)
            {
                manifests.Add(manifest with { Destination = destination.Name });
            }
        }

        return manifests;
    }

    /// <summary>The backup of that id and the destination keeping it (the caller disposes it); refused when no destination has it.</summary>
    internal async Task<(BackupManifest Manifest, IBackupDestination Destination)> FindAsync(string id, CancellationToken cancellationToken)
    {
        foreach (var name in destinations.Names)
        {
            var destination = destinations.Open(name);
            try
            {
                await using var stream = await destination.GetAsync($"{id}.json", cancellationToken).ConfigureAwait(false);
                var manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(stream, BackupManifest.Json, cancellationToken).ConfigureAwait(false);
                // The id names its owner (the archive is sealed under it): a manifest claiming another project, environment or service is not this backup.
                if (manifest?.Id == id && id.StartsWith($"{manifest.Project}--{manifest.Environment}--{manifest.Service}--", StringComparison.Ordinal))
                {
                    return (manifest, destination);
                }
            }
            catch (Exception e) when (e is FileNotFoundException or ArgumentException)
            {
                // Not at this destination.
            }

            destination.Dispose();
        }

        throw new BackupRefusedException($"no backup {id} at {string.Join(", ", destinations.Names)}; see paas backup list");
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1073741824.0:0.##} GiB"),
    };
}
