namespace Gitops.Engine.Targets;

/// <summary>Who moves a service from one version to the next.</summary>
public enum RolloutOwner
{
    /// <summary>The platform starts replicas one by one, waits for each health check, switches traffic and drains (the container family).</summary>
    Platform,

    /// <summary>The target rolls out itself (a Swarm service, a Kubernetes Deployment, a cloud revision); the platform waits for it.</summary>
    Target,
}

/// <summary>Who sends requests to a service's instances.</summary>
public enum TrafficOwner
{
    /// <summary>The platform's ingress routes host names to the endpoints the target reports.</summary>
    PlatformIngress,

    /// <summary>The target has its own front door (a cloud's URL, a Kubernetes Ingress).</summary>
    Target,
}

/// <summary>
/// What a kind of target can do. A manifest that needs something its target cannot do is refused
/// before anything runs, naming the field and the target: never accepted and silently ignored.
/// </summary>
public sealed record TargetCapabilities
{
    public RolloutOwner Rollout { get; init; }

    public TrafficOwner Traffic { get; init; }

    /// <summary>Each environment's services are walled off from every other environment's.</summary>
    public bool NetworkPolicy { get; init; }

    /// <summary>Named volumes that outlive the instances mounting them.</summary>
    public bool Volumes { get; init; }

    /// <summary>Secret values handed to instances without entering the spec.</summary>
    public bool Secrets { get; init; }

    /// <summary>Secrets reach instances as files (<c>NAME_FILE</c> names the path), not as variables: a template's images read variables.</summary>
    public bool SecretsAsFiles { get; init; }

    /// <summary><c>user:</c> may name a user of the image, not only UID[:GID] (Kubernetes takes numbers only).</summary>
    public bool UserNames { get; init; }

    /// <summary><c>sandbox: gvisor</c> can be honoured (the target still checks its runtime is installed).</summary>
    public bool Sandbox { get; init; }

    /// <summary>The target places replicas on nodes by constraints (<c>placement:</c>).</summary>
    public bool Placement { get; init; }

    /// <summary>Scheduled jobs run by the target itself (a Kubernetes CronJob).</summary>
    public bool ScheduledJobs { get; init; }

    /// <summary>
    /// One-off jobs the platform starts on the target (its driver is an <see cref="IJobRunner"/>): crons on
    /// a target that does not schedule them itself are run by the platform's scheduler.
    /// </summary>
    public bool Jobs { get; init; }

    /// <summary><c>allowFrom</c>: a service accepts connections only from the services it lists.</summary>
    public bool AllowFrom { get; init; }

    /// <summary><c>autoscale:</c> is honoured: by the target itself (<see cref="ScalesItself"/>), or by the platform's autoscaler reading the target's figures.</summary>
    public bool Autoscaling { get; init; }

    /// <summary>The target scales a service between its bounds by itself (a HorizontalPodAutoscaler); the platform's autoscaler leaves it alone.</summary>
    public bool ScalesItself { get; init; }
}
