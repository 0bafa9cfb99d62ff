using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Engine.Targets.Replicas;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>
/// The driver for Docker and Podman: both speak the Docker Engine API, so one implementation
/// serves them. Where they differ it says so (see <see cref="NetworkOptions"/>).
/// </summary>
public sealed partial class DockerDriver(DockerClient client, EngineEndpoint endpoint) : IReplicaDriver, IJobRunner, IVolumeArchiver, IDisposable
{
    private static readonly TimeSpan UptimePoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ReadinessPoll = TimeSpan.FromMilliseconds(150);

    /// <summary>The health checks after the deploy share one client: a probe every second per replica opens no new one. Each probe has its own timeout.</summary>
    private static readonly HttpClient Prober = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// The container family: the platform rolls out replica by replica (<see cref="StartFirstRollout"/>)
    /// and its ingress routes to the replicas' bridge addresses; networks are isolated by the
    /// platform's firewall table; gVisor where the engine has the runsc runtime.
    /// </summary>
    public static readonly TargetCapabilities Family = new()
    {
        Rollout = RolloutOwner.Platform,
        Traffic = TrafficOwner.PlatformIngress,
        NetworkPolicy = true,
        Volumes = true,
        Secrets = true,
        UserNames = true,
        Sandbox = true,
        AllowFrom = true,
        Autoscaling = true, // by the platform's autoscaler, from the engine's stats and the ingress's traffic
        Jobs = true, // crons: the platform's scheduler starts each run as a one-off container (DockerDriver.Jobs.cs)
    };

    public EngineKind Engine => endpoint.Kind;

    public string Kind => endpoint.KindName;

    public TargetCapabilities Capabilities => Family;

    public DockerClient Client { get; } = client;

    private readonly GvisorProbe _gvisor = new(client, endpoint);

    private readonly SemaphoreSlim _creating = new(1, 1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<List<(string Subnet, string Gateway)>>>> _isolated = new(StringComparer.Ordinal);

    private async Task<ObservedState> ObserveCoreAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var filters = OwnedBy(project, environment);
        // The engine's label filter only narrows the list: Podman 4.3 matches a volume carrying ANY of
        // the labels (another project's volume of the same environment name), so every object is
        // checked here against all of them.
        var containers = await OwnedContainersAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var networks = await OwnedNetworksAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var volumes = (await TransientRetry.RunAsync(t => Client.Volumes.ListAsync(new VolumesListParameters { Filters = filters }, t), cancellationToken).ConfigureAwait(false)).Volumes?
            .Where(v => Ownership.Owns(v.Labels, project, environment)).ToList();
        var network = Names.Network(project, environment);
        var own = networks.FirstOrDefault(n => n.Name == network);
        var walled = own is null || await NetworkIsolation.IsWalledAsync(own.ID, NetworkIsolation.Ipv4Subnets(own.IPAM), cancellationToken).ConfigureAwait(false);
        if (own is not null && walled && NetworkIsolation.Ipv4(own.IPAM).All(c => !string.IsNullOrEmpty(c.Gateway)))
        {
            // Seen walled just now: the starts of this apply need not inspect the network and list the rules again.
            var addressing = NetworkIsolation.Ipv4(own.IPAM).Select(c => (c.Subnet, c.Gateway ?? "")).ToList();
            _isolated.TryAdd(network, new Lazy<Task<List<(string Subnet, string Gateway)>>>(Task.FromResult(addressing)));
        }

        var doors = await DoorMembersAsync(networks, containers, cancellationToken).ConfigureAwait(false);
        return new ObservedState(
            own is not null,
            new ValueList<string>((volumes ?? []).Select(v => v.Name).Order(StringComparer.Ordinal)),
            new ValueList<ObservedContainer>(containers
                .Where(c => c.Labels.ContainsKey(Labels.Service))
                .Select(c => new ObservedContainer(
                    c.ID,
                    c.Names.First().TrimStart('/'),
                    c.Labels[Labels.Service],
                    Label(c.Labels, Labels.Fingerprint),
                    int.TryParse(Label(c.Labels, Labels.Replica), CultureInfo.InvariantCulture, out var replica) ? replica : 0,
                    string.Equals(c.State, "running", StringComparison.OrdinalIgnoreCase))
                {
                    // A service with allowFrom lives on its door network alone (DockerDriver.Doors.cs).
                    Address = AddressOn(c, network) ?? AddressOn(c, Names.Door(project, environment, c.Labels[Labels.Service])),
                    OnNetwork = c.NetworkSettings?.Networks is not { Count: > 0 } networksOf || networksOf.ContainsKey(network) || networksOf.ContainsKey(Names.Door(project, environment, c.Labels[Labels.Service])),
                })
                .OrderBy(c => c.Name, StringComparer.Ordinal)))
        {
            NetworkWalled = walled,
            DoorMembers = doors,
            OtherNetworks = new ValueList<string>(networks.Where(n => n.Name != network && !DoorInUse(n, containers)).Select(n => n.Name).Order(StringComparer.Ordinal)),
        };
    }

    private Task EnsureEnvironmentCoreAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        EnsureNetworkAsync(project, environment, name, door: null, cancellationToken);

    /// <summary>The environment's network, or the door network of the service <paramref name="door"/>, exists and is walled off.</summary>
    private async Task EnsureNetworkAsync(string project, string environment, string name, string? door, CancellationToken cancellationToken)
    {
        // Services roll out in parallel and a door is made by whichever of its members comes first:
        // one at a time, since Docker's API 1.41 makes a second network of a taken name.
        await _creating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureNetworkOnceAsync(project, environment, name, door, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _creating.Release();
        }
    }

    private async Task EnsureNetworkOnceAsync(string project, string environment, string name, string? door, CancellationToken cancellationToken)
    {
        // An existing network is used only when it is this environment's (see Ownership). It is looked
        // up first: Docker's API 1.41 makes a second network of the same name rather than refusing,
        // and then every later use of the name is ambiguous.
        if (!await OwnedNetworkExistsAsync(project, environment, name, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await TransientRetry.RunAsync(t => Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
                {
                    Name = name,
                    Driver = "bridge",
                    Labels = door is null ? Labels.For(project, environment) : new Dictionary<string, string>(Labels.For(project, environment)) { [Labels.Door] = door },
                    Options = NetworkOptions(),
                }, t), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict || e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
            {
                // Made meanwhile (a concurrent apply): used only if it is ours.
                await OwnedNetworkExistsAsync(project, environment, name, cancellationToken).ConfigureAwait(false);
            }
        }

        _isolated.TryRemove(name, out _); // a network made again may have another subnet
        await IsolatedAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task StartReplicaCoreAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = AtHome(request);
        // Checked again here: a saved plan is applied later, maybe after runsc went away.
        if (request.Service.Spec.Sandbox == SandboxKind.Gvisor && await _gvisor.WhyNotAsync(cancellationToken).ConfigureAwait(false) is { } why)
        {
            throw SandboxRefusal.Exception(request.Service.Name, Kind, why);
        }

        try
        {
            await GuardedContainers.CreateAsync(Client, ContainerRequest.For(request, endpoint.GvisorRuntime), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Already created (a rerun after a crash): start it below.
        }

        await JoinDoorsAsync(request, cancellationToken).ConfigureAwait(false);

        // Every apply checks the network's isolation again before its first start there (firewall rules
        // do not survive a reboot or a flushed ruleset); on Podman every start then fixes the bridge's
        // MAC address (the bridge exists once a container joined).
        var addressing = await IsolatedAsync(request.Network, cancellationToken).ConfigureAwait(false);

        await TransientRetry.RunAsync(t => Client.Containers.StartContainerAsync(request.Name, new ContainerStartParameters(), t), cancellationToken).ConfigureAwait(false);
        foreach (var (_, gateway) in Engine == EngineKind.Podman ? addressing : [])
        {
            await PodmanBridge.PinAddressAsync(gateway, cancellationToken).ConfigureAwait(false);
        }
    }

    // The platform's verbs: each translates the engine's errors into the engine's neutral ones (EngineErrors).
    public Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, () => ObserveCoreAsync(project, environment, cancellationToken));

    /// <summary>
    /// A <c>sandbox: gvisor</c> service is refused where the engine cannot run gVisor (<see cref="GvisorProbe"/>),
    /// and a service with allowFrom that depends on one it could not reach (DockerDriver.Doors.cs).
    /// </summary>
    public Task<IReadOnlyList<string>> RefusalsAsync(DesiredState desired, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(desired);
            var refusals = UnreachableDependencies(desired, Kind).ToList();
            var sandboxed = desired.Services.Where(s => s.Spec.Sandbox == SandboxKind.Gvisor).Select(s => s.Name).ToList();
            if (sandboxed.Count > 0 && await _gvisor.WhyNotAsync(cancellationToken).ConfigureAwait(false) is { } why)
            {
                refusals.AddRange(sandboxed.Select(s => SandboxRefusal.For(s, Kind, why)));
            }

            return (IReadOnlyList<string>)refusals;
        });

    public Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, () => EnsureEnvironmentCoreAsync(project, environment, name, cancellationToken));

    public Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, () => RemoveEnvironmentCoreAsync(name, cancellationToken));

    public Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, () => EngineVolumes.EnsureAsync(Client, project, environment, name, cancellationToken));

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, () => EngineVolumes.RemoveAsync(Client, name, cancellationToken));

    public Task StartReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, () => StartReplicaCoreAsync(request, cancellationToken));

    public Task<HealthResult> WaitHealthyAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, () => WaitHealthyCoreAsync(request, cancellationToken));

    public Task<HealthResult> CheckReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            request = AtHome(request);
            var inspected = await InspectAsync(request.Name, cancellationToken).ConfigureAwait(false);
            if (inspected?.State is not { Running: true })
            {
                return new HealthResult(false, inspected is null ? "gone" : $"not running ({LastEnd(inspected.State!) ?? "stopped"})");
            }

            if (request.Service.Spec.Health is not { } health)
            {
                return new HealthResult(true, "running");
            }

            if (health.Command is { } command)
            {
                var (passed, said) = await CommandProbe.RunAsync(Client, endpoint, request.Name, command, health.Timeout.Value, cancellationToken).ConfigureAwait(false);
                return new HealthResult(passed, said);
            }

            EndpointSettings? attached = null;
            _ = inspected.NetworkSettings?.Networks?.TryGetValue(request.Network, out attached);
            if (attached?.IPAddress is not { Length: > 0 } address)
            {
                return new HealthResult(false, $"no address on {request.Network}");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(health.Timeout.Value);
            try
            {
                var (ok, detail) = await ProbeAsync(Prober, $"http://{address}:{health.Port ?? request.Service.Spec.Port ?? 80}{health.Path}", timeout.Token).ConfigureAwait(false);
                return new HealthResult(ok, detail);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new HealthResult(false, $"no answer within {health.Timeout}");
            }
        });

    public Task RemoveReplicaAsync(string name, TimeSpan stopTimeout, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, () => RemoveReplicaCoreAsync(name, stopTimeout, cancellationToken));

    public async Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        var (version, problem) = await EngineClient.ProbeAsync(Client, endpoint, cancellationToken).ConfigureAwait(false);
        return version is null ? new TargetProbe(false, $"{problem ?? $"{endpoint} does not answer"}; install and start Docker (apt-get install docker.io) or Podman") : new TargetProbe(true, $"{Kind} {version.Version} (API {version.APIVersion})");
    }

    private async Task<HealthResult> WaitHealthyCoreAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = AtHome(request);
        var spec = request.Service.Spec;
        var started = DateTime.UtcNow;
        var first = Snapshot(await InspectAsync(request.Name, cancellationToken).ConfigureAwait(false));
        if (StartupRule.Broken(first, first, TimeSpan.Zero) is { } gone)
        {
            return new HealthResult(false, gone);
        }

        if (spec.Health is not { } health)
        {
            return await WaitUpAsync(request, first, started, StartupRule.UptimeRequired(spec), cancellationToken).ConfigureAwait(false);
        }

        // Probe often while the replica comes up, so a ready one is found in tenths of a second;
        // it is unhealthy once it has failed for `retries` intervals after the start period.
        var port = health.Port ?? spec.Port ?? 80;
        var poll = health.Interval.Value < ReadinessPoll ? health.Interval.Value : ReadinessPoll;
        var giveUpAt = started + health.StartPeriod.Value + (health.Interval.Value * health.Retries);
        var last = "no answer yet";
        using var http = new HttpClient { Timeout = health.Timeout.Value };
        string? address = null;
        var nextInspect = DateTime.MinValue;
        while (true)
        {
            // The engine is asked about the replica about once a second (it is busy starting the
            // others); the replica itself is probed between those questions.
            if (address is null || DateTime.UtcNow >= nextInspect)
            {
                var state = await InspectAsync(request.Name, cancellationToken).ConfigureAwait(false);
                if (StartupRule.Broken(first, Snapshot(state), DateTime.UtcNow - started) is { } broken)
                {
                    return new HealthResult(false, $"{broken}, before it was healthy");
                }

                EndpointSettings? endpoint = null;
                _ = state!.NetworkSettings?.Networks?.TryGetValue(request.Network, out endpoint);
                address = endpoint?.IPAddress is { Length: > 0 } ip ? ip : null;
                nextInspect = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            }

            if (address is not null || health.Command is not null)
            {
                bool ok;
                (ok, last) = health.Command is { } command
                    ? await CommandProbe.RunAsync(Client, endpoint, request.Name, command, health.Timeout.Value, cancellationToken).ConfigureAwait(false)
                    : await ProbeAsync(http, $"http://{address}:{port}{health.Path}", cancellationToken).ConfigureAwait(false);
                if (ok)
                {
                    // An answer from a replica that crashed and came back in between is no proof it stays up.
                    var now = Snapshot(await InspectAsync(request.Name, cancellationToken).ConfigureAwait(false));
                    return StartupRule.Broken(first, now, DateTime.UtcNow - started) is { } broken
                        ? new HealthResult(false, $"{broken}, before it was healthy")
                        : new HealthResult(true, last);
                }
            }

            if (DateTime.UtcNow >= giveUpAt)
            {
                return new HealthResult(false, $"health check {(health.Command is { } run ? string.Join(' ', run) : health.Path)} kept failing for {health.Retries} x {health.Interval}: {last}");
            }

            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Without a health check: the replica must stay up, never exiting or restarting, for <paramref name="uptime"/>.</summary>
    private async Task<HealthResult> WaitUpAsync(ReplicaRequest request, ReplicaState? first, DateTime started, TimeSpan uptime, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Looked at twice a second: a restart between two looks still shows in its count and start time.
            var remaining = uptime - (DateTime.UtcNow - started);
            await Task.Delay(remaining > UptimePoll ? UptimePoll : remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            var elapsed = DateTime.UtcNow - started;
            var now = Snapshot(await InspectAsync(request.Name, cancellationToken).ConfigureAwait(false));
            if (StartupRule.Broken(first, now, elapsed) is { } broken)
            {
                return new HealthResult(false, broken);
            }

            if (elapsed >= uptime)
            {
                var seconds = uptime.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
                return new HealthResult(true, $"running, up {seconds}s without a restart");
            }
        }
    }

    private async Task RemoveReplicaCoreAsync(string name, TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        try
        {
            await Client.Containers.StopContainerAsync(name, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)stopTimeout.TotalSeconds }, cancellationToken).ConfigureAwait(false);
            await TransientRetry.RunAsync(t => Client.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true, RemoveVolumes = false }, t), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone: success.
        }
    }

    private async Task RemoveEnvironmentCoreAsync(string name, CancellationToken cancellationToken)
    {
        _isolated.TryRemove(name, out _);
        try
        {
            var network = await TransientRetry.RunAsync(t => Client.Networks.InspectNetworkAsync(name, t), cancellationToken).ConfigureAwait(false);
            var id = network.ID;
            if (network.Labels?.ContainsKey(Labels.Door) == true)
            {
                // A door left behind (its service is gone): whoever was let in leaves first.
                foreach (var container in network.Containers?.Keys ?? [])
                {
                    await DisconnectAsync(name, container, cancellationToken).ConfigureAwait(false);
                }
            }

            await RemoveJobsOnAsync(network, cancellationToken).ConfigureAwait(false);
            await TransientRetry.RunAsync(t => Client.Networks.DeleteNetworkAsync(name, t), cancellationToken).ConfigureAwait(false);
            await NetworkIsolation.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerNetworkNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    public void Dispose()
    {
        _creating.Dispose();
        Client.Dispose();
    }

    /// <summary>Whether a network of that name exists; one that is not the environment's is refused.</summary>
    private async Task<bool> OwnedNetworkExistsAsync(string project, string environment, string name, CancellationToken cancellationToken)
    {
        NetworkResponse existing;
        try
        {
            existing = await TransientRetry.RunAsync(t => Client.Networks.InspectNetworkAsync(name, t), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerNetworkNotFoundException)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        // Inspect also matches by id prefix: only an exact name counts as this name.
        if (existing.Name != name)
        {
            return false;
        }

        return Ownership.Refusal("network", name, existing.Labels, project, environment) is { } refusal
            ? throw new TargetConflictException(refusal)
            : true;
    }

    /// <summary>
    /// Docker isolates user-defined bridges from each other by default. Podman (netavark) does so
    /// only when asked, with the <c>isolate</c> option. Neither is relied on alone: see <see cref="NetworkIsolation"/>.
    /// </summary>
    private Dictionary<string, string> NetworkOptions() =>
        Engine == EngineKind.Podman ? new() { ["isolate"] = "true" } : [];

    /// <summary>
    /// The network's addressing, its isolation by the platform's own firewall table ensured (whatever
    /// order the engines' own rules are in, see <see cref="NetworkIsolation"/>) once per driver, that
    /// is once per apply or reconcile: checking at every replica start inspected the network and
    /// listed the firewall rules each time, CPU the engine needed to start the replicas. A failed
    /// check is not remembered.
    /// </summary>
    private Task<List<(string Subnet, string Gateway)>> IsolatedAsync(string network, CancellationToken cancellationToken) =>
        _isolated.GetOrAdd(network, n => new Lazy<Task<List<(string Subnet, string Gateway)>>>(() => IsolateAsync(n))).Value.WaitAsync(cancellationToken);

    private async Task<List<(string Subnet, string Gateway)>> IsolateAsync(string network)
    {
        try
        {
            // Not the caller's token: other starts wait on this same check.
            var (id, addressing) = await AddressingAsync(network, CancellationToken.None).ConfigureAwait(false);
            await NetworkIsolation.WallAsync(id, network, addressing.Select(a => a.Subnet).ToList(), CancellationToken.None).ConfigureAwait(false);
            return addressing;
        }
        catch
        {
            _isolated.TryRemove(network, out _);
            throw;
        }
    }

    /// <summary>The network's engine ID and its IPv4 subnets with their gateways (the platform's networks have no IPv6).</summary>
    private async Task<(string Id, List<(string Subnet, string Gateway)> Addressing)> AddressingAsync(string network, CancellationToken cancellationToken)
    {
        var inspected = await TransientRetry.RunAsync(t => Client.Networks.InspectNetworkAsync(network, t), cancellationToken).ConfigureAwait(false);
        return (inspected.ID, NetworkIsolation.Ipv4(inspected.IPAM).Select(c => (c.Subnet, c.Gateway ?? "")).ToList());
    }

    private async Task<ContainerInspectResponse?> InspectAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await Client.Containers.InspectContainerAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    private static async Task<(bool Ok, string Detail)> ProbeAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return (code is >= 200 and < 400, $"HTTP {code}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (false, e is TaskCanceledException ? "timed out" : e.Message);
        }
    }

    private static string Label(IDictionary<string, string> labels, string key) =>
        labels.TryGetValue(key, out var value) ? value : "";

    private static ReplicaState? Snapshot(ContainerInspectResponse? inspected) =>
        inspected?.State is not { } state ? null : new(state.Running, state.Restarting, state.ExitCode, inspected.RestartCount, state.StartedAt ?? "");

    private static Dictionary<string, IDictionary<string, bool>> OwnedBy(string project, string environment) => new()
    {
        ["label"] = new Dictionary<string, bool>
        {
            [$"{Labels.Project}={project}"] = true,
            [$"{Labels.Environment}={environment}"] = true,
        },
    };
}
