using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// A service's application logs, read from the engine's log of each replica (<c>GET /containers/{id}/logs</c>,
/// which Docker and Podman both serve with each line's time). The kept lines of every replica are
/// merged by time; following then reads each running replica's stream, and every two seconds looks
/// for replicas started meanwhile (a deploy, a restart) so none is missed.
/// </summary>
public sealed partial class DockerDriver : IRuntimeLogs
{
    private static readonly TimeSpan RescanEvery = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<RuntimeLogLine> ReadLogsAsync(RuntimeLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var replicas = await EngineErrors.Guard(endpoint, () => ReplicasOfAsync(query, cancellationToken)).ConfigureAwait(false);
        var kept = new List<RuntimeLogLine>();
        var seen = new ConcurrentDictionary<string, Seen>(StringComparer.Ordinal);
        foreach (var replica in replicas)
        {
            var readFrom = DateTimeOffset.UtcNow;
            var lines = await EngineErrors.Guard(endpoint, () => ReadKeptAsync(replica, query, cancellationToken)).ConfigureAwait(false);
            kept.AddRange(lines);
            seen[replica.Id] = Seen.After(lines, readFrom);
        }

        foreach (var line in kept.OrderBy(l => l.At)) // stable: one replica's lines in the same instant keep their order
        {
            yield return line;
        }

        if (!query.Follow)
        {
            yield break;
        }

        var channel = Channel.CreateUnbounded<RuntimeLogLine>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = WatchAsync(query, seen, channel.Writer, stop.Token);
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
        }
    }

    /// <summary>A replica's container and the name its lines carry (<c>web-2</c>).</summary>
    private sealed record LoggedReplica(string Id, string Name, bool Running);

    /// <summary>
    /// Where a replica's stream was read up to: the time of its last line and how many lines carried
    /// exactly that time (Podman's times are whole seconds), so a stream read again from that second
    /// skips what was already given.
    /// </summary>
    private sealed record Seen(DateTimeOffset At, int AtThatTime)
    {
        /// <param name="readFrom">When the kept lines were asked for: a replica that gave none is followed from then (<c>--tail 0</c> shows only new lines).</param>
        public static Seen After(List<RuntimeLogLine> lines, DateTimeOffset readFrom) =>
            lines.Count == 0 ? new Seen(readFrom, 0) : new Seen(lines[^1].At, lines.Count(l => l.At == lines[^1].At));

        public Seen Then(DateTimeOffset at) => at == At ? this with { AtThatTime = AtThatTime + 1 } : new Seen(at, 1);
    }

    private async Task<List<LoggedReplica>> ReplicasOfAsync(RuntimeLogQuery query, CancellationToken cancellationToken) =>
        (await OwnedContainersAsync(query.Project, query.Environment, cancellationToken).ConfigureAwait(false))
            .Where(c => c.Labels.TryGetValue(Labels.Service, out var service) && service == query.Service)
            .Where(c => query.Replica is not { } wanted || Label(c.Labels, Labels.Replica) == wanted.ToString(CultureInfo.InvariantCulture))
            .OrderBy(c => c.Created)
            .Select(c => new LoggedReplica(c.ID, $"{query.Service}-{Label(c.Labels, Labels.Replica)}", c.State == "running"))
            .ToList();

    private async Task<List<RuntimeLogLine>> ReadKeptAsync(LoggedReplica replica, RuntimeLogQuery query, CancellationToken cancellationToken)
    {
        var lines = new List<RuntimeLogLine>();
        var parameters = Parameters(query.Since, follow: false);
        parameters.Tail = query.Tail is { } tail ? tail.ToString(CultureInfo.InvariantCulture) : "all";
        await ReadAsync(replica, parameters, line =>
        {
            if (query.Since is not { } since || line.At >= since)
            {
                lines.Add(line);
            }
        }, cancellationToken).ConfigureAwait(false);
        return lines;
    }

    /// <summary>Follows every running replica until stopped: those known from where they were read up to, new ones from their first line.</summary>
    private async Task WatchAsync(RuntimeLogQuery query, ConcurrentDictionary<string, Seen> seen, ChannelWriter<RuntimeLogLine> writer, CancellationToken cancellationToken)
    {
        var followed = new Dictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var replica in await EngineErrors.Guard(endpoint, () => ReplicasOfAsync(query, cancellationToken)).ConfigureAwait(false))
                {
                    // A stream ends when its container stops; one the engine restarted is followed again from where it ended.
                    if (replica.Running && (!followed.TryGetValue(replica.Id, out var task) || task.IsCompleted))
                    {
                        var from = seen.GetOrAdd(replica.Id, _ => new Seen(DateTimeOffset.MinValue, 0));
                        followed[replica.Id] = FollowAsync(replica, from, seen, writer, cancellationToken);
                    }
                }

                await Task.Delay(RescanEvery, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }

        await Task.WhenAll(followed.Values).ConfigureAwait(false);
        writer.TryComplete();
    }

    private async Task FollowAsync(LoggedReplica replica, Seen from, ConcurrentDictionary<string, Seen> seen, ChannelWriter<RuntimeLogLine> writer, CancellationToken cancellationToken)
    {
        var skip = from.AtThatTime;
        var parameters = Parameters(from.At == DateTimeOffset.MinValue ? null : from.At, follow: true);
        try
        {
            await EngineErrors.Guard(endpoint, async () =>
            {
                try
                {
                    await ReadAsync(replica, parameters, line =>
                    {
                        if (line.At < from.At || (line.At == from.At && skip-- > 0))
                        {
                            return; // given already
                        }

                        seen.AddOrUpdate(replica.Id, _ => new Seen(line.At, 1), (_, before) => before.Then(line.At));
                        writer.TryWrite(line);
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (DockerContainerNotFoundException)
                {
                    // Removed (a rollout replaced it): its lines were given while it ran.
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            writer.TryComplete(e); // the reader sees why the follow stopped
        }
    }

    private static ContainerLogsParameters Parameters(DateTimeOffset? since, bool follow) => new()
    {
        ShowStdout = true,
        ShowStderr = true,
        Timestamps = true,
        Follow = follow,
        // Whole seconds: what the engines all accept; the lines before the exact time are dropped by the reader.
        Since = since is { } at ? at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : null,
    };

    /// <summary>A replica's lines, as the engine's log stream gives them (<see cref="LogStream"/>).</summary>
    private async Task ReadAsync(LoggedReplica replica, ContainerLogsParameters parameters, Action<RuntimeLogLine> onLine, CancellationToken cancellationToken)
    {
        using var stream = await Client.Containers.GetContainerLogsAsync(replica.Id, parameters, cancellationToken).ConfigureAwait(false);
        await LogStream.ReadLinesAsync(stream, line => onLine(new RuntimeLogLine(line.At, replica.Name, line.Stderr ? "stderr" : "stdout", line.Text)), cancellationToken).ConfigureAwait(false);
    }
}
