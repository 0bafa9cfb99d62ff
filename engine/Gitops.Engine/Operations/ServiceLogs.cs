using System.Runtime.CompilerServices;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Operations;

/// <summary>
/// <c>paas logs SERVICE --env ENV</c>, locally and through the server: checks the service runs in
/// the environment's current deployment and its target can give logs, before anything is streamed,
/// so a typo is a clear error and never an empty stream.
/// </summary>
/// <param name="connect">The target an environment runs on (<see cref="Crons.CronRunner.OnLastSyncedTarget"/>).</param>
/// <param name="retention">platform.yaml's <c>logs:</c>: lines older than <c>logs.runtime</c> are never given.</param>
public sealed class ServiceLogs(StateStore state, Func<string, string, TargetConnection> connect, LogRetention? retention = null, TimeProvider? clock = null)
{
    private readonly TimeSpan _kept = (retention ?? LogRetention.Default).Runtime.Value;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The lines the query asks for; refused with <see cref="ServiceRefusedException"/> before the first one.</summary>
    public IAsyncEnumerable<RuntimeLogLine> Open(RuntimeLogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        RunningServices.Require(state, query.Project, query.Environment, query.Service);
        if (query.Replica is < 1)
        {
            throw new ServiceRefusedException($"--replica {query.Replica}: replicas are numbered from 1", notFound: false);
        }

        var oldest = _clock.GetUtcNow() - _kept;
        query = query with { Since = query.Since is { } since && since > oldest ? since : oldest };
        var connection = connect(query.Project, query.Environment);
        if (connection.Driver is not IRuntimeLogs logs)
        {
            var kind = connection.Driver.Kind;
            connection.Dispose();
            throw new ServiceRefusedException($"{query.Project}/{query.Environment} runs on a {kind} target, whose application logs paas cannot read yet; read them with the target's own tool", notFound: false);
        }

        return ReadAsync(connection, logs, query, CancellationToken.None);
    }

    private static async IAsyncEnumerable<RuntimeLogLine> ReadAsync(TargetConnection connection, IRuntimeLogs logs, RuntimeLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (connection)
        {
            await foreach (var line in logs.ReadLogsAsync(query, cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }
        }
    }
}
