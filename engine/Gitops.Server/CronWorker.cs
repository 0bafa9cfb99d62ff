using Gitops.Engine.Crons;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>
/// Runs the cron scheduler's pass every second (<see cref="CronRunner.TickAsync"/>): crons are due on
/// the minute, and a run that ended or outlived its timeout is settled within a second. Runs go on
/// while the server stops; the next server's first pass settles them. A failed pass is logged and
/// the next one tries again.
/// </summary>
public sealed class CronWorker(CronRunner runner, ILogger<CronWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Pass = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Pass);
        do
        {
            try
            {
                foreach (var run in await runner.TickAsync(stoppingToken).ConfigureAwait(false))
                {
                    Log.CronStarted(logger, run.Project, run.Environment, run.Cron, run.Id, run.Outcome, run.Trigger);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.CronPassFailed(logger, e); // an engine that does not answer: the runs stay recorded as running until it does
            }
        }
        while (await NextAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
