using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.Providers.Swarm;

/// <summary>
/// What a swarm runs for one environment, read by ownership labels: each Swarm service's running
/// tasks as its instances, the environment's overlay network and its volumes.
/// </summary>
internal sealed class SwarmObserver(DockerClient client)
{
    /// <summary>The bridge Swarm gives every task for its way out; the host (and so the ingress) reaches a task on it.</summary>
    public const string GatewayBridge = "docker_gwbridge";

    /// <summary>Suffix of the fingerprint of a service whose spec was changed outside the platform.</summary>
    public const string ChangedOutside = " (changed outside the platform)";

    public async Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var services = await ServicesAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var tasks = services.Count == 0 ? [] : await RunningTasksAsync(services.Select(s => s.ID), cancellationToken).ConfigureAwait(false);
        var addresses = tasks.Count == 0 ? [] : await GatewayAddressesAsync(cancellationToken).ConfigureAwait(false);
        var network = await NetworkExistsAsync(project, environment, Names.Network(project, environment), refuseOthers: false, cancellationToken).ConfigureAwait(false);
        var volumes = (await TransientRetry.RunAsync(t => client.Volumes.ListAsync(new VolumesListParameters { Filters = OwnedBy(project, environment) }, t), cancellationToken).ConfigureAwait(false)).Volumes ?? [];

        var instances = new List<ObservedContainer>();
        foreach (var service in services)
        {
            var labels = service.Spec!.Labels;
            var name = labels[Labels.Service];
            var changedOutside = !labels.TryGetValue(SwarmSpec.SpecHashLabel, out var hash) || hash != SwarmSpec.Projection(service.Spec);
            var replica = 0;
            foreach (var task in tasks.Where(t => t.ServiceID == service.ID).OrderBy(t => t.Slot).ThenBy(t => t.ID, StringComparer.Ordinal))
            {
                // A Swarm slot is not the platform's replica index (a scale-down may free slot 2 and keep 3): the instances are numbered in slot order.
                var fingerprint = SwarmSpec.FingerprintOf(task) ?? "";
                instances.Add(new ObservedContainer(task.ID, service.Spec.Name ?? "", name, changedOutside ? fingerprint + ChangedOutside : fingerprint, ++replica, IsRunning(task))
                {
                    Address = task.Status?.ContainerStatus?.ContainerID is { } container && addresses.TryGetValue(container, out var address) ? address : null,
                });
            }
        }

        return new ObservedState(
            network,
            new ValueList<string>(volumes.Where(v => Ownership.Owns(v.Labels, project, environment)).Select(v => v.Name).Order(StringComparer.Ordinal)),
            new ValueList<ObservedContainer>(instances.OrderBy(c => c.Service, StringComparer.Ordinal).ThenBy(c => c.Replica)));
    }

    /// <summary>The environment's Swarm services (their labels checked here too: the engine's filter only narrows).</summary>
    public async Task<List<SwarmService>> ServicesAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var listed = await TransientRetry.RunAsync(t => client.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = OwnedBy(project, environment),
        }, t), cancellationToken).ConfigureAwait(false);
        return listed.Where(s => s.Spec?.Labels is { } labels && Ownership.Owns(labels, project, environment) && labels.ContainsKey(Labels.Service)).ToList();
    }

    /// <summary>Tasks Swarm wants running (not those it is shutting down), of the given services.</summary>
    public async Task<List<TaskResponse>> RunningTasksAsync(IEnumerable<string> serviceIds, CancellationToken cancellationToken) =>
        (await TasksAsync(serviceIds, cancellationToken).ConfigureAwait(false)).Where(t => t.DesiredState == TaskState.Running).ToList();

    public async Task<IList<TaskResponse>> TasksAsync(IEnumerable<string> serviceIds, CancellationToken cancellationToken) =>
        await TransientRetry.RunAsync(t => client.Tasks.ListAsync(new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = serviceIds.ToDictionary(id => id, _ => true) },
        }, t), cancellationToken).ConfigureAwait(false);

    public static bool IsRunning(TaskResponse task) => task.DesiredState == TaskState.Running && task.Status?.State == TaskState.Running;

    /// <summary>Container ID → its address on this node's gateway bridge (tasks on other nodes have none here).</summary>
    public async Task<Dictionary<string, string>> GatewayAddressesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var bridge = await TransientRetry.RunAsync(t => client.Networks.InspectNetworkAsync(GatewayBridge, t), cancellationToken).ConfigureAwait(false);
            return (bridge.Containers ?? new Dictionary<string, EndpointResource>())
                .Where(c => !string.IsNullOrEmpty(c.Value.IPv4Address))
                .ToDictionary(c => c.Key, c => c.Value.IPv4Address.Split('/')[0], StringComparer.Ordinal);
        }
        catch (DockerNetworkNotFoundException)
        {
            return [];
        }
    }

    /// <summary>
    /// Whether the environment's overlay network exists. One of that name that is not the
    /// environment's does not count; with <paramref name="refuseOthers"/> it is refused (an
    /// environment never joins a network it does not own).
    /// </summary>
    public async Task<bool> NetworkExistsAsync(string project, string environment, string name, bool refuseOthers, CancellationToken cancellationToken)
    {
        var listed = await TransientRetry.RunAsync(t => client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
        }, t), cancellationToken).ConfigureAwait(false);
        var existing = listed.Where(n => n.Name == name).ToList(); // the name filter matches substrings
        if (refuseOthers && existing.FirstOrDefault(n => !Ownership.Owns(n.Labels, project, environment)) is { } other)
        {
            throw new Engine.Targets.TargetConflictException(Ownership.Refusal("network", name, other.Labels, project, environment)!);
        }

        return existing.Any(n => Ownership.Owns(n.Labels, project, environment));
    }

    public static Dictionary<string, IDictionary<string, bool>> OwnedBy(string project, string environment) => new()
    {
        ["label"] = new Dictionary<string, bool>
        {
            [$"{Labels.Project}={project}"] = true,
            [$"{Labels.Environment}={environment}"] = true,
        },
    };
}
