using Gitops.Engine.Crons;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure.Api;
using Gitops.Schema.Model;
using Microsoft.Extensions.Logging;

namespace Gitops.Providers.Azure;

/// <summary>
/// A service's crons as Container Apps jobs (<see cref="ContainerAppJobSpecs"/>): written with the
/// service's apply, the ones it no longer has deleted, all of them deleted with the service.
/// </summary>
public sealed partial class ContainerAppsDriver
{
    /// <summary>The journal's verb of writing a service's cron jobs (the next plan finishes an interrupted one).</summary>
    public const string ApplyJobs = "apply-containerapp-jobs";

    /// <summary>
    /// What Container Apps jobs cannot do of a cron: a schedule cloud schedulers cannot read, a time
    /// zone (cron expressions are read in UTC), and skipping or replacing a run that is still going
    /// (every due run starts).
    /// </summary>
    private static IEnumerable<string> CronRefusals(DesiredService service)
    {
        foreach (var cron in service.Extras.Crons)
        {
            if (CronFields.Plain(cron.Schedule, out var problem) is null)
            {
                yield return $"crons.{cron.Name}.schedule: {problem}; Container Apps jobs read five plain fields, so write the days out with numbers, ranges and lists";
            }

            if (cron.TimeZone is { } zone && zone is not ("UTC" or "Etc/UTC"))
            {
                yield return $"crons.{cron.Name}.timeZone: Container Apps jobs read cron expressions in UTC only, so {zone} cannot be honoured; write the schedule in UTC and remove timeZone:, or deploy to a target that reads time zones (kubernetes, docker, podman)";
            }

            if (cron.Concurrency != CronConcurrency.Allow)
            {
                yield return $"crons.{cron.Name}.concurrency: a containerapps target starts every due run even while the previous one still runs (Container Apps jobs cannot skip or replace it), so {cron.Concurrency.ToString().ToLowerInvariant()} cannot be honoured; write concurrency: allow (the default is forbid)";
            }
        }
    }

    /// <summary>The service's jobs as they should be, and the ownership of each name checked (a job of another's is refused) before anything changes.</summary>
    private async Task<CronPlan> PlanJobsAsync(ServiceChange change, ContainerApp app, ContainerApp? existing, CancellationToken cancellationToken)
    {
        var desired = change.Node.Desired!;
        var wanted = ContainerAppJobSpecs.For(change, app, _options);
        if (wanted.Count == 0 && (existing is null || !ContainerAppsObserver.HasCrons(existing)))
        {
            return new CronPlan([], [], []); // no crons now or before: no job is read (nor any permission on jobs needed)
        }

        var owned = (await _observer.JobsAsync(change.Project, change.Environment, cancellationToken).ConfigureAwait(false))
            .Where(j => j.Tags![Labels.Service] == desired.Name)
            .ToDictionary(j => j.Name!, StringComparer.Ordinal);
        var writes = new List<(string Name, DesiredCron Cron, ContainerAppJob Job)>();
        foreach (var (name, (cron, job)) in wanted)
        {
            var live = owned.TryGetValue(name, out var found) ? found : (await _observer.JobAsync(change.Project, change.Environment, name, cancellationToken).ConfigureAwait(false))?.Job;
            var hash = job.Tags![ContainerAppsTags.Job];
            if (live is null || live.Tags?.GetValueOrDefault(ContainerAppsTags.Job) != hash || ContainerAppJobSpecs.Hash(live) != hash || live.Tags?.GetValueOrDefault(Labels.Fingerprint) != desired.Fingerprint)
            {
                writes.Add((name, cron, job));
            }
        }

        var deletes = owned.Keys.Where(n => !wanted.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        return new CronPlan(writes, deletes, [.. owned.Values.Select(ContainerAppJobSpecs.Writable)]);
    }

    /// <summary>Writes and deletes what the plan says, as one journaled step naming every job.</summary>
    private async Task ApplyJobsAsync(ServiceChange change, CronPlan plan, IRolloutHost host, CancellationToken cancellationToken)
    {
        if (plan.Writes.Count == 0 && plan.Deletes.Count == 0)
        {
            return;
        }

        var parts = plan.Writes.Select(w => $"write container apps job {w.Name} ({ContainerAppJobSpecs.Describe(w.Cron, w.Job)})")
            .Concat(plan.Deletes.Select(d => $"delete container apps job {d} (its cron is gone)"));
        await host.StepAsync(
            new JournaledStep(ApplyJobs, ContainerAppsNames.Instance(change.Project, change.Environment, change.Node.Desired!.Name)) { Description = string.Join("; ", parts) },
            async t =>
            {
                foreach (var (name, _, job) in plan.Writes)
                {
                    await PutJobAsync(change.Project, change.Environment, name, job, t).ConfigureAwait(false);
                }

                foreach (var name in plan.Deletes)
                {
                    await DeleteJobAsync(change.Project, change.Environment, name, t).ConfigureAwait(false);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The jobs as they were before a rollout that failed: each put back, the ones it added deleted.</summary>
    internal async Task RestoreJobsAsync(string project, string environment, DesiredService service, IReadOnlyList<ContainerAppJob> previous, CancellationToken cancellationToken)
    {
        if (previous.Count == 0 && service.Extras.Crons.Count == 0)
        {
            return;
        }

        var keep = previous.Select(j => ContainerAppsNames.Job(project, environment, service.Name, j.Tags![Labels.Cron])).ToHashSet(StringComparer.Ordinal);
        foreach (var job in previous)
        {
            await PutJobAsync(project, environment, ContainerAppsNames.Job(project, environment, service.Name, job.Tags![Labels.Cron]), job, cancellationToken).ConfigureAwait(false);
        }

        foreach (var job in await _observer.JobsAsync(project, environment, cancellationToken).ConfigureAwait(false))
        {
            if (job.Tags![Labels.Service] == service.Name && !keep.Contains(job.Name!))
            {
                await DeleteJobAsync(project, environment, job.Name!, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every job of the service's crons (with the service, or its first revision undone).</summary>
    internal async Task DeleteJobsAsync(string project, string environment, string service, ContainerApp app, CancellationToken cancellationToken)
    {
        if (!ContainerAppsObserver.HasCrons(app))
        {
            return;
        }

        foreach (var job in await _observer.JobsAsync(project, environment, cancellationToken).ConfigureAwait(false))
        {
            if (job.Tags![Labels.Service] == service)
            {
                await DeleteJobAsync(project, environment, job.Name!, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Creates the job, or replaces it with the etag it was read with (a writer in between makes it read again); waits for its operation.</summary>
    private async Task PutJobAsync(string project, string environment, string name, ContainerAppJob body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await _observer.JobAsync(project, environment, name, cancellationToken).ConfigureAwait(false);
            try
            {
                var operation = await _client.PutJobAsync(name, body, current is null ? null : current.Value.ETag ?? "*", cancellationToken).ConfigureAwait(false);
                await SettleAsync("writing", name, operation, cancellationToken).ConfigureAwait(false);
                Log.JobApplied(_log, name, current is null ? "created" : "replaced");
                return;
            }
            catch (ArmApiException e) when (e.Conflict && attempt < ConflictAttempts)
            {
                Log.StaleEtag(_log, name, attempt);
            }
        }
    }

    /// <summary>The job, when it is the environment's; already gone is success.</summary>
    private async Task DeleteJobAsync(string project, string environment, string name, CancellationToken cancellationToken)
    {
        if (await _observer.JobAsync(project, environment, name, cancellationToken).ConfigureAwait(false) is null)
        {
            return;
        }

        await SettleAsync("deleting", name, await _client.DeleteJobAsync(name, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        Log.JobDeleted(_log, name);
    }

    private async Task SettleAsync(string what, string name, string? operation, CancellationToken cancellationToken)
    {
        if (operation is not null && await WaitAsync(operation, cancellationToken).ConfigureAwait(false) is { Status: not "Succeeded" } done)
        {
            throw new TargetRefusedException($"{what} container apps job {name} {done.Status?.ToLowerInvariant() ?? "did not finish"}: {done.Error?.Message ?? "no message"}");
        }
    }

    /// <summary>The jobs to write (missing, changed, or changed in the portal), the ones to delete, and all of the service's as they were.</summary>
    private sealed record CronPlan(IReadOnlyList<(string Name, DesiredCron Cron, ContainerAppJob Job)> Writes, IReadOnlyList<string> Deletes, IReadOnlyList<ContainerAppJob> Before);

    private static partial class Log
    {
        [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "container apps job {Job} {What}")]
        public static partial void JobApplied(ILogger logger, string job, string what);

        [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "container apps job {Job} deleted")]
        public static partial void JobDeleted(ILogger logger, string job);
    }
}
