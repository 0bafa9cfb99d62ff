using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet.Models;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Swarm;

/// <summary>
/// A service's application logs on Swarm: the engine's service log (<c>GET /services/{id}/logs</c>,
/// every task's output, followed across the tasks an update starts), each line named by its task's
/// slot (<c>web-2</c>; <c>--replica</c> takes the slot). The kept lines are merged by time.
/// </summary>
public sealed partial class SwarmDriver : IRuntimeLogs
{
    public async IAsyncEnumerable<RuntimeLogLine> ReadLogsAsync(RuntimeLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var service = (await EngineErrors.Guard(_endpoint, () => _observer.ServicesAsync(query.Project, query.Environment, cancellationToken)).ConfigureAwait(false))
            .FirstOrDefault(s => s.Spec!.Labels[Gitops.Engine.Desired.Labels.Service] == query.Service);
        if (service is null)
        {
            yield break;
        }

        var slots = new Dictionary<string, long>(StringComparer.Ordinal);
        var parameters = new ServiceLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Details = true, // names each line's task
            Follow = query.Follow,
            Since = query.Since is { } since ? since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : null,
            Tail = query.Tail is { } tail ? tail.ToString(CultureInfo.InvariantCulture) : "all",
        };
        var channel = Channel.CreateUnbounded<RuntimeLogLine>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = ReadServiceAsync(service.ID, query, parameters, slots, channel.Writer, stop.Token);
        if (!query.Follow)
        {
            var kept = new List<RuntimeLogLine>();
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                kept.Add(line);
            }

            foreach (var line in kept.OrderBy(l => l.At))
            {
                yield return line;
            }

            await reading.ConfigureAwait(false);
            yield break;
        }

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
            await reading.ConfigureAwait(false);
        }
    }

    private async Task ReadServiceAsync(string serviceId, RuntimeLogQuery query, ServiceLogsParameters parameters, Dictionary<string, long> slots, ChannelWriter<RuntimeLogLine> writer, CancellationToken cancellationToken)
    {
        try
        {
            await EngineErrors.Guard(_endpoint, async () =>
            {
                using var stream = await client.Swarm.GetServiceLogsAsync(serviceId, false, parameters, cancellationToken).ConfigureAwait(false);
                var lines = Channel.CreateUnbounded<StampedLine>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
                var reading = LogStream.ReadLinesAsync(stream, line => lines.Writer.TryWrite(line), cancellationToken)
                    .ContinueWith(t => lines.Writer.TryComplete(t.Exception), TaskScheduler.Default);
                await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    // "<details> <text>": the details name the task, whose slot is looked up once (again for a task started meanwhile).
                    var space = line.Text.IndexOf(' ', StringComparison.Ordinal);
                    var details = space > 0 ? line.Text[..space] : line.Text;
                    var task = details.Split(',').Select(d => d.Split('=', 2)).FirstOrDefault(kv => kv.Length == 2 && kv[0] == "com.docker.swarm.task.id")?[1];
                    if (task is not null && !slots.ContainsKey(task))
                    {
                        foreach (var known in await _observer.TasksAsync([serviceId], cancellationToken).ConfigureAwait(false))
                        {
                            slots[known.ID] = known.Slot ?? 0;
                        }
                    }

                    var slot = task is not null && slots.TryGetValue(task, out var s) ? s : 0;
                    if (query.Replica is { } wanted && wanted != slot)
                    {
                        continue;
                    }

                    if (query.Since is { } since && line.At < since)
                    {
                        continue; // the engine takes whole seconds
                    }

                    writer.TryWrite(new RuntimeLogLine(line.At, $"{query.Service}-{slot.ToString(CultureInfo.InvariantCulture)}", line.Stderr ? "stderr" : "stdout", space > 0 ? line.Text[(space + 1)..] : ""));
                }

                await reading.ConfigureAwait(false);
            }).ConfigureAwait(false);
            writer.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }
}
