using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Desired;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Engine.Targets.Replicas;
using Gitops.Schema.Model;

namespace Gitops.Engine.Backups;

/// <summary>
/// Runs <paramref name="work"/> while nothing else changes the engine: on the server, between two
/// reconciles (a stopped replica would be repaired as drift, a health check would replace it).
/// </summary>
public delegate Task EngineHold(Func<CancellationToken, Task> work, CancellationToken cancellationToken);

/// <summary>
/// A plain service's volumes, backed up and restored with the service stopped, top-down: hold the
/// engine → stop the service's replicas → a helper that mounts the volumes runs tar → start the
/// same replicas again and wait until they pass their health check. The archive holds one
/// directory per volume, named as in the manifest, so it restores into another environment's.
/// A crash while the replicas are stopped leaves them for the next reconcile, which repairs them.
/// </summary>
internal sealed class VolumeCopies(StateStore state, Func<string, string, TargetConnection> connect, EngineHold hold, IProgress<string>? progress)
{
    public static readonly EngineHold NoHold = (work, cancellationToken) => work(cancellationToken);

    /// <summary>Copies the volumes into <paramref name="seal"/>; returns the bytes it sealed.</summary>
    public Task<long> DumpAsync(string project, string environment, DesiredService running, DesiredBackup backup, Func<Stream, Task<long>> seal, CancellationToken cancellationToken)
    {
        var names = backup.Volumes.Keys.Order(StringComparer.Ordinal).ToList();
        return WhileStoppedAsync(project, environment, running, backup, $"a consistent copy of its volumes ({string.Join(", ", names)})", async (helper, t) =>
        {
            progress?.Report($"copying volumes {string.Join(", ", names)} of {running.Name}…");
            return await ExecCommand.RunAsync(c => helper.ExecAsync(Create(names), c), $"the volume helper of {running.Name}", Create(names), seal, t).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Replaces the volumes' content with the archive's (<paramref name="feed"/> writes the plain tar); volumes the archive does not hold are refused first.</summary>
    public async Task RestoreAsync(string project, string environment, DesiredService running, DesiredBackup backup, IReadOnlyCollection<string> archived, Func<Stream, Task> feed, CancellationToken cancellationToken)
    {
        if (archived.Except(backup.Volumes.Keys, StringComparer.Ordinal).ToList() is { Count: > 0 } missing)
        {
            throw new BackupRefusedException($"the backup holds volume(s) {string.Join(", ", missing)}, which {running.Name} of {project}/{environment} does not mount; nothing was restored");
        }

        await WhileStoppedAsync(project, environment, running, backup, "its volumes to be replaced", async (helper, t) =>
        {
            await ReplaceAsync(helper, running.Name, archived, feed, t).ConfigureAwait(false);
            return 0L;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Empties each volume the archive holds, then extracts it (owners by number, as archived).</summary>
    public static async Task ReplaceAsync(IVolumeHelper helper, string service, IEnumerable<string> volumes, Func<Stream, Task> feed, CancellationToken cancellationToken)
    {
        var where = $"the volume helper of {service}";
        foreach (var volume in volumes)
        {
            string[] empty = ["find", $"/volumes/{volume}", "-mindepth", "1", "-maxdepth", "1", "-exec", "rm", "-rf", "{}", ";"];
            await ExecCommand.RunAsync(c => helper.ExecAsync(empty, c), where, empty, _ => Task.FromResult(0L), cancellationToken).ConfigureAwait(false);
        }

        string[] extract = ["tar", "-x", "--numeric-owner", "-f", "-", "-C", "/volumes"];
        await ExecCommand.RunAsync(c => helper.ExecAsync(extract, c), where, extract, _ => Task.FromResult(0L), cancellationToken, feed).ConfigureAwait(false);
    }

    /// <summary>The archive command: the volumes' directories under <c>/volumes</c>, as they are.</summary>
    public static IReadOnlyList<string> Create(IEnumerable<string> volumes) => ["tar", "-c", "-f", "-", "-C", "/volumes", .. volumes];

    /// <summary>
    /// What a volume backup is checked by: its entries (name, type, mode, owner, size, content, link),
    /// in name order, hashed. The same tree gives the same digest whatever order the files were read in.
    /// </summary>
    public static async Task<string> DigestAsync(Stream tar, CancellationToken cancellationToken)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using (var reader = new TarReader(tar, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                var content = entry.DataStream is { } data ? Convert.ToHexStringLower(await SHA256.HashDataAsync(data, cancellationToken).ConfigureAwait(false)) : "";
                var name = entry.Name.TrimEnd('/');
                entries[name] = $"{entry.EntryType} {(int)entry.Mode} {entry.Uid}:{entry.Gid} {entry.Length} {content} {entry.LinkName}";
            }
        }

        await tar.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false); // the end blocks, so the writer is not left blocked
        var all = string.Join('\n', entries.Select(e => $"{e.Key} {e.Value}"));
        return $"{entries.Count} entries, digest {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(all)))[..16]}";
    }

    /// <summary>The digest of what <paramref name="write"/> writes, read as it is written.</summary>
    public static async Task<string> DigestOfAsync(Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        var digest = Task.Run(async () =>
        {
            await using var reading = pipe.Reader.AsStream();
            return await DigestAsync(reading, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
        try
        {
            await using var writing = pipe.Writer.AsStream();
            await write(writing).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
            throw;
        }

        return await digest.ConfigureAwait(false);
    }

    private async Task<long> WhileStoppedAsync(string project, string environment, DesiredService running, DesiredBackup backup, string why, Func<IVolumeHelper, CancellationToken, Task<long>> work, CancellationToken cancellationToken)
    {
        using var connection = connect(project, environment);
        if (connection.Driver is not IVolumeArchiver archiver)
        {
            throw new BackupRefusedException($"{project}/{environment} runs on a {connection.Driver.Kind} target, where paas cannot copy a service's volumes; volume backups run on docker and podman targets");
        }

        long result = 0;
        await hold(async t =>
        {
            // The helper is ready before the service stops: its start is not part of the time the service is down.
            await using var helper = await archiver.OpenVolumesAsync(project, environment, running.Name, backup.Volumes, t).ConfigureAwait(false);
            progress?.Report($"stopping {running.Name} for {why}…");
            var stopped = await archiver.StopReplicasAsync(project, environment, running.Name, running.Drain.Value, t).ConfigureAwait(false);
            var down = Stopwatch.StartNew();
            try
            {
                result = await work(helper, t).ConfigureAwait(false);
            }
            finally
            {
                // Started again whatever happened, and not cut short by a cancel: a service is never left stopped by a backup.
                using var again = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                await StartAgainAsync(archiver, connection.Driver, project, environment, running, stopped, again.Token).ConfigureAwait(false);
                progress?.Report($"{running.Name} runs again ({stopped.Count} replica(s) down {down.Elapsed.TotalSeconds:0.0} s)");
            }
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The stopped replicas started again, each waited for as a deployment waits for a new one.</summary>
    private async Task StartAgainAsync(IVolumeArchiver archiver, ITargetDriver driver, string project, string environment, DesiredService running, IReadOnlyList<StoppedReplica> stopped, CancellationToken cancellationToken)
    {
        await archiver.StartReplicasAsync(stopped, cancellationToken).ConfigureAwait(false);
        if (driver is not IReplicaDriver replicas)
        {
            return;
        }

        var deployment = state.LastSucceededId(project, environment) ?? "";
        foreach (var replica in stopped)
        {
            var request = new ReplicaRequest(project, environment, deployment, Names.Network(project, environment), running, replica.Index);
            if (request.Name != replica.Name)
            {
                continue; // a replica of another version (a deploy left it): the next reconcile judges it
            }

            var health = await replicas.WaitHealthyAsync(request, cancellationToken).ConfigureAwait(false);
            if (!health.Healthy)
            {
                throw new InvalidOperationException($"{running.Name} replica {replica.Index} did not come back healthy after the copy of its volumes: {health.Detail}");
            }
        }
    }
}
