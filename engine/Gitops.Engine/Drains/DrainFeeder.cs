using System.Collections.Concurrent;
using System.Threading.Channels;
using Gitops.Engine.Operations;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using LiteDB;

namespace Gitops.Engine.Drains;

/// <summary>
/// Feeds the drains' buffers as logs are written: every deployment log line (read after a cursor kept
/// in the state), and every running service's output (followed through <see cref="ServiceLogs"/>,
/// resumed after a restart from the last line taken). Lines are appended in batches, in the order
/// each stream gave them. A new drain starts with what is written from then on.
/// </summary>
public sealed class DrainFeeder(StateStore state, PlatformConfig platform, Func<string, string, TargetConnection> connect, IReadOnlyList<DrainShipper> drains, TimeProvider clock)
{
    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(2);
    private readonly ILiteCollection<BsonDocument> _cursors = state.Collection("drain_cursors");
    private readonly ConcurrentDictionary<string, (string Project, string Environment)> _deployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Desired.DesiredState?> _running = new(StringComparer.Ordinal);
    private readonly Channel<DrainRecord> _runtime = Channel.CreateUnbounded<DrainRecord>(new UnboundedChannelOptions { SingleReader = true });

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var appender = AppendRuntimeAsync(cancellationToken);
        var follows = new Dictionary<string, (CancellationTokenSource Stop, Task Task)>(StringComparer.Ordinal);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                FeedDeployLogs();
                if (drains.Any(d => d.Config.Ships("runtime")))
                {
                    FollowRunningServices(follows, cancellationToken);
                }

                await Task.Delay(Rescan, clock, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (stop, _) in follows.Values)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(follows.Values.Select(f => f.Task)).ConfigureAwait(false);
            _runtime.Writer.TryComplete();
            await appender.ConfigureAwait(false);
            foreach (var (stop, _) in follows.Values)
            {
                stop.Dispose();
            }
        }
    }

    /// <summary>Deployment log lines written since the last pass, to every drain that ships them.</summary>
    public int FeedDeployLogs()
    {
        var wanting = drains.Where(d => d.Config.Ships("deploy")).ToList();
        var after = _cursors.FindById("deploy")?["after"].AsString;
        if (after is null)
        {
            // First pass: from now on, not the whole history.
            _cursors.Upsert(new BsonDocument { ["_id"] = "deploy", ["after"] = state.LastLogId() ?? ObjectId.Empty.ToString() });
            return 0;
        }

        var lines = state.LogsAfter(after, 2000);
        if (lines.Count == 0)
        {
            return 0;
        }

        var records = lines.Select(l => Place(l.Deployment) is var (project, environment)
            ? new DrainRecord(l.Line.At, "deploy", project, environment, null, l.Deployment, l.Line.Stream, l.Line.Text)
            : null).OfType<DrainRecord>().ToList();
        foreach (var drain in wanting)
        {
            drain.Buffer.Append(records);
        }

        _cursors.Upsert(new BsonDocument { ["_id"] = "deploy", ["after"] = lines[^1].Id });
        return records.Count;
    }

    private (string, string)? Place(string deployment) =>
        _deployments.TryGetValue(deployment, out var known) ? known
        : state.Deployment(deployment) is { } d ? _deployments[deployment] = (d.Project, d.Environment)
        : null;

    /// <summary>Starts following each service the environments run now, and stops following those they no longer run.</summary>
    private void FollowRunningServices(Dictionary<string, (CancellationTokenSource Stop, Task Task)> follows, CancellationToken cancellationToken)
    {
        var running = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (project, environment) in state.Environments())
        {
            // By id: a deployment is read once, not at every scan.
            if (state.LastSucceededId(project, environment) is not { } id
                || (_running.TryGetValue(id, out var known) ? known : _running[id] = state.Deployment(id)?.Desired) is not { Revision: not "destroy" } desired)
            {
                continue;
            }

            foreach (var service in desired.Services)
            {
                var key = $"runtime/{project}/{environment}/{service.Name}";
                running.Add(key);
                if (!follows.TryGetValue(key, out var follow) || follow.Task.IsCompleted)
                {
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    follows[key] = (stop, FollowAsync(key, project, environment, service.Name, stop.Token));
                }
            }
        }

        foreach (var gone in follows.Keys.Where(k => !running.Contains(k)).ToList())
        {
            follows[gone].Stop.Cancel();
            follows.Remove(gone);
        }
    }

    private async Task FollowAsync(string key, string project, string environment, string service, CancellationToken cancellationToken)
    {
        // Resumed after the last line taken (and those of its very time already taken); a service never followed starts now.
        var cursor = _cursors.FindById(key);
        var since = cursor is null ? clock.GetUtcNow() : new DateTimeOffset(cursor["at"].AsInt64, TimeSpan.Zero);
        var skip = cursor?["count"].AsInt32 ?? 0;
        try
        {
            var lines = new ServiceLogs(state, connect, platform.Logs, clock).Open(new RuntimeLogQuery(project, environment, service, since, Follow: true));
            await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (line.At < since || (line.At == since && skip-- > 0))
                {
                    continue;
                }

                await _runtime.Writer.WriteAsync(new DrainRecord(line.At, "runtime", project, environment, service, line.Replica, line.Stream, line.Text), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ServiceRefusedException or TargetException)
        {
            // Stopped, gone, or a target not answering: the next scan follows it again from where it was.
        }
    }

    /// <summary>Runtime lines to every drain that ships them, in batches; each service's cursor moves with them.</summary>
    private async Task AppendRuntimeAsync(CancellationToken cancellationToken)
    {
        var wanting = drains.Where(d => d.Config.Ships("runtime")).ToList();
        var batch = new List<DrainRecord>();
        try
        {
            while (await _runtime.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (batch.Count < 500 && _runtime.Reader.TryRead(out var record))
                {
                    batch.Add(record);
                }

                foreach (var drain in wanting)
                {
                    drain.Buffer.Append(batch);
                }

                foreach (var service in batch.GroupBy(r => $"runtime/{r.Project}/{r.Environment}/{r.Service}"))
                {
                    var last = service.Last().Time;
                    var before = _cursors.FindById(service.Key);
                    var count = service.Count(r => r.Time == last) + (before is not null && before["at"].AsInt64 == last.UtcTicks ? before["count"].AsInt32 : 0);
                    _cursors.Upsert(new BsonDocument { ["_id"] = service.Key, ["at"] = last.UtcTicks, ["count"] = count }); // ticks: a BSON date keeps milliseconds only
                }

                batch.Clear();
            }
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            // The state closed with the server.
        }
    }
}
