namespace Gitops.Providers.Azure.Api;

// The Microsoft.App/jobs resource (api-version 2024-03-01, the containerApps version, which has jobs)
// the driver writes for a cron, camelCase on the wire, members the platform does not use left out.

/// <summary>A Container Apps job (<c>…/providers/Microsoft.App/jobs/NAME</c>).</summary>
public sealed record ContainerAppJob
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? Location { get; init; }

    public Dictionary<string, string>? Tags { get; init; }

    public ManagedIdentity? Identity { get; init; }

    public JobProperties Properties { get; init; } = new();
}

public sealed record JobProperties
{
    public string? EnvironmentId { get; init; }

    public JobConfiguration? Configuration { get; init; }

    public JobTemplate? Template { get; init; }

    /// <summary>Read-only: InProgress, Succeeded, Failed, Canceled, Deleting.</summary>
    public string? ProvisioningState { get; init; }
}

public sealed record JobConfiguration
{
    /// <summary>Schedule: Container Apps starts an execution at each time the cron expression names.</summary>
    public string TriggerType { get; init; } = "Schedule";

    /// <summary>Seconds a replica may run before Container Apps stops it.</summary>
    public int ReplicaTimeout { get; init; }

    public int? ReplicaRetryLimit { get; init; }

    public ScheduleTriggerConfig? ScheduleTriggerConfig { get; init; }

    public List<AppSecret>? Secrets { get; init; }
}

/// <param name="CronExpression">Five plain fields, read in UTC.</param>
public sealed record ScheduleTriggerConfig(string CronExpression, int? Parallelism = null, int? ReplicaCompletionCount = null);

public sealed record JobTemplate
{
    public List<AppContainer> Containers { get; init; } = [];
}
