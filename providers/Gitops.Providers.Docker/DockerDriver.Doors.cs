using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Engine.Targets.Replicas;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>
/// <c>allowFrom</c> on the container family, with the engine's own means: a service that lists
/// who may connect lives on a network of its own, its door (<see cref="Names.Door"/>), and only
/// the services it lists join that network beside their environment's. A bridge lets every member
/// reach every other, so membership is the whole rule: nothing depends on addresses, which change
/// when a replica is replaced or restarted. Walled off from other bridges like every network of the
/// platform. The cost, refused at plan time where a manifest declares it: a service with
/// <c>allowFrom</c> reaches only the services it lists and those that list it.
/// </summary>
public sealed partial class DockerDriver
{
    /// <summary>Joins and leaves the networks of who may connect to and from the node's service, for its running replicas.</summary>
    public Task SettleAsync(ServiceChange change, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(change);
            var service = change.Node.Desired ?? throw new ArgumentException($"{change.Node.Id} has no desired spec", nameof(change));
            var walled = service.Extras.AllowFrom.Count > 0;
            var own = Names.Door(change.Project, change.Environment, service.Name);
            if (walled)
            {
                await EnsureNetworkAsync(change.Project, change.Environment, own, service.Name, cancellationToken).ConfigureAwait(false);
            }

            foreach (var other in service.Extras.AllowedInto)
            {
                // The service that lets this one in may come later in the plan: its door is made now.
                await EnsureNetworkAsync(change.Project, change.Environment, Names.Door(change.Project, change.Environment, other), other, cancellationToken).ConfigureAwait(false);
            }

            var wanted = Networks(change.Project, change.Environment, change.Network, service).ToHashSet(StringComparer.Ordinal);
            var ours = (await OwnedNetworksAsync(change.Project, change.Environment, cancellationToken).ConfigureAwait(false)).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var owned = await OwnedContainersAsync(change.Project, change.Environment, cancellationToken).ConfigureAwait(false);
            foreach (var container in owned.Where(c => c.Labels.TryGetValue(Labels.Service, out var of) && of == service.Name))
            {
                var attached = container.NetworkSettings?.Networks?.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
                // Joins first, then leaves: a service that becomes walled is on its door before it leaves the environment's network.
                foreach (var network in wanted.Where(n => !attached.Contains(n)).Order(StringComparer.Ordinal))
                {
                    await ConnectAsync(network, container.ID, service.Name, cancellationToken).ConfigureAwait(false);
                }

                foreach (var network in attached.Where(n => ours.Contains(n) && !wanted.Contains(n)).Order(StringComparer.Ordinal))
                {
                    await DisconnectAsync(network, container.ID, cancellationToken).ConfigureAwait(false);
                }
            }

            if (walled)
            {
                await ShowStrangersOutAsync(change.Project, change.Environment, service, own, cancellationToken).ConfigureAwait(false);
            }
            else if (ours.Contains(own))
            {
                await RemoveDoorAsync(own, cancellationToken).ConfigureAwait(false);
            }
        });

    /// <summary>A pruned or destroyed service's replicas go, then its door with whoever was still let in.</summary>
    public Task DeleteServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(change);
            ArgumentNullException.ThrowIfNull(host);
            await StartFirstRollout.DeleteAsync(this, change, host, cancellationToken).ConfigureAwait(false);
            var door = Names.Door(change.Project, change.Environment, change.Node.Name);
            if ((await OwnedNetworksAsync(change.Project, change.Environment, cancellationToken).ConfigureAwait(false)).Any(n => n.Name == door))
            {
                await host.StepAsync(new JournaledStep("remove-door", door), t => RemoveDoorAsync(door, t), cancellationToken).ConfigureAwait(false);
            }
        });

    /// <summary>Every network a replica of the service is on: its home (<see cref="AtHome"/>), then the doors it may enter.</summary>
    private static IEnumerable<string> Networks(string project, string environment, string network, DesiredService service) =>
        new[] { service.Extras.AllowFrom.Count > 0 ? Names.Door(project, environment, service.Name) : network }
            .Concat(service.Extras.AllowedInto.Select(other => Names.Door(project, environment, other)));

    /// <summary>The replica as created: on its door network when its service has allowFrom, else on the environment's.</summary>
    private static ReplicaRequest AtHome(ReplicaRequest request) =>
        request.Service.Extras.AllowFrom.Count > 0 ? request with { Network = Names.Door(request.Project, request.Environment, request.Service.Name) } : request;

    /// <summary>A created replica joins the doors of the services that let its service in, before it starts.</summary>
    private async Task JoinDoorsAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        var container = await InspectAsync(request.Name, cancellationToken).ConfigureAwait(false);
        var attached = container?.NetworkSettings?.Networks?.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var door in request.Service.Extras.AllowedInto.Select(other => Names.Door(request.Project, request.Environment, other)).Where(d => !attached.Contains(d)))
        {
            await ConnectAsync(door, request.Name, request.Service.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <param name="alias">The service name the container answers to there; null for a job, which must never take its service's name.</param>
    private async Task ConnectAsync(string network, string container, string? alias, CancellationToken cancellationToken)
    {
        try
        {
            await TransientRetry.RunAsync(t => Client.Networks.ConnectNetworkAsync(network, new NetworkConnectParameters
            {
                Container = container,
                EndpointConfig = alias is null ? new EndpointSettings() : new EndpointSettings { Aliases = [alias] },
            }, t), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            // Joined meanwhile: what was wanted.
        }
    }

    private async Task DisconnectAsync(string network, string container, CancellationToken cancellationToken)
    {
        try
        {
            await TransientRetry.RunAsync(t => Client.Networks.DisconnectNetworkAsync(network, new NetworkDisconnectParameters { Container = container, Force = true }, t), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound || e.Message.Contains("is not connected", StringComparison.OrdinalIgnoreCase))
        {
            // Gone already.
        }
    }

    /// <summary>Everyone still let in leaves, then the network and its walls go (<see cref="RemoveEnvironmentCoreAsync"/>).</summary>
    private Task RemoveDoorAsync(string door, CancellationToken cancellationToken) => RemoveEnvironmentCoreAsync(door, cancellationToken);

    /// <summary>
    /// Anything on the service's door that is neither its replica nor one of the services it lets in
    /// (joined by hand, or a client no longer listed) is disconnected: membership is the whole rule.
    /// </summary>
    /// <remarks>
    /// The environment's containers are listed after the door is inspected: services apply side by
    /// side, so a client's new replica may join the door while this runs, and one listed before the
    /// inspection would be taken for a stranger and shown out (seen on Podman under load).
    /// </remarks>
    private async Task ShowStrangersOutAsync(string project, string environment, DesiredService service, string door, CancellationToken cancellationToken)
    {
        var inspected = await Client.Networks.InspectNetworkAsync(door, cancellationToken).ConfigureAwait(false);
        var allowed = (await OwnedContainersAsync(project, environment, cancellationToken).ConfigureAwait(false))
            .Where(c => MemberOf(c) is { } of && (of == service.Name || service.Extras.AllowFrom.Contains(of)))
            .Select(c => c.ID)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var stranger in (inspected.Containers ?? new Dictionary<string, EndpointResource>()).Keys.Where(id => !allowed.Contains(id)).Order(StringComparer.Ordinal))
        {
            await DisconnectAsync(door, stranger, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The containers on each of the environment's doors, by name (the list of networks does not say; each door is inspected).</summary>
    /// <remarks>
    /// A member is named by the environment's own container list when it is one of ours, and by the
    /// network's answer otherwise (its name, or its id if an engine leaves the name out), so a
    /// field missing from the inspection never makes one of ours look like a stranger.
    /// </remarks>
    private async Task<ValueMap<ValueList<string>>> DoorMembersAsync(IEnumerable<NetworkResponse> networks, IEnumerable<ContainerListResponse> owned, CancellationToken cancellationToken)
    {
        var names = owned.ToDictionary(c => c.ID, c => c.Names.First().TrimStart('/'), StringComparer.Ordinal);
        var jobs = Jobs(owned).Select(c => c.ID).ToHashSet(StringComparer.Ordinal);
        var members = new List<KeyValuePair<string, ValueList<string>>>();
        foreach (var door in networks.Where(n => n.Labels?.ContainsKey(Labels.Door) == true))
        {
            try
            {
                var inspected = await Client.Networks.InspectNetworkAsync(door.ID, cancellationToken).ConfigureAwait(false);
                if (inspected.Containers is null)
                {
                    continue; // an engine that does not say who is on a network: unknown, not empty (no drift either way)
                }

                // A job is on the doors its service may use by the same rule as its replicas: never a stranger.
                members.Add(KeyValuePair.Create(door.Name, new ValueList<string>(inspected.Containers.Where(c => !jobs.Contains(c.Key)).Select(c => names.GetValueOrDefault(c.Key) ?? (c.Value?.Name is { Length: > 0 } name ? name.TrimStart('/') : c.Key)).Order(StringComparer.Ordinal))));
            }
            catch (DockerNetworkNotFoundException)
            {
                // Removed meanwhile: not a door any more.
            }
        }

        return new ValueMap<ValueList<string>>(members);
    }

    /// <summary>The service a container belongs to on a door: a replica's own, or the service a job runs as (<see cref="Labels.JobOf"/>).</summary>
    private static string? MemberOf(ContainerListResponse container) =>
        container.Labels.TryGetValue(Labels.Service, out var service) ? service
        : container.Labels.TryGetValue(Labels.JobOf, out var of) ? of : null;

    /// <summary>A door network whose service still runs is its door, not a leftover for the plan to remove.</summary>
    private static bool DoorInUse(NetworkResponse network, IEnumerable<ContainerListResponse> containers) =>
        network.Labels is { } labels && labels.TryGetValue(Labels.Door, out var service)
        && containers.Any(c => c.Labels.TryGetValue(Labels.Service, out var of) && of == service);

    private static string? AddressOn(ContainerListResponse container, string network) =>
        container.NetworkSettings?.Networks is { } attached && attached.TryGetValue(network, out var at) && at.IPAddress is { Length: > 0 } ip ? ip : null;

    private async Task<List<NetworkResponse>> OwnedNetworksAsync(string project, string environment, CancellationToken cancellationToken) =>
        (await TransientRetry.RunAsync(t => Client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = OwnedBy(project, environment) }, t), cancellationToken).ConfigureAwait(false))
            .Where(n => Ownership.Owns(n.Labels, project, environment)).ToList();

    /// <summary>
    /// The environment's containers, checked against every ownership label: the engine's label
    /// filter only narrows the list (Podman 4.3 matches an object carrying any one of them).
    /// </summary>
    private async Task<List<ContainerListResponse>> OwnedContainersAsync(string project, string environment, CancellationToken cancellationToken) =>
        (await TransientRetry.RunAsync(t => Client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = OwnedBy(project, environment) }, t), cancellationToken).ConfigureAwait(false))
            .Where(c => Ownership.Owns(c.Labels, project, environment)).ToList();

    /// <summary>
    /// A service with allowFrom reaches only the services it lists and those that list it: one that
    /// depends on another it cannot reach is refused before anything changes.
    /// </summary>
    private static IEnumerable<string> UnreachableDependencies(DesiredState desired, string kind) =>
        from service in desired.Services
        where service.Extras.AllowFrom.Count > 0
        from dependency in service.DependsOn
        where !service.Extras.AllowFrom.Contains(dependency) && !service.Extras.AllowedInto.Contains(dependency)
        select $"services.{service.Name}.dependsOn: {service.Name} has allowFrom, so on a {kind} target it lives on a network of its own that only the services it lists join, "
            + $"and it cannot reach {dependency}; add allowFrom: [{service.Name}] to {dependency} (or {dependency} to {service.Name}'s allowFrom)";
}
