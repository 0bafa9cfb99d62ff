using System.Globalization;
using System.Text.Json;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;
using Gitops.Schema.Model;

namespace Gitops.Providers.Gcp;

/// <summary>
/// A project environment as Cloud Run runs it, found by ownership labels (never by name alone): each
/// service of the target's project and region labelled as the environment's. The Admin API names no
/// instances, so a service's instances are the ones Cloud Run keeps warm (its service-level minimum)
/// of the revision that serves, named <c>REVISION-N</c>: the same while that revision serves and the
/// count holds, new with a new revision. The fingerprint is the serving revision's; a live image,
/// variable or instance bound different from what the platform set (its <c>paas/applied</c>
/// annotation) is drift, put back by the next apply; so is a cron's Cloud Run or Cloud Scheduler job
/// deleted or changed in the console (<see cref="CronDriftAsync"/>).
/// </summary>
internal sealed partial class CloudRunObserver(ICloudRunClient client)
{
    public async Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var services = await ServicesAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var instances = new List<ObservedContainer>();
        IReadOnlyList<RunJob>? jobs = null;
        foreach (var service in services)
        {
            var name = CloudRunLabels.Platform(service.Labels)[Labels.Service];
            var serving = await ServingAsync(service, cancellationToken).ConfigureAwait(false);
            if (serving is null)
            {
                continue;
            }

            var drift = Drift(service);
            if (AppliedOf(service)?.Crons is { Count: > 0 } crons)
            {
                jobs ??= await Jobs.ListJobsAsync(cancellationToken).ConfigureAwait(false);
                drift = new ValueList<FieldChange>([.. drift, .. await CronDriftAsync(project, environment, name, crons, jobs, cancellationToken).ConfigureAwait(false)]);
            }

            var count = service.Scaling?.MinInstanceCount ?? 0;
            for (var replica = 1; replica <= count; replica++)
            {
                instances.Add(new ObservedContainer(
                    $"{serving.ShortName}-{replica.ToString(CultureInfo.InvariantCulture)}",
                    CloudRunNames.Instance(project, environment, name),
                    name,
                    serving.Annotations?.GetValueOrDefault(CloudRunLabels.Fingerprint) ?? "",
                    replica,
                    serving.Ready)
                {
                    Drift = drift,
                });
            }
        }

        return new ObservedState(services.Count > 0, ValueList<string>.Empty, new ValueList<ObservedContainer>(instances.OrderBy(c => c.Service, StringComparer.Ordinal).ThenBy(c => c.Replica)))
        {
            ServiceNoun = "Cloud Run service",
            NetworkNoun = "environment",
            UpdatesInPlace = true,
            ScalesItself = true,
        };
    }

    /// <summary>The project and region's services carrying the environment's ownership labels.</summary>
    public async Task<List<RunService>> ServicesAsync(string project, string environment, CancellationToken cancellationToken) =>
        (await client.ListServicesAsync(cancellationToken).ConfigureAwait(false))
            .Where(s => CloudRunLabels.Owned(s.Labels, project, environment))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>The owned service of that id, or null; one of that id that is not the environment's is refused.</summary>
    public async Task<RunService?> ServiceAsync(string project, string environment, string id, CancellationToken cancellationToken)
    {
        var found = await client.GetServiceAsync(id, cancellationToken).ConfigureAwait(false);
        if (found is not null && Ownership.Refusal("Cloud Run service", id, CloudRunLabels.Platform(found.Labels), project, environment) is { } refusal)
        {
            throw new TargetConflictException(refusal);
        }

        return found;
    }

    /// <summary>The revision all traffic goes to: a named one, or the latest ready one; null when none serves yet.</summary>
    public async Task<Revision?> ServingAsync(RunService service, CancellationToken cancellationToken)
    {
        var name = ServingName(service);
        if (name is null)
        {
            return null;
        }

        var revisions = await client.ListRevisionsAsync(service.ShortName, cancellationToken).ConfigureAwait(false);
        return revisions.FirstOrDefault(r => r.ShortName == name || r.Name == name);
    }

    public static string? ServingName(RunService service)
    {
        var target = (service.TrafficStatuses ?? service.Traffic ?? []).FirstOrDefault(t => t.Percent == 100);
        var name = target is { Type: TrafficTarget.ToRevision, Revision: { } revision } ? revision : service.LatestReadyRevision;
        return name is null ? null : name[(name.LastIndexOf('/') + 1)..];
    }

    /// <summary>What the live service says differs from what the platform set (its annotation): image, plain variables, instance bounds.</summary>
    private static ValueList<FieldChange> Drift(RunService service)
    {
        if (AppliedOf(service) is not { } applied)
        {
            return ValueList<FieldChange>.Empty;
        }

        var changes = new List<FieldChange>();
        var container = service.Template?.Containers.FirstOrDefault();
        if (container?.Image is { } image && image != applied.Image)
        {
            changes.Add(new FieldChange(".image", image, applied.Image));
        }

        var env = container is null ? [] : Applied.Plain(container);
        foreach (var key in env.Keys.Union(applied.Env.Keys).Order(StringComparer.Ordinal))
        {
            var (live, set) = (env.GetValueOrDefault(key), applied.Env.GetValueOrDefault(key));
            if (live != set)
            {
                changes.Add(new FieldChange($".env.{key}", live ?? "(none)", set ?? "(none)"));
            }
        }

        if (service.Scaling?.MinInstanceCount != applied.Min)
        {
            changes.Add(new FieldChange(".scaling.minInstanceCount", Text(service.Scaling?.MinInstanceCount), Text(applied.Min)));
        }

        if (service.Scaling?.MaxInstanceCount != applied.Max)
        {
            changes.Add(new FieldChange(".scaling.maxInstanceCount", Text(service.Scaling?.MaxInstanceCount), Text(applied.Max)));
        }

        return new ValueList<FieldChange>(changes);
    }

    private static Applied? AppliedOf(RunService service) =>
        service.Annotations?.GetValueOrDefault(CloudRunLabels.Applied) is { } json ? JsonSerializer.Deserialize<Applied>(json, CloudRunTransport.Json) : null;

    private static string Text(int? count) => count?.ToString(CultureInfo.InvariantCulture) ?? "(none)";
}
