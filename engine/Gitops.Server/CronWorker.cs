using Gitops.Engine.Crons;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>
/// Runs the cron scheduler's pass every second (<see cref="CronRunner.TickAsync"/>): crons are due on
/// the minute, and a run that ended or outlived its timeout is settled within a second. Runs go on
/// while the server stops; the next server's first pass settles them. A failed pass is logged (an
/// engine that does not answer: its runs stay recorded as running until it does).
/// </summary>
public sealed class CronWorker(CronRunner runner, ILogger<CronWorker> logger) : PeriodicWorker
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task PassAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await runner.TickAsync(cancellationToken).ConfigureAwait(false))
        {
            Log.CronStarted(logger, run.Project, run.Environment, run.Cron, run.Id, run.Outcome, run.Trigger);
        }
    }

    protected override void Failed(Exception exception) => Log.CronPassFailed(logger, exception);
}
