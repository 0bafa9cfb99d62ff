using Gitops.Engine.Desired;

namespace Gitops.Engine.Targets;

/// <summary>A run a target stopped for outliving its cron's timeout.</summary>
public sealed record StoppedJob(string Cron, string Detail);

/// <summary>
/// A target that schedules crons itself (<see cref="TargetCapabilities.ScheduledJobs"/>) but whose runs
/// have no time limit of their own (an ECS task runs until it ends): the server's cron worker asks it,
/// now and then, to stop the runs past their cron's timeout.
/// </summary>
public interface IScheduledJobTimeouts
{
    Task<IReadOnlyList<StoppedJob>> StopOverdueAsync(string project, string environment, IReadOnlyList<DesiredCron> crons, DateTimeOffset now, CancellationToken cancellationToken);
}
