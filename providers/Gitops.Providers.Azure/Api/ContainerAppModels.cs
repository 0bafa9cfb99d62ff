using System.Text.Json.Serialization;

namespace Gitops.Providers.Azure.Api;

// The Microsoft.App/containerApps resources (api-version 2024-03-01) the driver reads and writes,
// camelCase on the wire, members the platform does not use left out: an answer's extra members are
// ignored, and read-only members are null in requests.

/// <summary>A container app (<c>…/providers/Microsoft.App/containerApps/NAME</c>).</summary>
public sealed record ContainerApp
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? Location { get; init; }

    public Dictionary<string, string>? Tags { get; init; }

    public ManagedIdentity? Identity { get; init; }

    public AppProperties Properties { get; init; } = new();
}

public sealed record ManagedIdentity(string Type, Dictionary<string, object>? UserAssignedIdentities = null);

public sealed record AppProperties
{
    public string? EnvironmentId { get; init; }

    public AppConfiguration? Configuration { get; init; }

    public AppTemplate? Template { get; init; }

    /// <summary>Read-only: InProgress, Succeeded, Failed, Canceled, Deleting.</summary>
    public string? ProvisioningState { get; init; }

    public string? LatestRevisionName { get; init; }

    public string? LatestReadyRevisionName { get; init; }

    public string? LatestRevisionFqdn { get; init; }
}

public sealed record AppConfiguration
{
    /// <summary>Single: one revision active at a time, traffic moving to a new one once it is ready.</summary>
    public string ActiveRevisionsMode { get; init; } = "Single";

    public AppIngress? Ingress { get; init; }

    public List<AppSecret>? Secrets { get; init; }
}

public sealed record AppIngress
{
    /// <summary>Reachable from the internet (true), or only inside the managed environment's network (false).</summary>
    public bool External { get; init; }

    public int TargetPort { get; init; }

    public string? Transport { get; init; }

    public List<TrafficWeight>? Traffic { get; init; }

    /// <summary>Read-only: the app's host name.</summary>
    public string? Fqdn { get; init; }
}

public sealed record TrafficWeight(int Weight, bool? LatestRevision = null, string? RevisionName = null);

/// <summary>A secret as a Key Vault reference: Container Apps reads it with <see cref="Identity"/> (a resource id, or <c>system</c>).</summary>
public sealed record AppSecret(string Name, string? KeyVaultUrl = null, string? Identity = null);

public sealed record AppTemplate
{
    /// <summary>Names the revision a template change makes (<c>APP--SUFFIX</c>).</summary>
    public string? RevisionSuffix { get; init; }

    public List<AppContainer> Containers { get; init; } = [];

    public AppScale? Scale { get; init; }
}

public sealed record AppContainer
{
    public string? Name { get; init; }

    public string Image { get; init; } = "";

    public List<string>? Command { get; init; }

    public List<string>? Args { get; init; }

    public List<AppEnv>? Env { get; init; }

    public AppResources? Resources { get; init; }

    public List<AppProbe>? Probes { get; init; }
}

/// <summary>A variable: a plain value, or the name of one of the app's secrets.</summary>
public sealed record AppEnv(string Name, string? Value = null, string? SecretRef = null);

/// <param name="Cpu">vCPU, in quarters.</param>
/// <param name="Memory">Twice the vCPU in Gi, e.g. <c>0.5Gi</c>.</param>
public sealed record AppResources(double Cpu, string Memory);

public sealed record AppProbe
{
    /// <summary>Liveness, Readiness or Startup.</summary>
    public string Type { get; init; } = "";

    public ProbeHttpGet? HttpGet { get; init; }

    public int? InitialDelaySeconds { get; init; }

    public int? PeriodSeconds { get; init; }

    public int? TimeoutSeconds { get; init; }

    public int? FailureThreshold { get; init; }
}

public sealed record ProbeHttpGet(string Path, int Port);

public sealed record AppScale
{
    public int? MinReplicas { get; init; }

    public int? MaxReplicas { get; init; }

    public List<ScaleRule>? Rules { get; init; }
}

public sealed record ScaleRule(string Name, HttpScaleRule? Http = null, CustomScaleRule? Custom = null);

public sealed record HttpScaleRule(Dictionary<string, string> Metadata);

/// <summary>A KEDA scaler: <c>cpu</c> or <c>memory</c> with <c>type: Utilization</c> and a percent <c>value</c>.</summary>
public sealed record CustomScaleRule(string Type, Dictionary<string, string> Metadata);

/// <summary>A revision (<c>…/containerApps/APP/revisions/APP--SUFFIX</c>), as Container Apps made it from a template.</summary>
public sealed record AppRevision
{
    public string Name { get; init; } = "";

    public RevisionProperties Properties { get; init; } = new();
}

public sealed record RevisionProperties
{
    public bool Active { get; init; }

    public int Replicas { get; init; }

    /// <summary>Healthy, Unhealthy or None.</summary>
    public string? HealthState { get; init; }

    /// <summary>Provisioning, Provisioned, Failed, Deprovisioning, Deprovisioned.</summary>
    public string? ProvisioningState { get; init; }

    public string? ProvisioningError { get; init; }

    /// <summary>Running, Processing, Stopped, Degraded, Failed, Unknown.</summary>
    public string? RunningState { get; init; }

    public AppTemplate? Template { get; init; }

    public string? CreatedTime { get; init; }

    [JsonIgnore]
    public bool Failed => HealthState == "Unhealthy" || ProvisioningState == "Failed" || RunningState is "Failed" or "Degraded";

    [JsonIgnore]
    public bool Serving => Active && ProvisioningState == "Provisioned" && RunningState == "Running" && HealthState != "Unhealthy";
}

/// <summary>An <c>Azure-AsyncOperation</c>'s status: InProgress, Succeeded, Failed or Canceled.</summary>
public sealed record AsyncOperation(string? Status, ArmError? Error = null)
{
    [JsonIgnore]
    public bool Done => Status is "Succeeded" or "Failed" or "Canceled";
}

public sealed record ArmError(string? Code, string? Message);
