using System.Security.Cryptography;
using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Operations;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Engine.Backups;

/// <summary>A drill that ran and found the backup does not restore (or restores to something else).</summary>
public sealed class DrillFailedException(string message) : InvalidOperationException(message);

/// <summary>
/// Restore drills (<c>paas backup verify</c>, and <c>backup.verify</c> after each backup): a backup is
/// proved only by restoring it. A drill: find the backup → start a scratch container of the
/// service (its image, env, secrets, user, command, limits) on a network and volumes of its own,
/// labelled with <see cref="Names.DrillScope"/> so nothing of the real environment sees them →
/// wait for its health check → check the archive's checksum and feed it to the template's restore
/// → run the template's check and compare it with the one recorded at backup time → remove every
/// scratch object, whatever happened. The running service is never touched. The result is recorded
/// (<see cref="DrillRecords"/>) and published: <c>backup.verified</c>, or <c>backup.failed</c>.
/// </summary>
public sealed class RestoreDrills(StateStore state, Func<string, string, TargetConnection> connect, Backups backups, ISecretSource secrets, Execution.ExecutionHooks hooks, IProgress<string>? progress = null)
{
    /// <summary>How long the scratch database has to pass its health check (a first start initialises its data directory).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);

    private readonly DrillRecords _records = new(state);

    public DrillRecords Records => _records;

    /// <summary>Drills backup <paramref name="id"/>; refused (nothing recorded) when it cannot be drilled here, else recorded whatever the outcome.</summary>
    public async Task<DrillResult> VerifyAsync(string id, CancellationToken cancellationToken)
    {
        var (manifest, destination) = await backups.FindAsync(id, cancellationToken).ConfigureAwait(false);
        using var _ = destination;
        var running = RunningServices.Require(state, manifest.Project, manifest.Environment, manifest.Service);
        if (running.Extras.Backup is not { } backup || backup.Template != manifest.Template)
        {
            throw new BackupRefusedException($"{manifest.Id} is a {manifest.Template} dump, and {manifest.Service} of {manifest.Project}/{manifest.Environment} no longer runs that template with backup:, so there is no restore to drill");
        }

        DrillResult result;
        try
        {
            var detail = await DrillAsync(manifest, destination, running, backup, cancellationToken).ConfigureAwait(false);
            result = new DrillResult(manifest.Id, manifest.Project, manifest.Environment, manifest.Service, hooks.Clock.GetUtcNow(), true, detail);
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.BackupVerified, manifest.Project, manifest.Environment, result.At) { Service = manifest.Service, Detail = $"{manifest.Id}: {detail}" });
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or TimeoutException && e is not BackupRefusedException && !cancellationToken.IsCancellationRequested)
        {
            result = new DrillResult(manifest.Id, manifest.Project, manifest.Environment, manifest.Service, hooks.Clock.GetUtcNow(), false, e.Message);
            hooks.Events.Publish(new PlatformEvent(PlatformEvent.BackupFailed, manifest.Project, manifest.Environment, result.At) { Service = manifest.Service, Detail = $"restore drill of {manifest.Id} failed: {e.Message}" });
        }

        _records.Record(result);
        return result;
    }

    private async Task<string> DrillAsync(BackupManifest manifest, IBackupDestination destination, DesiredService running, DesiredBackup backup, CancellationToken cancellationToken)
    {
        using var connection = connect(manifest.Project, manifest.Environment);
        var driver = connection.Driver;
        if (driver is not IJobRunner jobs || !driver.Capabilities.Jobs)
        {
            throw new BackupRefusedException($"{manifest.Project}/{manifest.Environment} runs on a {driver.Kind} target, where paas cannot start a scratch container yet; restore drills run on docker and podman targets");
        }

        var name = Names.Drill(manifest.Project, manifest.Environment, manifest.Service, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));
        var scope = Names.DrillScope(manifest.Environment);
        if (manifest.Volumes is { } archived)
        {
            return await DrillVolumesAsync(manifest, destination, driver, jobs, name, scope, archived, cancellationToken).ConfigureAwait(false);
        }

        var volumes = running.Spec.Mounts.Select((mount, i) => (Name: $"{name}_{i + 1}", Target: mount.Value)).ToList();
        var temporary = BackupFiles.Temporary(state.DataDirectory);
        try
        {
            progress?.Report($"drill: fetching {manifest.Id} ({Backups.Size(manifest.Bytes)}) from {destination.Name} and checking its checksum…");
            await BackupFiles.FetchVerifiedAsync(destination, manifest, temporary, cancellationToken).ConfigureAwait(false);
            progress?.Report($"drill: starting a scratch {manifest.Template} ({running.RunImage}) on a network of its own…");
            await driver.EnsureEnvironmentAsync(manifest.Project, scope, name, cancellationToken).ConfigureAwait(false);
            foreach (var volume in volumes)
            {
                await driver.EnsureVolumeAsync(manifest.Project, scope, volume.Name, cancellationToken).ConfigureAwait(false);
            }

            var scratch = running with
            {
                Spec = running.Spec with { Mounts = new ValueMap<string>(volumes.Select(v => KeyValuePair.Create(v.Name, v.Target))) },
                Extras = ServiceExtras.None,
            };
            var values = running.Spec.Secrets.Count > 0 ? secrets.ResolveFor(manifest.Project, manifest.Environment, running.Spec) : null;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [Labels.Job] = $"drill {manifest.Id}" };
            await jobs.StartJobAsync(new JobRequest(manifest.Project, scope, name, name, scratch, running.Spec.Command, values, labels), cancellationToken).ConfigureAwait(false);
            await WaitReadyAsync(jobs, name, manifest.Template, running.Spec.Health?.Command, cancellationToken).ConfigureAwait(false);

            progress?.Report($"drill: restoring {manifest.Id} into the scratch {manifest.Template}…");
            Task<IExecSession> Exec(IReadOnlyList<string> command, CancellationToken t) => jobs.ExecJobAsync(name, command, t);
            var where = $"the drill's scratch {manifest.Template}";
            await using (var archive = File.OpenRead(temporary))
            {
                await ExecCommand.RunAsync(t => Exec(backup.Restore, t), where, backup.Restore, _ => Task.FromResult(0L), cancellationToken, async input =>
                    await BackupArchive.OpenAsync(archive, input, BackupArchive.Key(state.DataDirectory), manifest.Id, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }

            if (backup.Check is not { } check)
            {
                return "restored (the template has no check to compare)";
            }

            var now = await ExecCommand.OutputAsync(t => Exec(check, t), where, check, cancellationToken).ConfigureAwait(false);
            return manifest.Check is null || now == manifest.Check
                ? $"restored; check: {now}{(manifest.Check is null ? "" : ", as when backed up")}"
                : throw new DrillFailedException($"restored, but the check says '{now}' where the backup recorded '{manifest.Check}'");
        }
        finally
        {
            File.Delete(temporary);
            await RemoveAsync(jobs, driver, name, volumes.Select(v => v.Name)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A volume backup's drill: scratch volumes of their own, the archive extracted into them by the
    /// volume helper, then archived again and compared, entry by entry, with the digest recorded at
    /// backup time. The service itself is neither stopped nor touched.
    /// </summary>
    private async Task<string> DrillVolumesAsync(BackupManifest manifest, IBackupDestination destination, ITargetDriver driver, IJobRunner jobs, string name, string scope, IReadOnlyList<string> archived, CancellationToken cancellationToken)
    {
        if (driver is not IVolumeArchiver archiver)
        {
            throw new BackupRefusedException($"{manifest.Project}/{manifest.Environment} runs on a {driver.Kind} target, where paas cannot copy volumes; volume backups run on docker and podman targets");
        }

        var volumes = archived.Select((volume, i) => KeyValuePair.Create(volume, $"{name}_{i + 1}")).ToDictionary(StringComparer.Ordinal);
        var temporary = BackupFiles.Temporary(state.DataDirectory);
        try
        {
            progress?.Report($"drill: fetching {manifest.Id} ({Backups.Size(manifest.Bytes)}) from {destination.Name} and checking its checksum…");
            await BackupFiles.FetchVerifiedAsync(destination, manifest, temporary, cancellationToken).ConfigureAwait(false);
            foreach (var volume in volumes.Values)
            {
                await driver.EnsureVolumeAsync(manifest.Project, scope, volume, cancellationToken).ConfigureAwait(false);
            }

            progress?.Report($"drill: extracting {manifest.Id} into scratch volumes ({string.Join(", ", archived)})…");
            await using var helper = await archiver.OpenVolumesAsync(manifest.Project, scope, manifest.Service, volumes, cancellationToken).ConfigureAwait(false);
            await using (var archive = File.OpenRead(temporary))
            {
                await VolumeCopies.ReplaceAsync(helper, manifest.Service, archived, async input =>
                    await BackupArchive.OpenAsync(archive, input, BackupArchive.Key(state.DataDirectory), manifest.Id, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            var create = VolumeCopies.Create(archived);
            var now = await VolumeCopies.DigestOfAsync(async into =>
                await ExecCommand.RunAsync(t => helper.ExecAsync(create, t), "the drill's volume helper", create, async output =>
                {
                    await output.CopyToAsync(into, cancellationToken).ConfigureAwait(false);
                    return 0L;
                }, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return manifest.Check is null || now == manifest.Check
                ? $"restored; check: {now}{(manifest.Check is null ? "" : ", as when backed up")}"
                : throw new DrillFailedException($"restored, but the volumes hold '{now}' where the backup recorded '{manifest.Check}'");
        }
        finally
        {
            File.Delete(temporary);
            await RemoveAsync(jobs, driver, Names.Job(manifest.Project, scope, manifest.Service, "volumes"), volumes.Values, network: false).ConfigureAwait(false);
        }
    }

    /// <summary>Until the scratch database passes its health check; its end (it exited) or <see cref="ReadyTimeout"/> fails the drill.</summary>
    private async Task WaitReadyAsync(IJobRunner jobs, string name, string template, ValueList<string>? health, CancellationToken cancellationToken)
    {
        progress?.Report($"drill: waiting for the scratch {template} to pass its health check…");
        var waited = System.Diagnostics.Stopwatch.StartNew(); // real time: a test's clock may stand still
        var said = "";
        while (true)
        {
            var job = await jobs.InspectJobAsync(name, cancellationToken).ConfigureAwait(false);
            if (!job.Running)
            {
                var log = await jobs.JobLogAsync(name, 600, cancellationToken).ConfigureAwait(false);
                throw new DrillFailedException($"the scratch {template} exited {job.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} before it was ready{(job.Why is { } why ? $" ({why})" : "")}: {log.Trim()}");
            }

            if (health is null)
            {
                return; // nothing to wait for: the restore's own errors say the rest
            }

            try
            {
                await ExecCommand.OutputAsync(t => jobs.ExecJobAsync(name, health, t), $"the drill's scratch {template}", health, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException e)
            {
                said = e.Message;
            }

            if (waited.Elapsed > ReadyTimeout)
            {
                throw new DrillFailedException($"the scratch {template} did not pass its health check in {ReadyTimeout.TotalMinutes:0} minutes: {said}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every scratch object goes, even after a failure or a cancel; what cannot be removed is said, not hidden.</summary>
    private async Task RemoveAsync(IJobRunner jobs, ITargetDriver driver, string name, IEnumerable<string> volumes, bool network = true)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var left = new List<string>();
        async Task Try(string what, Func<Task> remove)
        {
            try
            {
                await remove().ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or OperationCanceledException)
            {
                left.Add($"{what} ({e.Message})");
            }
        }

        await Try($"container {name}", () => jobs.RemoveJobAsync(name, timeout.Token)).ConfigureAwait(false);
        foreach (var volume in volumes)
        {
            await Try($"volume {volume}", () => driver.RemoveVolumeAsync(volume, timeout.Token)).ConfigureAwait(false);
        }

        if (network)
        {
            await Try($"network {name}", () => driver.RemoveEnvironmentAsync(name, timeout.Token)).ConfigureAwait(false);
        }

        progress?.Report(left.Count == 0 ? $"drill: scratch container{(network ? ", network" : "")} and volumes removed" : $"drill: could not remove {string.Join(", ", left)}");
    }
}
