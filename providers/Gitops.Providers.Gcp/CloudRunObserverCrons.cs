using System.Text.Json;
using Gitops.Engine.Desired;
using Gitops.Engine.Planning;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;
using Gitops.Schema.Model;

namespace Gitops.Providers.Gcp;

/// <summary>A service's crons as found: their owned Cloud Run jobs, and what differs from what the platform set.</summary>
internal sealed partial class CloudRunObserver
{
    private ICloudRunJobsClient Jobs => client as ICloudRunJobsClient
        ?? throw new TargetRefusedException("cloudrun target: this client cannot reach Cloud Run jobs or Cloud Scheduler");

    /// <summary>The owned Cloud Run job of that id, or null; one of that id that is not the environment's is refused.</summary>
    public async Task<RunJob?> CronJobAsync(string project, string environment, string id, CancellationToken cancellationToken)
    {
        var found = await Jobs.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        if (found is not null && Ownership.Refusal("Cloud Run job", id, CloudRunLabels.Platform(found.Labels), project, environment) is { } refusal)
        {
            throw new TargetConflictException(refusal);
        }

        return found;
    }

    /// <summary>The Cloud Run jobs labelled as crons of the environment's service.</summary>
    public async Task<List<RunJob>> CronJobsAsync(string project, string environment, string service, CancellationToken cancellationToken) =>
        Crons(await Jobs.ListJobsAsync(cancellationToken).ConfigureAwait(false), project, environment, service);

    private static List<RunJob> Crons(IEnumerable<RunJob> jobs, string project, string environment, string service) =>
        jobs.Where(j => CloudRunLabels.Owned(j.Labels, project, environment)
                && CloudRunLabels.Platform(j.Labels) is var labels
                && labels.GetValueOrDefault(Labels.Service) == service
                && labels.ContainsKey(Labels.Cron))
            .OrderBy(j => j.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Each cron the service's annotation names: its Cloud Run job gone, or its image, args, plain
    /// variables or timeout not what the platform set; its Cloud Scheduler job gone, paused, or its
    /// schedule, time zone or target changed.
    /// </summary>
    private async Task<List<FieldChange>> CronDriftAsync(string project, string environment, string service, List<string> crons, IReadOnlyList<RunJob> jobs, CancellationToken cancellationToken)
    {
        var owned = Crons(jobs, project, environment, service).ToDictionary(j => j.ShortName, StringComparer.Ordinal);
        var changes = new List<FieldChange>();
        foreach (var cron in crons)
        {
            var id = CloudRunNames.Cron(project, environment, service, cron);
            var field = $".crons.{cron}";
            if (!owned.TryGetValue(id, out var job))
            {
                changes.Add(new FieldChange(field, "(deleted)", $"Cloud Run job {id}"));
                continue;
            }

            if (job.Annotations?.GetValueOrDefault(CloudRunLabels.Applied) is not { } json || JsonSerializer.Deserialize<CronApplied>(json, CloudRunTransport.Json) is not { } applied)
            {
                continue;
            }

            var task = job.Template?.Template;
            var container = task?.Containers.FirstOrDefault();
            void Compare(string name, string? live, string? set)
            {
                if (live != set)
                {
                    changes.Add(new FieldChange($"{field}.{name}", live ?? "(none)", set ?? "(none)"));
                }
            }

            Compare("image", container?.Image, applied.Image);
            Compare("command", Text(container?.Args), Text(applied.Args));
            Compare("timeout", task?.Timeout, applied.Timeout);
            var env = container is null ? [] : Applied.Plain(container);
            foreach (var key in env.Keys.Union(applied.Env.Keys).Order(StringComparer.Ordinal))
            {
                Compare($"env.{key}", env.GetValueOrDefault(key), applied.Env.GetValueOrDefault(key));
            }

            if (await Jobs.GetScheduleAsync(id, cancellationToken).ConfigureAwait(false) is not { } schedule)
            {
                changes.Add(new FieldChange($"{field}.schedule", "(Cloud Scheduler job deleted)", applied.Schedule));
                continue;
            }

            Compare("schedule", schedule.Schedule, applied.Schedule);
            Compare("timeZone", schedule.TimeZone, applied.TimeZone);
            Compare("target", schedule.HttpTarget?.Uri, applied.Uri);
            if (schedule.State == SchedulerJob.Paused)
            {
                changes.Add(new FieldChange($"{field}.state", "PAUSED", "ENABLED"));
            }
        }

        return changes;
    }

    private static string? Text(List<string>? args) => args is null ? null : JsonSerializer.Serialize(args, CloudRunTransport.Json);
}
