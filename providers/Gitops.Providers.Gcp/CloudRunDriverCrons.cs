using System.Net;
using System.Text.Json;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;
using Microsoft.Extensions.Logging;

namespace Gitops.Providers.Gcp;

/// <summary>
/// A service's crons on Cloud Run (<see cref="CloudRunCrons"/>): written once the service's rollout
/// succeeded (a rolled-back version never runs as a cron), each Cloud Run job before the Cloud
/// Scheduler job that runs it; the crons the service no longer has are
/// deleted, scheduler first. Everything that could refuse (a name someone else holds) is read before
/// the service step, so a refusal changes nothing.
/// </summary>
public sealed partial class CloudRunDriver
{
    /// <summary>The journal's verb of writing a service's crons; an interrupted one is redone by the next apply (writes are whole).</summary>
    public const string ApplyCrons = "apply-cloudrun-crons";

    /// <summary>Who Cloud Scheduler signs the run requests as: the target's option, else the key's client_email.</summary>
    internal Func<string>? Caller { get; init; }

    internal ICloudRunJobsClient Jobs => _client as ICloudRunJobsClient
        ?? throw new TargetRefusedException("cloudrun target: this client cannot reach Cloud Run jobs or Cloud Scheduler, so crons cannot be written");

    /// <summary>The crons to write and the owned ones to delete; refuses (changing nothing) a name that is not the environment's.</summary>
    private async Task<CronPlan> PlanCronsAsync(ServiceChange change, RunService body, CancellationToken cancellationToken)
    {
        var desired = change.Node.Desired!;
        var write = new List<CronWrite>();
        foreach (var cron in desired.Extras.Crons.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var id = CloudRunNames.Cron(change.Project, change.Environment, desired.Name, cron.Name);
            var schedule = CloudRunCrons.Plain(cron);
            var uri = Jobs.RunUri(id);
            var existing = await _observer.CronJobAsync(change.Project, change.Environment, id, cancellationToken).ConfigureAwait(false);
            var existingSchedule = await ScheduleOfAsync(change.Project, change.Environment, id, cancellationToken).ConfigureAwait(false);
            var caller = Caller?.Invoke() ?? _options.SchedulerServiceAccount
                ?? throw new TargetRefusedException("cloudrun target: no service account for Cloud Scheduler to run crons as; set schedulerServiceAccount: in platform.yaml");
            write.Add(new CronWrite(
                id,
                CloudRunCrons.Job(change, cron, body.Template!.Containers[0], _options, uri, schedule),
                CloudRunCrons.Schedule(change, cron, id, Jobs.ScheduleName(id), schedule, uri, caller),
                existing,
                existingSchedule));
        }

        var names = desired.Extras.Crons.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var stale = (await _observer.CronJobsAsync(change.Project, change.Environment, desired.Name, cancellationToken).ConfigureAwait(false))
            .Where(j => !names.Contains(CloudRunLabels.Platform(j.Labels).GetValueOrDefault(Labels.Cron) ?? ""))
            .Select(j => j.ShortName)
            .ToList();
        return new CronPlan(write, stale);
    }

    /// <summary>What the crons step says it writes: each job with its schedule, each deletion.</summary>
    private static string Describe(CronPlan plan) => string.Join("; ", [
        .. plan.Write.Select(w => $"{(w.Existing is null ? "create" : "update")} Cloud Run job {w.Id} and Cloud Scheduler job {w.Id} ({w.Schedule.Schedule}, {w.Schedule.TimeZone})"),
        .. plan.Stale.Select(id => $"delete Cloud Scheduler job {id} and Cloud Run job {id}"),
    ]);

    private async Task WriteCronsAsync(string project, string environment, CronPlan plan, CancellationToken cancellationToken)
    {
        foreach (var cron in plan.Write)
        {
            await PutJobAsync(project, environment, cron, cancellationToken).ConfigureAwait(false);
            await PutScheduleAsync(project, environment, cron, cancellationToken).ConfigureAwait(false);
        }

        foreach (var id in plan.Stale)
        {
            await DeleteCronAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the Cloud Run job or patches it whole (what the console changed goes back), then waits for its operation.</summary>
    private async Task PutJobAsync(string project, string environment, CronWrite cron, CancellationToken cancellationToken)
    {
        var existing = cron.Existing;
        if (existing is null)
        {
            try
            {
                var created = await Jobs.CreateJobAsync(cron.Id, cron.Job, cancellationToken).ConfigureAwait(false);
                await WaitAsync(created.Name, cancellationToken).ConfigureAwait(false);
                Log.CronApplied(_log, cron.Id, "Cloud Run job created");
                return;
            }
            catch (GoogleApiException e) when (e.Status == HttpStatusCode.Conflict && e.Code == "ALREADY_EXISTS")
            {
                // Made by an apply that died before it was journaled done (or by someone else: refused here).
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            existing ??= await _observer.CronJobAsync(project, environment, cron.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new TargetConflictException($"Cloud Run job {cron.Id} disappeared while it was being changed");
            try
            {
                var patched = await Jobs.UpdateJobAsync(cron.Id, cron.Job with { Etag = existing.Etag }, cancellationToken).ConfigureAwait(false);
                await WaitAsync(patched.Name, cancellationToken).ConfigureAwait(false);
                Log.CronApplied(_log, cron.Id, "Cloud Run job patched");
                return;
            }
            catch (GoogleApiException e) when (e.Conflict && attempt < ConflictAttempts)
            {
                Log.StaleEtag(_log, cron.Id, attempt);
                existing = null;
            }
        }
    }

    /// <summary>Creates the Cloud Scheduler job or patches what the platform sets on it.</summary>
    private async Task PutScheduleAsync(string project, string environment, CronWrite cron, CancellationToken cancellationToken)
    {
        if (cron.ExistingSchedule is null)
        {
            try
            {
                await Jobs.CreateScheduleAsync(cron.Schedule, cancellationToken).ConfigureAwait(false);
                Log.CronApplied(_log, cron.Id, "Cloud Scheduler job created");
                return;
            }
            catch (GoogleApiException e) when (e.Status == HttpStatusCode.Conflict && e.Code == "ALREADY_EXISTS")
            {
                _ = await ScheduleOfAsync(project, environment, cron.Id, cancellationToken).ConfigureAwait(false); // someone else's is refused
            }
        }

        await Jobs.UpdateScheduleAsync(cron.Schedule, cancellationToken).ConfigureAwait(false);
        Log.CronApplied(_log, cron.Id, "Cloud Scheduler job patched");
        if (cron.ExistingSchedule?.State == SchedulerJob.Paused)
        {
            // Paused in the console: the manifest says it runs.
            await Jobs.ResumeScheduleAsync(cron.Id, cancellationToken).ConfigureAwait(false);
            Log.CronApplied(_log, cron.Id, "Cloud Scheduler job resumed");
        }
    }

    /// <summary>The Cloud Scheduler job of that id, or null; one that does not run the environment's Cloud Run job of that id is refused.</summary>
    private async Task<SchedulerJob?> ScheduleOfAsync(string project, string environment, string id, CancellationToken cancellationToken)
    {
        var found = await Jobs.GetScheduleAsync(id, cancellationToken).ConfigureAwait(false);
        if (found is not null && found.HttpTarget?.Uri != Jobs.RunUri(id))
        {
            throw new TargetConflictException($"Cloud Scheduler job '{id}' already exists and is not {project}/{environment}'s (it calls {found.HttpTarget?.Uri ?? "no HTTP target"}, not the platform's Cloud Run job {id}); rename or delete it, or deploy this project to another region");
        }

        return found;
    }

    /// <summary>A cron's two jobs, when they are the platform's: the schedule first (nothing starts a run after), then the Cloud Run job.</summary>
    private async Task DeleteCronAsync(string id, CancellationToken cancellationToken)
    {
        if (await Jobs.GetScheduleAsync(id, cancellationToken).ConfigureAwait(false) is { } schedule && schedule.HttpTarget?.Uri == Jobs.RunUri(id))
        {
            await Jobs.DeleteScheduleAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (await Jobs.DeleteJobAsync(id, cancellationToken).ConfigureAwait(false) is { } operation)
        {
            await WaitAsync(operation.Name, cancellationToken).ConfigureAwait(false);
        }

        Log.CronDeleted(_log, id);
    }

    /// <summary>Every cron of a service being deleted: its owned Cloud Run jobs and the crons its annotation names (a job deleted in the console leaves its schedule).</summary>
    private async Task DeleteCronsOfAsync(string project, string environment, string service, RunService? found, CancellationToken cancellationToken)
    {
        var ids = (await _observer.CronJobsAsync(project, environment, service, cancellationToken).ConfigureAwait(false)).Select(j => j.ShortName).ToHashSet(StringComparer.Ordinal);
        if (found?.Annotations?.GetValueOrDefault(CloudRunLabels.Applied) is { } json && JsonSerializer.Deserialize<Applied>(json, CloudRunTransport.Json)?.Crons is { } crons)
        {
            ids.UnionWith(crons.Select(c => CloudRunNames.Cron(project, environment, service, c)));
        }

        foreach (var id in ids.Order(StringComparer.Ordinal))
        {
            if (await _observer.CronJobAsync(project, environment, id, cancellationToken).ConfigureAwait(false) is not null || await Jobs.GetScheduleAsync(id, cancellationToken).ConfigureAwait(false) is not null)
            {
                await DeleteCronAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The service's rollout, then its crons' step, only when the rollout succeeded.</summary>
    private sealed class CronsAfterRollout(IRollout rollout, Func<CancellationToken, Task> write) : IRollout
    {
        public async Task<RolloutResult> WaitAsync(CancellationToken cancellationToken)
        {
            var result = await rollout.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                await write(cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
    }

    private sealed record CronWrite(string Id, RunJob Job, SchedulerJob Schedule, RunJob? Existing, SchedulerJob? ExistingSchedule);

    private sealed record CronPlan(List<CronWrite> Write, List<string> Stale)
    {
        public bool Any => Write.Count > 0 || Stale.Count > 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "cron {Job}: {What}")]
        public static partial void CronApplied(ILogger logger, string job, string what);

        [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "cron {Job}: Cloud Scheduler job and Cloud Run job deleted")]
        public static partial void CronDeleted(ILogger logger, string job);
    }
}
