using Docker.DotNet.Models;
using Gitops.Engine.Targets.Replicas;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Schema.Model;

namespace Gitops.Providers.Docker;

/// <summary>
/// Turns a replica into an engine create request with the secure defaults every container gets:
/// all capabilities dropped but <see cref="ContainerPolicy.AllowedCapabilities"/>, no new
/// privileges, pids and memory limits, the project network only, ownership labels.
/// </summary>
public static class ContainerRequest
{
    public const long PidsLimit = 512;
    /// <param name="gvisorRuntime">The engine's name for gVisor's runtime, used for <c>sandbox: gvisor</c>.</param>
    public static CreateContainerParameters For(ReplicaRequest replica, string gvisorRuntime = EngineEndpoint.DefaultGvisorRuntime)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var service = replica.Service;
        var spec = service.Spec;
        var labels = Labels.For(replica.Project, replica.Environment);
        labels[Labels.Service] = service.Name;
        labels[Labels.Fingerprint] = service.Fingerprint;
        labels[Labels.Replica] = replica.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        labels[Labels.Deployment] = replica.DeploymentId;

        return new CreateContainerParameters
        {
            Name = replica.Name,
            Hostname = $"{service.Name}-{replica.Index}",
            Image = service.RunImage,
            Cmd = spec.Command?.ToList()!, // null keeps the image's own command
            Env = spec.Env.Concat(replica.Secrets?.Reveal() ?? []).Select(e => $"{e.Key}={e.Value}").ToList(),
            Labels = labels,
            ExposedPorts = spec.Port is { } port ? new Dictionary<string, EmptyStruct> { [$"{port}/tcp"] = default } : null,
            HostConfig = new HostConfig
            {
                NetworkMode = replica.Network,
                CapDrop = ["ALL"],
                CapAdd = [.. ContainerPolicy.AllowedCapabilities.Order(StringComparer.Ordinal)],
                SecurityOpt = ["no-new-privileges"],
                PidsLimit = PidsLimit,
                Memory = spec.MemoryBytes,
                MemorySwap = spec.MemoryBytes,
                NanoCPUs = spec.CpuMillicores * 1_000_000L,
                ReadonlyRootfs = spec.ReadOnly,
                Tmpfs = spec.ReadOnly ? new Dictionary<string, string> { ["/tmp"] = "rw,noexec,nosuid,size=64m" } : null,
                Mounts = spec.Mounts.Select(m => new Mount { Type = "volume", Source = m.Key, Target = m.Value }).ToList(),
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
                Init = true, // an init as PID 1 forwards SIGTERM, so replicas stop at once instead of after the grace time
                Runtime = spec.Sandbox == SandboxKind.Gvisor ? gvisorRuntime : null,
            },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings>
                {
                    [replica.Network] = new EndpointSettings { Aliases = [service.Name] },
                },
            },
        };
    }
}
