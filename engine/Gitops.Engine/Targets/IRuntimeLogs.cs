namespace Gitops.Engine.Targets;

/// <summary>
/// The application's own output (its replicas' stdout and stderr), read from the target that keeps
/// it. A driver implements this when its target can give each replica's lines with their times; the
/// platform stores none of it (the target's log rotation bounds it).
/// </summary>
public interface IRuntimeLogs
{
    /// <summary>
    /// The service's replicas' lines, interleaved by time: what is kept (from <see cref="RuntimeLogQuery.Since"/>,
    /// at most <see cref="RuntimeLogQuery.Tail"/> per replica), then, with <see cref="RuntimeLogQuery.Follow"/>, each new
    /// line as it is written, from replicas started meanwhile too, until cancelled.
    /// </summary>
    IAsyncEnumerable<RuntimeLogLine> ReadLogsAsync(RuntimeLogQuery query, CancellationToken cancellationToken);
}

/// <summary>Which lines: one service's, optionally one replica's, since a time, the last <paramref name="Tail"/> per replica (null: all kept).</summary>
public sealed record RuntimeLogQuery(string Project, string Environment, string Service, DateTimeOffset? Since = null, int? Tail = null, int? Replica = null, bool Follow = false);

/// <summary>One line an application wrote.</summary>
/// <param name="Replica">Which copy wrote it, as <c>service-N</c>.</param>
/// <param name="Stream"><c>stdout</c> or <c>stderr</c>.</param>
public sealed record RuntimeLogLine(DateTimeOffset At, string Replica, string Stream, string Text);
