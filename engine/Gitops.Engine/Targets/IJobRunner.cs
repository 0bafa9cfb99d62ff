using Gitops.Engine.Desired;
using Gitops.Engine.Secrets;
using Gitops.Schema.Model;

namespace Gitops.Engine.Targets;

/// <summary>
/// One-off containers in a service's image, for a target whose drivers the platform schedules
/// (<see cref="TargetCapabilities.Jobs"/>: crons on the container family). Every create goes
/// through the same policy as a replica's. A job is found again by its name alone, so a restarted
/// server can ask how a job it started ended.
/// </summary>
public interface IJobRunner
{
    /// <summary>Creates and starts the job; one of that name existing already (a rerun) is started if it is not.</summary>
    Task StartJobAsync(JobRequest request, CancellationToken cancellationToken);

    /// <summary>Whether the job still runs, and how it ended when it does not; <see cref="JobState.Gone"/> when there is no such job.</summary>
    Task<JobState> InspectJobAsync(string name, CancellationToken cancellationToken);

    /// <summary>The job's output so far (stdout and stderr interleaved as written), at most the last <paramref name="tailChars"/> characters.</summary>
    Task<string> JobLogAsync(string name, int tailChars, CancellationToken cancellationToken);

    /// <summary>Kills the job now (a timeout, a replacement); a job already ended or gone is success.</summary>
    Task KillJobAsync(string name, CancellationToken cancellationToken);

    /// <summary>Removes the ended job's container; already gone is success.</summary>
    Task RemoveJobAsync(string name, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="command"/> (an argument list) in the running job, as <see cref="IServiceExec"/> does in a replica: a restore drill's scratch database is a job.</summary>
    Task<IExecSession> ExecJobAsync(string name, IReadOnlyList<string> command, CancellationToken cancellationToken);
}

/// <summary>A job to run: <paramref name="Service"/>'s image, env, secrets, volumes, limits and networks, with <paramref name="Command"/> (null: the image's).</summary>
/// <param name="Name">From <see cref="Names.Job"/>.</param>
/// <param name="Network">The environment's network.</param>
/// <param name="Labels">What the job is (<see cref="Desired.Labels.Cron"/>, <see cref="Desired.Labels.Job"/>), beside the ownership labels every object carries.</param>
public sealed record JobRequest(string Project, string Environment, string Name, string Network, DesiredService Service, ValueList<string>? Command, SecretValues? Secrets, IReadOnlyDictionary<string, string> Labels);

/// <summary>A job as the target sees it.</summary>
/// <param name="ExitCode">How it exited, once it has.</param>
/// <param name="Why">What the target says about the end (killed for memory), if anything.</param>
public sealed record JobState(bool Exists, bool Running, int? ExitCode, string? Why = null)
{
    public static readonly JobState Gone = new(false, false, null);
}
