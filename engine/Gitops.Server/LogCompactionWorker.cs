using Gitops.Engine.Operations;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>Enforces platform.yaml's <c>logs:</c> (<see cref="LogCompaction"/>) at start and every hour after.</summary>
public sealed class LogCompactionWorker(LogCompaction compaction, ILogger<LogCompactionWorker> logger) : PeriodicWorker
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override Task PassAsync(CancellationToken cancellationToken)
    {
        var done = compaction.Compact();
        Log.Compacted(logger, done.DeployLines, done.CronOutputs);
        return Task.CompletedTask;
    }

    protected override void Failed(Exception exception) => Log.CompactionFailed(logger, exception);
}
