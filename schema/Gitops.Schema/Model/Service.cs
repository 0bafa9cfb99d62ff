using System.ComponentModel;

namespace Gitops.Schema.Model;

/// <summary>A service: built from the repository, an image, or a template; run with its replicas.</summary>
[Description("A service. Give exactly one of build, image or template.")]
public sealed record Service
{
    [Description("Build the image from this repository.")]
    public BuildSpec? Build { get; init; }

    [Description("Run this image, e.g. registry.example.com/acme/web:1.4.2.")]
    public string? Image { get; init; }

    [Description("A template from the catalogue (paas templates list): postgres, mariadb, redis, or one the platform adds. It gives the image, port, volume, health check and generated credentials; services that list it in dependsOn receive its connection values (e.g. DATABASE_URL) as secrets.")]
    public string? Template { get; init; }

    [AnyScalar]
    [Description("Values for the template's parameters (paas templates show NAME), e.g. { version: \"16\", database: shop }.")]
    public ValueMap<string> Parameters { get; init; } = ValueMap<string>.Empty;

    [Description("Arguments that replace the image's command, as a list (no shell).")]
    public ValueList<string>? Command { get; init; }

    [Description("Run the processes as this user: UID, UID:GID, or a user the image knows (docker, podman, swarm). Default: the image's.")]
    public string? User { get; init; }

    [Description("Port the process listens on.")]
    public int? Port { get; init; }

    [Description("Route this service through the ingress. Private services are reachable only inside the project.")]
    public bool Public { get; init; }

    [Description("Domains routed to the service. Default: <service>-<env>-<project>.<platform base domain>.")]
    public ValueList<string> Domains { get; init; } = ValueList<string>.Empty;

    [Description("Number of replicas (0 stops the service). Use autoscale instead to scale on load.")]
    public int Replicas { get; init; } = 1;

    [Description("Scale between min and max replicas on CPU, latency or request rate.")]
    public Autoscale? Autoscale { get; init; }

    [Description("HTTP health check; traffic moves to a new version only once it passes.")]
    public HealthCheck? Health { get; init; }

    [AnyScalar]
    [Description("Environment variables (names: letters, digits, '_').")]
    public ValueMap<string> Env { get; init; } = ValueMap<string>.Empty;

    [Description("Names of secrets from the platform's encrypted store, given to the service as environment variables (on a swarm target: files under /run/secrets, their paths in NAME_FILE).")]
    public ValueList<string> Secrets { get; init; } = ValueList<string>.Empty;

    [Description("CPU and memory limits.")]
    public Resources Resources { get; init; } = new();

    [Description("'gvisor' runs the service in the gVisor sandbox; deploys fail where the target lacks it.")]
    public SandboxKind Sandbox { get; init; } = SandboxKind.None;

    [Description("Where the replicas may run, as placement constraints: node.labels.zone == eu, node.role == worker, node.hostname != db1 (node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.KEY, engine.labels.KEY; == or !=). Only a target that places replicas on nodes (swarm) accepts it.")]
    public ValueList<string> Placement { get; init; } = ValueList<string>.Empty;

    [Description("Mount the image's file system read-only.")]
    public bool ReadOnly { get; init; }

    [Description("Services started (and healthy) before this one.")]
    public ValueList<string> DependsOn { get; init; } = ValueList<string>.Empty;

    [Description("Services of this project allowed to connect to this one. Empty: every service of the project.")]
    public ValueList<string> AllowFrom { get; init; } = ValueList<string>.Empty;

    [Description("Named volumes and the absolute path each is mounted at.")]
    public ValueMap<string> Volumes { get; init; } = ValueMap<string>.Empty;

    [Description("How new versions roll out.")]
    public DeploySpec Deploy { get; init; } = new();

    [Description("Scheduled backups of this service's data.")]
    public BackupSpec? Backup { get; init; }
}

[Description("Build an image from a directory of the repository.")]
public sealed record BuildSpec
{
    [Description("Directory sent to the builder, relative to the repository root.")]
    public string Context { get; init; } = ".";

    [Description("Dockerfile path, relative to the context.")]
    public string Dockerfile { get; init; } = "Dockerfile";

    [AnyScalar]
    [Description("Build arguments (ARG values).")]
    public ValueMap<string> Args { get; init; } = ValueMap<string>.Empty;

    [Description("Multi-stage build target.")]
    public string? Target { get; init; }

    [Description("Network of the RUN steps: 'isolated' (default: a network of the build's own, with a route out but none to other containers) or 'none' (no network at all).")]
    public BuildNetwork Network { get; init; } = BuildNetwork.Isolated;
}

[Description("Replica bounds and the load that scales between them.")]
public sealed record Autoscale
{
    [Description("Fewest replicas.")]
    public int Min { get; init; } = 1;

    [Description("Most replicas.")]
    public int Max { get; init; } = 1;

    [Description("Target average CPU use, percent.")]
    public int? Cpu { get; init; }

    [Description("Target average memory use, percent.")]
    public int? Memory { get; init; }

    [Description("Scale out when the 95th percentile latency exceeds this many milliseconds.")]
    public int? P95Ms { get; init; }

    [Description("Target requests per second per replica.")]
    public int? Rps { get; init; }

    /// <summary>A replica count within the bounds (min when they cross, which the validator refuses anyway).</summary>
    public int Clamp(int replicas) => Math.Clamp(replicas, Min, Math.Max(Min, Max));
}

[Description("An HTTP GET that must answer 2xx or 3xx, or a command run in the replica that must exit 0.")]
public sealed record HealthCheck
{
    [Description("Path probed, starting with '/'.")]
    public string Path { get; init; } = "/";

    [Description("Instead of an HTTP GET: a command run inside the replica, as a list (no shell), healthy when it exits 0, e.g. [pg_isready, -h, 127.0.0.1].")]
    public ValueList<string>? Command { get; init; }

    [Description("Port probed. Default: the service's port.")]
    public int? Port { get; init; }

    [Description("Time between probes.")]
    public Duration Interval { get; init; } = Duration.FromSeconds(10);

    [Description("Time a probe may take.")]
    public Duration Timeout { get; init; } = Duration.FromSeconds(5);

    [Description("Consecutive failures before the replica is unhealthy.")]
    public int Retries { get; init; } = 3;

    [Description("Grace time after start during which failures do not count.")]
    public Duration StartPeriod { get; init; } = Duration.FromSeconds(0);
}

[Description("Resource limits per replica. Unset values use the target's defaults.")]
public sealed record Resources
{
    [Description("CPU cores (0.5) or millicores (500m).")]
    public CpuQuantity? Cpu { get; init; }

    [Description("Memory limit, e.g. 256Mi or 1Gi.")]
    public ByteSize? Memory { get; init; }
}

[Description("Rollout settings.")]
public sealed record DeploySpec
{
    [Description("rolling (start new, then stop old) or recreate (stop old first).")]
    public DeployStrategy Strategy { get; init; } = DeployStrategy.Rolling;

    [Description("New replicas that may run beside the old ones during a rolling deploy, on targets that roll out themselves (swarm, kubernetes; 1 when unset). Docker and Podman start every new replica before an old one stops, and refuse it.")]
    public int? MaxSurge { get; init; }

    [Description("Time an old replica keeps serving open requests after it leaves the load balancer.")]
    public Duration Drain { get; init; } = Duration.FromSeconds(30);
}

[Description("Scheduled backups: a template's logical dump (postgres, mariadb, redis), or for any other service its volumes, copied with the service briefly stopped.")]
public sealed record BackupSpec
{
    [Description("Cron expression, e.g. \"0 3 * * *\".")]
    public string Schedule { get; init; } = "0 3 * * *";

    [Description("Number of backups kept.")]
    public int Keep { get; init; } = 7;

    [Description("Backup destination defined on the platform. Default: local.")]
    public string To { get; init; } = "local";

    [Description("Prove each scheduled backup restores: a restore drill into a scratch container and volumes of their own, then the template's check (or, for a volume backup, the files' listing) compared with the backup's. A failed drill is reported as backup.failed.")]
    public bool Verify { get; init; }
}
