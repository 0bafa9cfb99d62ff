using Docker.DotNet.Models;
using Gitops.Engine.Targets.Replicas;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Engine.Secrets;
using Gitops.Engine.Targets;
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

    /// <summary>
    /// The engine's own log of a container is capped, so a chatty app cannot fill the disk: Docker
    /// keeps at most <see cref="LogFiles"/> files of <see cref="LogFileSize"/> (json-file rotation);
    /// Podman 4.3 takes the size alone and truncates its one file at it.
    /// </summary>
    public const string LogFileSize = "10m";

    public const string LogFiles = "3";
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

        var request = Secured(service, replica.Network, replica.Secrets, gvisorRuntime);
        request.Name = replica.Name;
        request.Hostname = $"{service.Name}-{replica.Index}";
        request.Cmd = spec.Command?.ToList()!; // null keeps the image's own command
        request.Labels = labels;
        request.ExposedPorts = spec.Port is { } port ? new Dictionary<string, EmptyStruct> { [$"{port}/tcp"] = default } : null;
        request.HostConfig!.RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped };
        request.NetworkingConfig!.EndpointsConfig[replica.Network].Aliases = [service.Name];
        return request;
    }

    /// <summary>
    /// A one-off job (a cron's run) in its service's image, env, secrets, volumes and limits: never
    /// restarted, no port, and no network alias (the service's name reaches its replicas only).
    /// </summary>
    public static CreateContainerParameters ForJob(JobRequest job, string network, string gvisorRuntime = EngineEndpoint.DefaultGvisorRuntime)
    {
        ArgumentNullException.ThrowIfNull(job);
        var labels = Labels.For(job.Project, job.Environment);
        foreach (var (key, value) in job.Labels)
        {
            labels[key] = value;
        }

        labels[Labels.JobOf] = job.Service.Name;
        var request = Secured(job.Service, network, job.Secrets, gvisorRuntime);
        request.Name = job.Name;
        request.Cmd = job.Command?.ToList()!;
        request.Labels = labels;
        request.HostConfig!.RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No };
        return request;
    }

    /// <summary>What every container of a service gets: its image, env and secrets, limits, volumes, sandbox, and the secure defaults.</summary>
    private static CreateContainerParameters Secured(DesiredService service, string network, SecretValues? secrets, string gvisorRuntime)
    {
        var spec = service.Spec;
        return new CreateContainerParameters
        {
            Image = service.RunImage,
            User = spec.User!, // null keeps the image's user
            Env = spec.Env.Concat(secrets?.Reveal() ?? []).Select(e => $"{e.Key}={e.Value}").ToList(),
            HostConfig = new HostConfig
            {
                NetworkMode = network,
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
                Init = true, // an init as PID 1 forwards SIGTERM, so containers stop at once instead of after the grace time
                LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = LogFileSize, ["max-file"] = LogFiles } },
                Runtime = spec.Sandbox == SandboxKind.Gvisor ? gvisorRuntime : null,
            },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings> { [network] = new EndpointSettings() },
            },
        };
    }
}
