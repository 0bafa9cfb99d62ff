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
/// <c>paas.applied.*</c> tags) is drift, put back by the next apply.
/// </summary>
internal sealed class ContainerAppsObserver(IContainerAppsClient client)
{
    public async Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var apps = await AppsAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var instances = new List<ObservedContainer>();
        foreach (var app in apps)
        {
            var name = app.Tags![Labels.Service];
            if (await ServingAsync(app, cancellationToken).ConfigureAwait(false) is not { } serving)
            {
                continue;
            }

            var drift = Drift(app);
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
}
