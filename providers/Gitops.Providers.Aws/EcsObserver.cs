using System.Collections.Concurrent;
using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Providers.Aws.Api;
using Gitops.Schema.Model;
using Service = Gitops.Providers.Aws.Api.Service;

namespace Gitops.Providers.Aws;

/// <summary>
/// A project environment as ECS runs it, found by ownership tags (never by name alone): each ACTIVE
/// service of the cluster tagged as the environment's, its RUNNING tasks as the instances (numbered by
/// start; the address is the task's interface), each task's fingerprint from its task definition
/// revision, a desired count that differs from the one the platform set, and a cron's schedule
/// changed or deleted outside the platform, as drift; the environment's
/// log group as its space.
/// </summary>
internal sealed class EcsObserver(IEcsClient ecs, ILogsClient logs, EcsOptions options, EcsCrons crons)
{
    /// <summary>Revisions never change: a task definition's fingerprint is read once.</summary>
    private readonly ConcurrentDictionary<string, string> _fingerprints = new(StringComparer.Ordinal);

    public string Cluster => options.Cluster!;

    public async Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var group = await logs.DescribeLogGroupTagsAsync(EcsNames.LogGroup(project, environment), cancellationToken).ConfigureAwait(false);
        // The environment's space is the log group in the target's cluster: the log group is the region's,
        // so it can outlive the cluster or come from another target's cluster, and then the cluster is still to make.
        var cluster = group is null ? null : await ecs.DescribeClusterAsync(Cluster, cancellationToken).ConfigureAwait(false);
        var services = await ServicesAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var instances = new List<ObservedContainer>();
        foreach (var service in services)
        {
            var tags = EcsTags.Map(service.Tags);
            var name = tags[Labels.Service];
            var drift = new ValueList<FieldChange>([.. Drift(service, tags), .. await crons.DriftAsync(project, environment, tags, cancellationToken).ConfigureAwait(false)]);
            var tasks = await TasksAsync(service.ServiceName, cancellationToken).ConfigureAwait(false);
            var replica = 0;
            foreach (var task in tasks)
            {
                instances.Add(new ObservedContainer(
                    task.TaskArn[(task.TaskArn.LastIndexOf('/') + 1)..],
                    EcsNames.Instance(project, environment, name),
                    name,
                    await FingerprintAsync(task.TaskDefinitionArn, cancellationToken).ConfigureAwait(false),
                    ++replica,
                    Serving(task))
                {
                    Address = Address(task),
                    Drift = drift,
                });
            }
        }

        return new ObservedState(group is not null && cluster is not null && Ownership.Owns(group.ToDictionary(), project, environment), ValueList<string>.Empty, new ValueList<ObservedContainer>(instances.OrderBy(c => c.Service, StringComparer.Ordinal).ThenBy(c => c.Replica)))
        {
            ServiceNoun = "ECS service",
            NetworkNoun = "log group",
            UpdatesInPlace = true,
            ScalesItself = true,
        };
    }

    /// <summary>The cluster's ACTIVE services carrying the environment's ownership tags.</summary>
    public async Task<List<Service>> ServicesAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var arns = await ecs.ListServicesAsync(Cluster, cancellationToken).ConfigureAwait(false);
        var described = arns.Count == 0 ? [] : await ecs.DescribeServicesAsync(Cluster, arns, cancellationToken).ConfigureAwait(false);
        return described
            .Where(s => s.Status == "ACTIVE" && EcsTags.Owned(s.Tags, project, environment) && EcsTags.Map(s.Tags).ContainsKey(Labels.Service))
            .ToList();
    }

    /// <summary>The owned service of that name, or null; one of that name that is not the environment's is refused.</summary>
    public async Task<Service?> ServiceAsync(string project, string environment, string name, CancellationToken cancellationToken)
    {
        var found = (await ecs.DescribeServicesAsync(Cluster, [name], cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.ServiceName == name && s.Status == "ACTIVE"); // DRAINING: being deleted, no longer the environment's service
        if (found is not null && Ownership.Refusal("ECS service", name, EcsTags.Map(found.Tags), project, environment) is { } refusal)
        {
            throw new Engine.Targets.TargetConflictException(refusal);
        }

        return found;
    }

    /// <summary>
    /// The service's tasks ECS wants running, oldest first. ECS's ListTasks filters by service; the
    /// task's group (<c>service:NAME</c>) is checked too, so nothing but the service's own tasks count.
    /// </summary>
    public async Task<List<EcsTask>> TasksAsync(string serviceName, CancellationToken cancellationToken)
    {
        var arns = await ecs.ListTasksAsync(Cluster, serviceName, cancellationToken).ConfigureAwait(false);
        var tasks = arns.Count == 0 ? [] : await ecs.DescribeTasksAsync(Cluster, arns, cancellationToken).ConfigureAwait(false);
        return tasks
            .Where(t => t.Group == $"service:{serviceName}" && t.DesiredStatus == "RUNNING")
            .OrderBy(t => t.CreatedAt ?? 0)
            .ThenBy(t => t.TaskArn, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<string> FingerprintAsync(string taskDefinitionArn, CancellationToken cancellationToken)
    {
        if (_fingerprints.TryGetValue(taskDefinitionArn, out var known))
        {
            return known;
        }

        var described = await ecs.DescribeTaskDefinitionAsync(taskDefinitionArn, cancellationToken).ConfigureAwait(false);
        var fingerprint = EcsTags.Map(described?.Tags).GetValueOrDefault(Labels.Fingerprint)
            ?? (described?.TaskDefinition.ContainerDefinitions is [var first, ..] ? first.DockerLabels?.GetValueOrDefault(Labels.Fingerprint) : null)
            ?? "";
        return described is null ? fingerprint : _fingerprints.GetOrAdd(taskDefinitionArn, fingerprint);
    }

    /// <summary>A task serves once it runs and its container's health check (when it has one) did not call it unhealthy.</summary>
    public static bool Serving(EcsTask task) => task.LastStatus == "RUNNING" && task.HealthStatus is not "UNHEALTHY";

    /// <summary>
    /// A desired count changed outside the platform (<c>aws ecs update-service --desired-count</c>) while
    /// Application Auto Scaling does not own it: shown as a field change, and put back by the next apply.
    /// </summary>
    private static ValueList<FieldChange> Drift(Service service, Dictionary<string, string> tags) =>
        tags.TryGetValue(EcsTags.Replicas, out var set) && set != service.DesiredCount.ToString(CultureInfo.InvariantCulture)
            ? new ValueList<FieldChange>([new FieldChange(".desiredCount", service.DesiredCount.ToString(CultureInfo.InvariantCulture), set)])
            : ValueList<FieldChange>.Empty;

    private static string? Address(EcsTask task) =>
        task.Attachments.SelectMany(a => a.Details ?? []).FirstOrDefault(d => d.Name == "privateIPv4Address")?.Value;
}
