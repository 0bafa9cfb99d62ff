using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Swarm;

/// <summary>
/// The driver for Docker Swarm: one Swarm service per paas service, on an overlay network per
/// environment. The engine rolls a service out itself (start-first, gated on the health check,
/// rolled back on a failure); the platform waits for it and moves the ingress's route to the
/// tasks that serve. Swarm speaks the Docker Engine API, so the client, the policy and the error
/// translation are the Docker provider's.
/// </summary>
public sealed partial class SwarmDriver(DockerClient client, SwarmOptions options) : ITargetDriver, IDisposable
{
    public const string KindName = "swarm";

    /// <summary>The journal's verbs, read back by <see cref="RecoverStepAsync"/>.</summary>
    public const string CreateService = "create-service";
    public const string UpdateService = "update-service";
    public const string RemoveService = "remove-service";

    /// <summary>
    /// The engine rolls out; the platform's ingress routes to the tasks' addresses on this node's
    /// gateway bridge; each environment's overlay network is its own (and the gateway bridge lets
    /// no two containers talk); named volumes are the node's; secrets are Swarm secrets. No gVisor:
    /// a Swarm service cannot choose a runtime.
    /// </summary>
    public static readonly TargetCapabilities Swarm = new()
    {
        Rollout = RolloutOwner.Target,
        Traffic = TrafficOwner.PlatformIngress,
        NetworkPolicy = true,
        Volumes = true,
        Secrets = true,
        SecretsAsFiles = true,
        UserNames = true,
        Placement = true,
        Autoscaling = true, // by the platform's autoscaler: it sets the Swarm service's replica count, the route follows the tasks
    };

    private readonly EngineEndpoint _endpoint = options.Endpoint;
    private readonly SwarmObserver _observer = new(client);

    public string Kind => KindName;

    public TargetCapabilities Capabilities => Swarm;

    public DockerClient Client => client;

    public SwarmOptions Options => options;

    public async Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        var (version, problem) = await EngineClient.ProbeAsync(client, _endpoint, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            return new TargetProbe(false, problem ?? "does not answer");
        }

        var info = await client.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
        return info.Swarm?.LocalNodeState == "active" && info.Swarm.ControlAvailable
            ? new TargetProbe(true, $"swarm manager, docker {version.Version}, {info.Swarm.Nodes} node(s)")
            : new TargetProbe(false, $"docker {version.Version} at {_endpoint.SocketPath} is not a swarm manager (swarm: {info.Swarm?.LocalNodeState ?? "inactive"}); make it one with docker swarm init --advertise-addr <this machine's address>");
    }

    public Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, () => _observer.ObserveAsync(project, environment, cancellationToken));

    /// <summary>
    /// What the environment's tasks on this node use (their containers carry the ownership labels):
    /// the engine's stats answer for local containers only, so tasks on other nodes are not read and
    /// CPU and memory averages are this node's tasks'; request rates come from the ingress for all.
    /// </summary>
    public Task<IReadOnlyList<ReplicaUsage>> UsageAsync(string project, string environment, IReadOnlySet<string> services, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, async () =>
        {
            var containers = (await TransientRetry.RunAsync(t => client.Containers.ListContainersAsync(new ContainersListParameters { Filters = SwarmObserver.OwnedBy(project, environment) }, t), cancellationToken).ConfigureAwait(false))
                .Where(c => Ownership.Owns(c.Labels, project, environment));
            return await EngineUsage.ReadAsync(client, containers, services, cancellationToken).ConfigureAwait(false);
        });

    public Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, async () =>
        {
            await RequireManagerAsync(cancellationToken).ConfigureAwait(false);
            if (await _observer.NetworkExistsAsync(project, environment, name, refuseOthers: true, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            // Overlay: the environment's tasks reach each other by service name on any node, and nothing else
            // joins it (not attachable: no standalone container can be started on it).
            await TransientRetry.RunAsync(t => client.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = name,
                Driver = "overlay",
                Labels = Labels.For(project, environment),
            }, t), cancellationToken).ConfigureAwait(false);
        });

    public Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, async () =>
        {
            NetworkResponse network;
            try
            {
                network = await client.Networks.InspectNetworkAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerNetworkNotFoundException)
            {
                return;
            }

            if (network.Name != name)
            {
                return; // inspect matches an ID prefix too
            }

            // The tasks' endpoints leave the network a moment after their containers stop.
            await Retry.RunAsync(
                async t => { await client.Networks.DeleteNetworkAsync(network.ID, t).ConfigureAwait(false); return true; },
                e => e is DockerApiException { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Conflict or HttpStatusCode.InternalServerError } api && (api.ResponseBody ?? "").Contains("active endpoints", StringComparison.OrdinalIgnoreCase),
                cancellationToken,
                attempts: 20).ConfigureAwait(false);
            if (network.Labels is { } labels && labels.TryGetValue(Labels.Project, out var project) && labels.TryGetValue(Labels.Environment, out var environment))
            {
                await SwarmSecrets.RemoveUnusedAsync(client, project, environment, keep: [], cancellationToken).ConfigureAwait(false);
            }
        });

    /// <summary>A Swarm volume is the node's own local volume; made here, on the manager (docs/swarm.md, volumes pinned to a node).</summary>
    public Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, () => EngineVolumes.EnsureAsync(client, project, environment, name, cancellationToken));

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, () => EngineVolumes.RemoveAsync(client, name, cancellationToken));

    public Task<IRollout> ApplyServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, () => ApplyServiceCoreAsync(change, host, cancellationToken));

    public Task DeleteServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        EngineErrors.Guard(_endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(change);
            ArgumentNullException.ThrowIfNull(host);
            foreach (var name in change.Node.Remove.Distinct(StringComparer.Ordinal))
            {
                await host.StepAsync(new JournaledStep(RemoveService, name, InventoryChange.Removes), t => RemoveServiceAndWaitAsync(name, t), cancellationToken).ConfigureAwait(false);
            }
        });

    /// <summary>An interrupted removal is finished; anything else is left to the next plan (Swarm carries on with what it was told).</summary>
    public async Task<StepRecovery> RecoverStepAsync(JournalEntry step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Action != RemoveService)
        {
            return StepRecovery.Untouched;
        }

        await EngineErrors.Guard(_endpoint, () => RemoveServiceAndWaitAsync(step.Target, cancellationToken)).ConfigureAwait(false);
        return StepRecovery.Finished;
    }

    public void Dispose() => client.Dispose();

    private async Task<IRollout> ApplyServiceCoreAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(host);
        var desired = change.Node.Desired ?? throw new ArgumentException($"{change.Node.Id} has no desired spec: delete it instead", nameof(change));
        var name = SwarmNames.Service(change.Project, change.Environment, desired.Name);
        var secretIds = await SwarmSecrets.EnsureAsync(client, change, cancellationToken).ConfigureAwait(false);
        var spec = SwarmSpec.For(change, secretIds, options.Placement);
        if (SwarmPolicy.Check(spec) is { Count: > 0 } violations)
        {
            throw new PolicyViolationException(violations);
        }

        var existing = await InspectOwnedAsync(change.Project, change.Environment, name, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            await host.StepAsync(new JournaledStep(CreateService, name, InventoryChange.Adds) { Description = $"create Swarm service {name} ({desired.Replicas} replica(s))" },
                t => TransientRetry.RunAsync(c => client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec }, c), t), cancellationToken).ConfigureAwait(false);
            return new SwarmRollout(this, change, host, previous: null, templateChanged: false);
        }

        // The whole spec is sent, as the platform wants it: whatever was changed outside goes back.
        await host.StepAsync(new JournaledStep(UpdateService, name, InventoryChange.Adds) { Description = $"update Swarm service {name} ({desired.Replicas} replica(s); Swarm rolls it out start-first)" },
            t => UpdateServiceAsync(existing.ID, spec, t), cancellationToken).ConfigureAwait(false);
        var templateChanged = existing.Spec is null || SwarmSpec.TaskTemplateHash(existing.Spec) != SwarmSpec.TaskTemplateHash(spec);
        return new SwarmRollout(this, change, host, existing, templateChanged);
    }

    /// <summary>
    /// Sends the whole spec against the service's current version. Swarm refuses an update made against
    /// an older one ("update out of sequence"), and its own controller moves the version while an
    /// earlier rollout settles (an apply interrupted mid-update), so each attempt reads the version again.
    /// </summary>
    internal Task UpdateServiceAsync(string id, global::Docker.DotNet.Models.ServiceSpec spec, CancellationToken cancellationToken) =>
        Retry.RunAsync(
            async c =>
            {
                var current = await client.Swarm.InspectServiceAsync(id, c).ConfigureAwait(false);
                await client.Swarm.UpdateServiceAsync(id, new ServiceUpdateParameters { Service = spec, Version = (long)(current.Version?.Index ?? 0) }, c).ConfigureAwait(false);
                return true;
            },
            e => TransientRetry.IsTransient(e) || e.Message.Contains("update out of sequence", StringComparison.Ordinal),
            cancellationToken);

    /// <summary>The Swarm service of that name when it is this environment's; one that is not is refused.</summary>
    internal async Task<SwarmService?> InspectOwnedAsync(string project, string environment, string name, CancellationToken cancellationToken)
    {
        SwarmService service;
        try
        {
            service = await TransientRetry.RunAsync(t => client.Swarm.InspectServiceAsync(name, t), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (service.Spec?.Name != name)
        {
            return null; // inspect matches an ID prefix too
        }

        return Ownership.Refusal("Swarm service", name, service.Spec.Labels, project, environment) is { } refusal
            ? throw new TargetConflictException(refusal)
            : service;
    }

    /// <summary>Removes the service and waits until its containers are gone here, so its network can go next.</summary>
    internal async Task RemoveServiceAndWaitAsync(string name, CancellationToken cancellationToken)
    {
        SwarmService service;
        try
        {
            service = await client.Swarm.InspectServiceAsync(name, cancellationToken).ConfigureAwait(false);
            await TransientRetry.RunAsync(t => client.Swarm.RemoveServiceAsync(service.ID, t), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }

        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"com.docker.swarm.service.id={service.ID}"] = true } };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(SwarmSpec.MaxStopGrace + TimeSpan.FromSeconds(20));
        while ((await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, limit.Token).ConfigureAwait(false)).Count > 0)
        {
            await Task.Delay(200, limit.Token).ConfigureAwait(false);
        }
    }

    internal SwarmObserver Observer => _observer;

    private async Task RequireManagerAsync(CancellationToken cancellationToken)
    {
        var info = await client.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
        if (!(info.Swarm?.LocalNodeState == "active" && info.Swarm.ControlAvailable))
        {
            throw new TargetUnavailableException($"the engine at {_endpoint.SocketPath} is not a swarm manager (swarm: {info.Swarm?.LocalNodeState ?? "inactive"}): run docker swarm init --advertise-addr <this machine's address>, or point the target's socket at a manager");
        }
    }
}
