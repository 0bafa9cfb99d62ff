using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure.Api;
using Gitops.Schema.Model;

namespace Gitops.Providers.Azure;

/// <summary>
/// A project environment as Container Apps runs it, found by ownership tags (never by name alone):
/// each container app of the target's resource group tagged as the environment's. ARM names no
/// replicas the platform could keep, so a service's instances are the replicas of the revision that
/// serves (the latest ready one, in Single mode), named <c>REVISION-N</c>: the same while that
/// revision serves, new with a new one. The fingerprint is the serving revision's (its suffix names
/// it); a live image, variable or replica bound different from what the platform set (its
/// <c>paas.applied.*</c> tags) is drift, put back by the next apply. So is a cron's job changed in the
/// portal (its spec no longer the hash it was tagged with) or deleted (missing from the crons the app's
/// tag names): drift of the service whose crons they are.
/// </summary>
internal sealed class ContainerAppsObserver(IContainerAppsClient client)
{
    public async Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var apps = await AppsAsync(project, environment, cancellationToken).ConfigureAwait(false);
        // Jobs are read only when an app has crons: an environment without any needs no Microsoft.App/jobs permission.
        var jobs = apps.Any(HasCrons) ? await JobsAsync(project, environment, cancellationToken).ConfigureAwait(false) : [];
        var instances = new List<ObservedContainer>();
        foreach (var app in apps)
        {
            var name = app.Tags![Labels.Service];
            if (await ServingAsync(app, cancellationToken).ConfigureAwait(false) is not { } serving)
            {
                continue;
            }

            var drift = new ValueList<FieldChange>([.. Drift(app), .. CronDrift(app, jobs.Where(j => j.Tags![Labels.Service] == name))]);
            for (var replica = 1; replica <= serving.Properties.Replicas; replica++)
            {
                instances.Add(new ObservedContainer(
                    $"{serving.Name}-{replica.ToString(CultureInfo.InvariantCulture)}",
                    ContainerAppsNames.Instance(project, environment, name),
                    name,
                    FingerprintOf(app, serving.Name),
                    replica,
                    serving.Properties.Serving)
                {
                    Drift = drift,
                });
            }
        }

        return new ObservedState(apps.Count > 0, ValueList<string>.Empty, new ValueList<ObservedContainer>(instances.OrderBy(c => c.Service, StringComparer.Ordinal).ThenBy(c => c.Replica)))
        {
            ServiceNoun = "container app",
            NetworkNoun = "environment",
            UpdatesInPlace = true,
            ScalesItself = true,
        };
    }

    /// <summary>The resource group's container apps carrying the environment's ownership tags.</summary>
    public async Task<List<ContainerApp>> AppsAsync(string project, string environment, CancellationToken cancellationToken) =>
        (await client.ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(a => ContainerAppsTags.Owned(a.Tags, project, environment))
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Whether the platform wrote crons' jobs for the app (its tag names them).</summary>
    public static bool HasCrons(ContainerApp app) => app.Tags?.ContainsKey(ContainerAppsTags.Crons) == true;

    /// <summary>The resource group's Container Apps jobs carrying the environment's ownership tags and a cron's name.</summary>
    public async Task<List<ContainerAppJob>> JobsAsync(string project, string environment, CancellationToken cancellationToken) =>
        (await client.ListJobsAsync(cancellationToken).ConfigureAwait(false))
            .Where(j => ContainerAppsTags.OwnedJob(j.Tags, project, environment))
            .OrderBy(j => j.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>The owned job of that name with its etag, or null; one of that name that is not the environment's is refused.</summary>
    public async Task<(ContainerAppJob Job, string? ETag)?> JobAsync(string project, string environment, string name, CancellationToken cancellationToken)
    {
        var found = await client.GetJobAsync(name, cancellationToken).ConfigureAwait(false);
        if (found is { Job: var job } && Ownership.Refusal("container apps job", name, job.Tags ?? new Dictionary<string, string>(), project, environment) is { } refusal)
        {
            throw new TargetConflictException(refusal);
        }

        return found;
    }

    /// <summary>The owned app of that name with its etag, or null; one of that name that is not the environment's is refused.</summary>
    public async Task<(ContainerApp App, string? ETag)?> AppAsync(string project, string environment, string name, CancellationToken cancellationToken)
    {
        var found = await client.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (found is { App: var app } && Ownership.Refusal("container app", name, app.Tags ?? new Dictionary<string, string>(), project, environment) is { } refusal)
        {
            throw new TargetConflictException(refusal);
        }

        return found;
    }

    /// <summary>The revision that serves: the latest ready one; null when none is ready yet.</summary>
    public async Task<AppRevision?> ServingAsync(ContainerApp app, CancellationToken cancellationToken)
    {
        if (app.Properties.LatestReadyRevisionName is not { } ready)
        {
            return null;
        }

        var revisions = await client.ListRevisionsAsync(app.Name!, cancellationToken).ConfigureAwait(false);
        return revisions.FirstOrDefault(r => r.Name == ready);
    }

    /// <summary>
    /// The app's fingerprint tag when the revision carries its prefix; the prefix alone when it is
    /// another version's (never a whole fingerprint it is not); the tag when the revision was named
    /// outside the platform (a portal edit: what differs from the platform's spec is drift, not a version).
    /// </summary>
    private static string FingerprintOf(ContainerApp app, string revision)
    {
        var prefix = ContainerAppsNames.FingerprintPrefixOf(revision);
        var tagged = app.Tags?.GetValueOrDefault(Labels.Fingerprint) ?? "";
        return prefix is null || tagged.StartsWith(prefix, StringComparison.Ordinal) ? tagged : prefix;
    }

    /// <summary>What the live app says differs from what the platform set (its tags): image, plain variables, replica bounds.</summary>
    private static ValueList<FieldChange> Drift(ContainerApp app)
    {
        var tags = app.Tags!;
        var changes = new List<FieldChange>();
        var container = app.Properties.Template?.Containers.FirstOrDefault();
        if (tags.GetValueOrDefault(ContainerAppsTags.Image) is { } image && container is not null && container.Image != image)
        {
            changes.Add(new FieldChange(".image", container.Image, image));
        }

        var env = (container?.Env ?? []).Where(e => e.SecretRef is null).ToDictionary(e => e.Name, e => e.Value ?? "", StringComparer.Ordinal);
        if (tags.GetValueOrDefault(ContainerAppsTags.Env) is { } hash && container is not null && ContainerAppsTags.EnvHash(env) != hash)
        {
            changes.Add(new FieldChange(".env", string.Join(", ", env.Keys.Order(StringComparer.Ordinal).Select(k => $"{k} (changed outside the platform)")), "the variables paas.yaml sets"));
        }

        var scale = app.Properties.Template?.Scale;
        if (tags.GetValueOrDefault(ContainerAppsTags.Scale) is { } set && ContainerAppsTags.ScaleText(scale?.MinReplicas, scale?.MaxReplicas) is var live && live != set)
        {
            changes.Add(new FieldChange(".scale", live, set));
        }

        return new ValueList<FieldChange>(changes);
    }

    /// <summary>
    /// The service's crons' jobs as the portal left them: one whose spec is not what it was tagged with
    /// (<c>.crons.NAME</c>), and the crons the app's tag names that have no job (or jobs it does not name).
    /// </summary>
    private static IEnumerable<FieldChange> CronDrift(ContainerApp app, IEnumerable<ContainerAppJob> jobs)
    {
        var live = jobs.ToList();
        foreach (var job in live)
        {
            if (job.Tags!.GetValueOrDefault(ContainerAppsTags.Job) is { } set && ContainerAppJobSpecs.Hash(job) != set)
            {
                yield return new FieldChange($".crons.{job.Tags![Labels.Cron]}", $"job {job.Name} (changed outside the platform)", "the cron paas.yaml sets");
            }
        }

        var named = app.Tags!.GetValueOrDefault(ContainerAppsTags.Crons);
        var found = live.Select(j => j.Tags![Labels.Cron]).ToList();
        if (named == ContainerAppsTags.CronsText(found))
        {
            yield break;
        }

        if (named is null || !named.StartsWith("sha256:", StringComparison.Ordinal))
        {
            var wanted = named?.Split(',') ?? [];
            foreach (var missing in wanted.Except(found, StringComparer.Ordinal))
            {
                yield return new FieldChange($".crons.{missing}", "(its job was deleted outside the platform)", "the cron paas.yaml sets");
            }

            foreach (var extra in found.Except(wanted, StringComparer.Ordinal))
            {
                yield return new FieldChange($".crons.{extra}", "a job the platform did not set", "(none)");
            }

            yield break;
        }

        yield return new FieldChange(".crons", string.Join(", ", found.Order(StringComparer.Ordinal)) is { Length: > 0 } names ? names : "(no jobs)", "the crons paas.yaml sets");
    }
}
