using System.Globalization;
using System.Security.Cryptography;
using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Engine.Crons;

/// <summary>A cron as it runs now: declared by the environment's running deployment.</summary>
/// <param name="Schedule">Parsed once per deployment: the scheduler asks it every second.</param>
public sealed record ScheduledCron(string Project, string Environment, DesiredService Service, DesiredCron Cron, string DeploymentId, CronSchedule Schedule);

/// <summary>A run refused before it started (an unknown cron, a forbidden overlap, a target that schedules its own jobs).</summary>
public sealed class CronRefusedException(string message) : Exception(message);

/// <summary>
/// The platform's cron scheduler for targets that run one-off jobs (<see cref="TargetCapabilities.Jobs"/>),
/// in passes the server makes every second. A pass: settle the runs still running (ended: record
/// exit code and output; past their timeout: kill) → for each environment, the crons of what it runs
/// (its last successful deployment) → each one's schedule due since its cursor (times missed while
/// the platform was down collapse into one run) → its concurrency rule (allow, forbid: skip and
/// record it, replace: kill the running one) → start it in the service's image, env, secrets and
/// networks. Everything is in the state before the engine is asked, so a restarted server finds
/// the runs it started and records how they ended. A target that schedules its crons itself but
/// keeps no time limit (<see cref="IScheduledJobTimeouts"/>, ECS) is asked every
/// <see cref="TimeoutCheckInterval"/> to stop the runs past their timeout; each is a failed cron event.
/// </summary>
/// <param name="connect">The target an environment runs on, by project and environment (<see cref="OnLastSyncedTarget"/> on the server).</param>
public sealed class CronRunner(StateStore state, Func<string, string, TargetConnection> connect, ISecretSource secrets, ExecutionHooks? hooks = null) : IDisposable
{
    private readonly ExecutionHooks _hooks = hooks ?? ExecutionHooks.FromEnvironment();
    private readonly CronRuns _runs = new(state);
    private readonly SemaphoreSlim _gate = new(1, 1); // a pass and a run someone asked for never start the same cron twice
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), (string Deployment, IReadOnlyList<ScheduledCron> Crons)> _declared = new();
    private DateTimeOffset _timeoutsChecked = DateTimeOffset.MinValue;

    // Environments whose target (as of that deployment) keeps no run timeouts of its own to enforce: not connected to again every check.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), string> _noTimeouts = new();

    /// <summary>How often a target that schedules its crons itself is asked to stop runs past their timeout (each ask lists tasks in the cloud).</summary>
    public static readonly TimeSpan TimeoutCheckInterval = TimeSpan.FromSeconds(15);

    public CronRuns Runs => _runs;

    /// <summary>One pass: runs ended or past their timeout are settled, then what is due starts. Returns the runs this pass started.</summary>
    public async Task<IReadOnlyList<CronRun>> TickAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One environment's target not answering never holds up another's crons: problems are collected, then reported together.
            var problems = new List<Exception>();
            var now = _hooks.Clock.GetUtcNow();
            foreach (var run in _runs.Running())
            {
                await Isolated<CronRun>(problems, async () => await SettleCoreAsync(run, now, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }

            var started = new List<CronRun>();
            foreach (var (project, environment) in state.Environments())
            {
                foreach (var cron in Declared(project, environment))
                {
                    if (Due(cron, now) is { } due && await Isolated(problems, () => StartAsync(cron, CronTrigger.Schedule, null, due, cancellationToken)).ConfigureAwait(false) is { } run)
                    {
                        started.Add(run);
                    }
                }
            }

            if (now - _timeoutsChecked >= TimeoutCheckInterval)
            {
                _timeoutsChecked = now;
                await StopOverdueAsync(problems, now, cancellationToken).ConfigureAwait(false);
            }

            return problems.Count == 0 ? started : throw new AggregateException($"{problems.Count} cron(s) could not be looked at or started; they are tried again at the next pass", problems);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs past their timeout on targets that schedule crons themselves are stopped by the target, and reported as failed.</summary>
    private async Task StopOverdueAsync(List<Exception> problems, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var (project, environment) in state.Environments())
        {
            var crons = Declared(project, environment);
            if (crons.Count == 0 || (_noTimeouts.TryGetValue((project, environment), out var deployment) && deployment == crons[0].DeploymentId))
            {
                continue;
            }

            await Isolated<object>(problems, async () =>
            {
                using var connection = Connect(project, environment);
                if (connection.Driver is not IScheduledJobTimeouts timeouts || !connection.Driver.Capabilities.ScheduledJobs)
                {
                    _noTimeouts[(project, environment)] = crons[0].DeploymentId;
                }
                else
                {
                    foreach (var stopped in await timeouts.StopOverdueAsync(project, environment, crons.Select(c => c.Cron).ToList(), now, cancellationToken).ConfigureAwait(false))
                    {
                        _hooks.Events.Publish(new PlatformEvent(PlatformEvent.CronFailed, project, environment, now) { Service = stopped.Cron, Detail = stopped.Detail });
                    }
                }

                return null;
            }).ConfigureAwait(false);
        }
    }

    private static async Task<T?> Isolated<T>(List<Exception> problems, Func<Task<T?>> work)
        where T : class
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            problems.Add(e);
            return null;
        }
    }

    /// <summary>Starts a cron now, by hand, under its concurrency rule (forbid refuses while a run runs).</summary>
    public async Task<CronRun> RunNowAsync(string project, string environment, string cron, string by, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var scheduled = Declared(project, environment).FirstOrDefault(c => c.Cron.Name == cron)
                ?? throw new CronRefusedException($"{project}/{environment} runs no cron '{cron}'{Known(project, environment)}");
            return await StartAsync(scheduled, CronTrigger.Manual, by, null, cancellationToken).ConfigureAwait(false) is { Outcome: not CronOutcome.Skipped } run
                ? run
                : throw new CronRefusedException($"cron {cron} is still running (concurrency: forbid); wait for it, or see paas cron history {cron}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Looks at one run now (a CLI following it): recorded as ended once it has.</summary>
    public async Task<CronRun> SettleAsync(CronRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _runs.Get(run.Id) ?? run;
            return current.Outcome == CronOutcome.Running ? await SettleCoreAsync(current, _hooks.Clock.GetUtcNow(), cancellationToken).ConfigureAwait(false) : current;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A run's output: what was kept when it ended, or what its container has written so far.</summary>
    public async Task<string> LogAsync(CronRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (_runs.Log(run.Id) is { } kept)
        {
            return kept;
        }

        if (run.Outcome != CronOutcome.Running)
        {
            return "(its output is no longer kept: platform.yaml's logs.cron says how long after a run it is)\n";
        }

        using var connection = Connect(run.Project, run.Environment);
        try
        {
            return connection.Driver is IJobRunner jobs ? await jobs.JobLogAsync(run.Container, CronRuns.KeptLogChars, cancellationToken).ConfigureAwait(false) : "";
        }
        catch (TargetException e) when (e is TargetConflictException || _runs.Get(run.Id) is { Outcome: not CronOutcome.Running })
        {
            // The run ended and its container is being removed as this asks ("marked for removal": the scheduler settled it): what it kept, if written yet.
            return _runs.Log(run.Id) ?? "";
        }
    }

    /// <summary>The crons the environment runs now, each with when it is next due.</summary>
    public IReadOnlyList<(ScheduledCron Cron, DateTimeOffset? Next)> List(string project, string environment)
    {
        var now = _hooks.Clock.GetUtcNow();
        return Declared(project, environment).Select(c => (c, c.Schedule.Next(_runs.Cursor(project, environment, c.Cron.Name) is { } cursor && cursor > now ? cursor : now))).ToList();
    }

    /// <summary>The crons of the environment's running deployment, read again only when another deployment runs.</summary>
    public IReadOnlyList<ScheduledCron> Declared(string project, string environment)
    {
        var id = state.LastSucceededId(project, environment);
        if (id is null)
        {
            return [];
        }

        if (_declared.TryGetValue((project, environment), out var known) && known.Deployment == id)
        {
            return known.Crons;
        }

        var crons = state.Deployment(id)?.Desired is { } desired
            ? desired.Services.SelectMany(s => s.Extras.Crons.Select(c => new ScheduledCron(project, environment, s, c, id, CronSchedule.Of(c)))).ToList()
            : [];
        _declared[(project, environment)] = (id, crons);
        // Only another deployment changes which crons exist: a cron it dropped loses its cursor, so declared again later it starts afresh.
        _runs.Forget(project, environment, crons.Select(c => c.Cron.Name).ToHashSet(StringComparer.Ordinal));
        return crons;
    }

    /// <summary>The schedule's time due now, if any; a cron seen for the first time starts counting from now.</summary>
    private DateTimeOffset? Due(ScheduledCron cron, DateTimeOffset now)
    {
        var name = cron.Cron.Name;
        if (_runs.Cursor(cron.Project, cron.Environment, name) is not { } cursor)
        {
            _runs.Advance(cron.Project, cron.Environment, name, now);
            return null;
        }

        return cron.Schedule.LatestDue(cursor, now);
    }

    /// <summary>Starts a run under the cron's concurrency rule; null when its target runs its crons itself.</summary>
    private async Task<CronRun?> StartAsync(ScheduledCron cron, CronTrigger trigger, string? by, DateTimeOffset? due, CancellationToken cancellationToken)
    {
        var (project, environment, name) = (cron.Project, cron.Environment, cron.Cron.Name);
        using var connection = Connect(project, environment);
        if (connection.Driver is not IJobRunner jobs || !connection.Driver.Capabilities.Jobs)
        {
            AdvancePast(cron, due);
            return connection.Driver.Capabilities.ScheduledJobs
                ? (trigger == CronTrigger.Manual ? throw new CronRefusedException($"{project}/{environment} runs on a {connection.Driver.Kind} target, which schedules cron {name} itself") : null)
                : throw new CronRefusedException($"{project}/{environment}'s target (kind {connection.Driver.Kind}) cannot run one-off jobs");
        }

        var now = _hooks.Clock.GetUtcNow();
        var id = NewRunId(now);
        var run = new CronRun
        {
            Id = id,
            Project = project,
            Environment = environment,
            Cron = name,
            Service = cron.Service.Name,
            Trigger = trigger,
            By = by,
            ScheduledFor = due,
            StartedAt = now,
            Container = Names.Job(project, environment, name, id),
            DeploymentId = cron.DeploymentId,
            Timeout = cron.Cron.Timeout.Value,
        };
        var running = _runs.Running().Where(r => r.Project == project && r.Environment == environment && r.Cron == name).ToList();
        if (running.Count > 0 && cron.Cron.Concurrency == CronConcurrency.Forbid)
        {
            var skipped = run with { Outcome = CronOutcome.Skipped, EndedAt = now, Container = "", Detail = $"run {running[0].Id} was still running (concurrency: forbid)" };
            _runs.Finish(skipped, "");
            AdvancePast(cron, due);
            return skipped;
        }

        foreach (var replaced in running.Where(_ => cron.Cron.Concurrency == CronConcurrency.Replace))
        {
            await jobs.KillJobAsync(replaced.Container, cancellationToken).ConfigureAwait(false);
            await EndAsync(jobs, replaced, CronOutcome.Replaced, $"replaced by run {id} (concurrency: replace)", now, cancellationToken).ConfigureAwait(false);
        }

        // Recorded before the engine is asked, and the schedule's time with it: a crash from here on
        // leaves a run the next pass settles, never a second start of the same time.
        _runs.Save(run);
        AdvancePast(cron, due);
        try
        {
            var values = cron.Service.Spec.Secrets.Count > 0 ? secrets.ResolveFor(project, environment, cron.Service.Spec) : null;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [Labels.Job] = id, [Labels.Cron] = name };
            await jobs.StartJobAsync(new JobRequest(project, environment, run.Container, Names.Network(project, environment), cron.Service, cron.Cron.Command ?? cron.Service.Spec.Command, values, labels), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TimeoutException or KeyNotFoundException)
        {
            // A TargetException is an InvalidOperationException: the engine refused or did not answer.
            return await EndAsync(jobs, run, CronOutcome.Failed, $"could not start: {e.Message}", _hooks.Clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        return run;
    }

    /// <summary>A running run as its container is now: ended (exit code, output), past its timeout (killed), or gone.</summary>
    private async Task<CronRun> SettleCoreAsync(CronRun run, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var connection = Connect(run.Project, run.Environment);
        if (connection.Driver is not IJobRunner jobs)
        {
            return await EndAsync(null, run, CronOutcome.Lost, $"its environment moved to a {connection.Driver.Kind} target, which runs no platform jobs", now, cancellationToken).ConfigureAwait(false);
        }

        var job = await jobs.InspectJobAsync(run.Container, cancellationToken).ConfigureAwait(false);
        if (!job.Exists)
        {
            return await EndAsync(jobs, run, CronOutcome.Lost, "its container is gone (removed by hand, or the environment was destroyed)", now, cancellationToken).ConfigureAwait(false);
        }

        if (job.Running && now - run.StartedAt >= run.Timeout)
        {
            await jobs.KillJobAsync(run.Container, cancellationToken).ConfigureAwait(false);
            return await EndAsync(jobs, run, CronOutcome.TimedOut, $"killed after its timeout of {new Duration(run.Timeout)}", now, cancellationToken).ConfigureAwait(false);
        }

        if (job.Running)
        {
            return run;
        }

        return await EndAsync(jobs, run, job.ExitCode == 0 ? CronOutcome.Succeeded : CronOutcome.Failed, job.ExitCode == 0 ? null : job.Why ?? $"exited {job.ExitCode}", now, cancellationToken, job.ExitCode).ConfigureAwait(false);
    }

    /// <summary>Records how a run ended with its output, removes its container, and tells the event sink.</summary>
    private async Task<CronRun> EndAsync(IJobRunner? jobs, CronRun run, CronOutcome outcome, string? detail, DateTimeOffset at, CancellationToken cancellationToken, int? exitCode = null)
    {
        var log = "";
        if (jobs is not null && run.Container.Length > 0)
        {
            if (exitCode is null && (await jobs.InspectJobAsync(run.Container, cancellationToken).ConfigureAwait(false)) is { Exists: true, Running: false } killed)
            {
                exitCode = killed.ExitCode; // a killed run's code (137) is worth keeping too
            }

            log = await jobs.JobLogAsync(run.Container, CronRuns.KeptLogChars, cancellationToken).ConfigureAwait(false);
            await jobs.RemoveJobAsync(run.Container, cancellationToken).ConfigureAwait(false);
        }

        var ended = run with { Outcome = outcome, Detail = detail, EndedAt = at, ExitCode = exitCode };
        _runs.Finish(ended, log);
        _hooks.Events.Publish(new PlatformEvent(outcome == CronOutcome.Succeeded ? PlatformEvent.CronSucceeded : PlatformEvent.CronFailed, run.Project, run.Environment, at)
        {
            Service = run.Cron,
            DeploymentId = run.DeploymentId,
            Duration = at - run.StartedAt,
            Detail = $"run {run.Id} {outcome.ToString().ToLowerInvariant()}{(detail is null ? "" : $": {detail}")}",
        });
        return ended;
    }

    /// <summary>The schedule's time handled: the cursor moves past it (a manual run leaves the schedule alone).</summary>
    private void AdvancePast(ScheduledCron cron, DateTimeOffset? due)
    {
        if (due is { } at)
        {
            _runs.Advance(cron.Project, cron.Environment, cron.Cron.Name, at);
        }
    }

    private TargetConnection Connect(string project, string environment) => connect(project, environment);

    /// <summary>The server's way to an environment's target: the one its last sync deployed to (the loop records it), else <c>local</c>.</summary>
    public static Func<string, string, TargetConnection> OnLastSyncedTarget(StateStore state, PlatformConfig platform, Func<TargetConfig, TargetConnection> connect)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(connect);
        var records = new EnvironmentRecords(state);
        return (project, environment) => connect(platform.Target(records.LastSync(project, environment)?.Target ?? "local"));
    }

    private string Known(string project, string environment) =>
        Declared(project, environment) is { Count: > 0 } crons ? $"; it runs {string.Join(", ", crons.Select(c => c.Cron.Name))}" : "";

    public void Dispose() => _gate.Dispose();

    /// <summary>Sortable by time, unique across processes: <c>r-20261202-034501-3fa9c2</c>.</summary>
    private static string NewRunId(DateTimeOffset now) =>
        $"r-{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}
