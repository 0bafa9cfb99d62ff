using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;
using ServiceSpec = global::Docker.DotNet.Models.ServiceSpec;

namespace Gitops.Providers.Swarm;

/// <summary>
/// Turns a paas service into a Swarm service spec with the platform's secure defaults (those of
/// <see cref="ContainerRequest"/>: capabilities dropped but the allowed few, pids and memory
/// limits, the environment's network only, an init) and the rollout the engine performs: start
/// the new task first, gate it on the health check, watch it for a monitor window, and roll the
/// whole service back on a failure.
/// </summary>
public static class SwarmSpec
{
    /// <summary>Label on the Swarm service: the hash of what the platform set (<see cref="Projection"/>), to notice a change made outside it.</summary>
    public const string SpecHashLabel = "paas.swarm.spec";

    /// <summary>Where Swarm mounts a secret's file; the app finds its path in <c>NAME_FILE</c>.</summary>
    public const string SecretsDirectory = "/run/secrets";

    /// <summary>How long a new task is watched after it started before its slot counts as updated.</summary>
    public static readonly TimeSpan MinimumMonitor = TimeSpan.FromSeconds(3);

    public static ServiceSpec For(ServiceChange change, IReadOnlyDictionary<string, string> secretIds, IReadOnlyList<string> placement)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(secretIds);
        ArgumentNullException.ThrowIfNull(placement);
        var service = change.Node.Desired ?? throw new ArgumentException($"{change.Node.Id} has no desired spec", nameof(change));
        var spec = service.Spec;
        var containerLabels = Labels.For(change.Project, change.Environment);
        containerLabels[Labels.Service] = service.Name;
        containerLabels[Labels.Fingerprint] = service.Fingerprint;
        var monitor = Monitor(service);
        var result = new ServiceSpec
        {
            Name = SwarmNames.Service(change.Project, change.Environment, service.Name),
            Labels = ServiceLabels(change.Project, change.Environment, service.Name),
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = service.RunImage,
                    Labels = containerLabels,
                    Command = spec.Command?.ToList()!, // null keeps the image's own command
                    User = spec.User!, // null keeps the image's user
                    Env = spec.Env
                        .Select(e => $"{e.Key}={e.Value}")
                        .Concat(spec.Secrets.Select(s => $"{s}_FILE={SecretsDirectory}/{s}"))
                        .ToList(),
                    Hostname = "{{.Service.Name}}-{{.Task.Slot}}",
                    Init = true, // forwards SIGTERM, so a task stops at once instead of after the grace time
                    ReadOnly = spec.ReadOnly,
                    CapabilityDrop = ["ALL"],
                    CapabilityAdd = [.. ContainerPolicy.AllowedCapabilities.Order(StringComparer.Ordinal)],
                    Mounts = spec.Mounts.Select(m => new Mount { Type = "volume", Source = m.Key, Target = m.Value })
                        .Concat(spec.ReadOnly ? [new Mount { Type = "tmpfs", Target = "/tmp", TmpfsOptions = new TmpfsOptions { SizeBytes = 64L << 20 } }] : [])
                        .ToList(),
                    Secrets = spec.Secrets.Select(s => new SecretReference
                    {
                        SecretID = secretIds[s],
                        SecretName = SwarmNames.Secret(change.Project, change.Environment, s, spec.SecretVersions.GetValueOrDefault(s) ?? ""),
                        File = new SecretReferenceFileTarget { Name = s, UID = "0", GID = "0", Mode = 0x124 }, // 0444: the app may run as any user
                    }).ToList(),
                    Healthcheck = Health(spec),
                    StopGracePeriod = service.Drain.Value < MaxStopGrace ? service.Drain.Value : MaxStopGrace,
                },
                Resources = new ResourceRequirements
                {
                    Limits = new SwarmLimit
                    {
                        MemoryBytes = spec.MemoryBytes,
                        NanoCPUs = spec.CpuMillicores * 1_000_000L,
                        Pids = ContainerRequest.PidsLimit,
                    },
                },
                RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromSeconds(1) },
                // A task's log is capped like a container's (ContainerRequest.LogFileSize): a chatty app cannot fill a node's disk.
                LogDriver = new global::Docker.DotNet.Models.SwarmDriver { Name = "json-file", Options = new Dictionary<string, string> { ["max-size"] = ContainerRequest.LogFileSize, ["max-file"] = ContainerRequest.LogFiles } },
                Placement = new Placement { Constraints = placement.Concat(spec.Placement ?? ValueList<string>.Empty).Distinct(StringComparer.Ordinal).ToList() }, // the target's, then the service's own
                Networks = [new NetworkAttachmentConfig { Target = change.Network, Aliases = [service.Name] }],
            },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)service.Replicas } },
            UpdateConfig = Rollout(monitor, onFailure: "rollback", service.MaxSurge),
            RollbackConfig = Rollout(monitor, onFailure: "pause", service.MaxSurge),
            // No published port (traffic comes through the platform's ingress) and no virtual IP: the service's
            // name resolves to its tasks' addresses. A VIP needs the kernel's IPVS, which not every host has
            // (measured: none on our machines, where a VIP answered "No route to host"); DNS round robin works on all.
            EndpointSpec = new EndpointSpec { Mode = "dnsrr" },
        };
        // The deployment labels the service, not its tasks: a changed task template restarts every task, and scaling must not.
        result.Labels[Labels.Deployment] = change.DeploymentId;
        result.Labels[SpecHashLabel] = Projection(result);
        return result;
    }

    /// <summary>The service's own labels: ownership, and which paas service it is.</summary>
    public static Dictionary<string, string> ServiceLabels(string project, string environment, string service)
    {
        var labels = Labels.For(project, environment);
        labels[Labels.Service] = service;
        return labels;
    }

    /// <summary>
    /// A hash of what the platform decides in a service's spec (<see cref="TaskTemplateHash"/> and
    /// the update settings), never its replica count or labels. Computed on what the platform sends
    /// and again on what the engine reports, so a <c>docker service update</c> made outside the
    /// platform shows as drift.
    /// </summary>
    public static string Projection(ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Hash(new { Task = TaskTemplateHash(spec), Update = spec.UpdateConfig?.Order, Failure = spec.UpdateConfig?.FailureAction });
    }

    /// <summary>
    /// A hash of the task template's fields the platform sets: when it changes, Swarm replaces every
    /// task (and reports an update status); when it does not, an update only scales.
    /// </summary>
    public static string TaskTemplateHash(ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var container = spec.TaskTemplate?.ContainerSpec;
        var limits = spec.TaskTemplate?.Resources?.Limits;
        return Hash(new
        {
            container?.Image,
            Command = container?.Command ?? [],
            Env = (container?.Env ?? []).Order(StringComparer.Ordinal).ToList(),
            ReadOnly = container?.ReadOnly == true, // the engine leaves out what is false or zero
            CapAdd = (container?.CapabilityAdd ?? []).Order(StringComparer.Ordinal).ToList(),
            CapDrop = (container?.CapabilityDrop ?? []).Order(StringComparer.Ordinal).ToList(),
            Mounts = (container?.Mounts ?? []).Select(m => $"{m.Type}:{m.Source}:{m.Target}").Order(StringComparer.Ordinal).ToList(),
            Secrets = (container?.Secrets ?? []).Select(s => $"{s.SecretName}:{s.File?.Name}").Order(StringComparer.Ordinal).ToList(),
            Health = container?.Healthcheck?.Test ?? [],
            Fingerprint = container?.Labels?.TryGetValue(Labels.Fingerprint, out var fingerprint) == true ? fingerprint : null,
            Memory = limits?.MemoryBytes ?? 0,
            Cpu = limits?.NanoCPUs ?? 0,
            Pids = limits?.Pids ?? 0,
            Placement = (spec.TaskTemplate?.Placement?.Constraints ?? []).Order(StringComparer.Ordinal).ToList(),
        });
    }

    private static string Hash(object shape) => Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(shape)))[..16];

    /// <summary>The platform's fingerprint a task was started with (each task keeps the spec it was made from).</summary>
    public static string? FingerprintOf(TaskResponse task) =>
        task?.Spec?.ContainerSpec?.Labels is { } labels && labels.TryGetValue(Labels.Fingerprint, out var fingerprint) ? fingerprint : null;

    /// <summary>How long a stopping task gets before it is killed; the service's drain time when shorter.</summary>
    public static readonly TimeSpan MaxStopGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The health check runs inside the container (Swarm has no probe from outside): the check's
    /// command, or an HTTP GET with the image's <c>wget</c>, as in busybox, Alpine and most
    /// Debian-based images. Without a
    /// health check a task must stay up for the monitor window (<see cref="Monitor"/>).
    /// </summary>
    private static HealthcheckConfig? Health(Engine.Desired.ServiceSpec spec) => spec.Health is not { } health ? null : new HealthcheckConfig
    {
        // No wget -T: the engine ends a check after its timeout anyway, and busybox 1.35's wget crashes on -T.
        // health.command is the engine's own exec form, run as it is.
        Test = health.Command is { } command ? ["CMD", .. command] : ["CMD", "wget", "-q", "-O", "/dev/null", $"http://127.0.0.1:{(health.Port ?? spec.Port ?? 80).ToString(CultureInfo.InvariantCulture)}{health.Path}"],
        Interval = health.Interval.Value,
        Timeout = health.Timeout.Value,
        Retries = health.Retries,
        StartPeriod = health.StartPeriod.Value,
    };

    /// <summary>
    /// Start-first, <c>deploy.maxSurge</c> tasks at a time (one when unset); a task that fails (an unhealthy container is killed and its
    /// task fails) within the monitor window fails the update, and the engine rolls the service back.
    /// </summary>
    private static SwarmUpdateConfig Rollout(TimeSpan monitor, string onFailure, int? maxSurge) => new()
    {
        Parallelism = (ulong)(maxSurge ?? 1),
        Order = "start-first",
        FailureAction = onFailure,
        Monitor = monitor,
        MaxFailureRatio = 0,
    };

    /// <summary>The monitor window: the time a replica must stay up to count as started (<see cref="Engine.Execution.StartupRule"/>).</summary>
    public static TimeSpan Monitor(DesiredService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var uptime = Engine.Execution.StartupRule.UptimeRequired(service.Spec);
        return uptime > MinimumMonitor ? uptime : MinimumMonitor;
    }
}
