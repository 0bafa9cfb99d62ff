using System.Globalization;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// Volume backups on the container family (<see cref="IVolumeArchiver"/>): the service's replicas
/// stopped and started again as they are, and a busybox helper (<see cref="LocalBusybox"/>) that
/// mounts the volumes, on no network, removed by the engine once it ends (so a helper left by a
/// crash goes by itself after <see cref="HelperLifetime"/>).
/// </summary>
public sealed partial class DockerDriver
{
    /// <summary>How long a helper lives at most; a copy takes minutes, a helper a crash left behind no longer than this.</summary>
    private static readonly TimeSpan HelperLifetime = TimeSpan.FromHours(6);

    public Task<IReadOnlyList<StoppedReplica>> StopReplicasAsync(string project, string environment, string service, TimeSpan stopTimeout, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            var running = (await OwnedContainersAsync(project, environment, cancellationToken).ConfigureAwait(false))
                .Where(c => c.Labels.TryGetValue(Labels.Service, out var of) && of == service && c.State == "running")
                .Select(c => new StoppedReplica(c.Names.First().TrimStart('/'), int.TryParse(c.Labels.TryGetValue(Labels.Replica, out var label) ? label : null, CultureInfo.InvariantCulture, out var index) ? index : 0))
                .OrderBy(r => r.Index).ToList();
            foreach (var replica in running)
            {
                await TransientRetry.RunAsync(t => Client.Containers.StopContainerAsync(replica.Name, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(stopTimeout.TotalSeconds) }, t), cancellationToken).ConfigureAwait(false);
            }

            return (IReadOnlyList<StoppedReplica>)running;
        });

    public Task StartReplicasAsync(IReadOnlyList<StoppedReplica> replicas, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(replicas);
            foreach (var replica in replicas)
            {
                var inspected = await InspectAsync(replica.Name, cancellationToken).ConfigureAwait(false);
                await TransientRetry.RunAsync(t => Client.Containers.StartContainerAsync(replica.Name, new ContainerStartParameters(), t), cancellationToken).ConfigureAwait(false);
                // As at a replica's first start: on Podman the bridge keeps the address containers know their gateway by.
                foreach (var network in Engine == EngineKind.Podman ? inspected?.NetworkSettings?.Networks?.Keys ?? [] : [])
                {
                    foreach (var (_, gateway) in await IsolatedAsync(network, cancellationToken).ConfigureAwait(false))
                    {
                        await PodmanBridge.PinAddressAsync(gateway, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        });

    public Task<IVolumeHelper> OpenVolumesAsync(string project, string environment, string service, IReadOnlyDictionary<string, string> volumes, CancellationToken cancellationToken) =>
        EngineErrors.Guard(endpoint, async () =>
        {
            ArgumentNullException.ThrowIfNull(volumes);
            await LocalBusybox.EnsureAsync(Client, Engine, new Progress<string>(), cancellationToken).ConfigureAwait(false);
            var name = Names.Job(project, environment, service, "volumes");
            await RemoveJobAsync(name, cancellationToken).ConfigureAwait(false); // one a crash left behind
            var labels = new Dictionary<string, string>(Labels.For(project, environment)) { [Labels.Job] = name };
            var request = new CreateContainerParameters
            {
                Name = name,
                Image = LocalBusybox.Name(Engine),
                User = "0",
                Cmd = ["sleep", ((int)HelperLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture)],
                Labels = labels,
                HostConfig = new HostConfig
                {
                    NetworkMode = VolumeHelperAllowance.NetworkMode,
                    CapDrop = ["ALL"],
                    CapAdd = [.. ContainerPolicy.AllowedCapabilities.Concat(VolumeHelperAllowance.Capabilities).Order(StringComparer.Ordinal)],
                    SecurityOpt = ["no-new-privileges"],
                    PidsLimit = ContainerRequest.PidsLimit,
                    Memory = 256L * 1024 * 1024,
                    AutoRemove = true,
                    Mounts = volumes.Select(v => new Mount { Type = "volume", Source = v.Value, Target = $"/volumes/{v.Key}" }).ToList(),
                },
            };
            await GuardedContainers.CreateVolumeHelperAsync(Client, request, cancellationToken).ConfigureAwait(false);
            await TransientRetry.RunAsync(t => Client.Containers.StartContainerAsync(name, new ContainerStartParameters(), t), cancellationToken).ConfigureAwait(false);
            return (IVolumeHelper)new VolumeHelper(this, name);
        });

    private sealed class VolumeHelper(DockerDriver driver, string name) : IVolumeHelper
    {
        public Task<IExecSession> ExecAsync(IReadOnlyList<string> command, CancellationToken cancellationToken) =>
            driver.ExecJobAsync(name, command, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await driver.RemoveJobAsync(name, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TargetConflictException)
            {
                // Already being removed by the engine (it ends with AutoRemove).
            }
        }
    }
}
