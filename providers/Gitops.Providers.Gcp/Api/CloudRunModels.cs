using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gitops.Providers.Gcp.Api;

// The Cloud Run Admin API v2 resources the driver reads and writes
// (https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services), camelCase on
// the wire, members the platform does not use left out: an answer's extra members are ignored.

/// <summary>A Cloud Run service (<c>projects/P/locations/R/services/S</c>); output-only members are null in requests.</summary>
public sealed record RunService
{
    public string? Name { get; init; }

    public Dictionary<string, string>? Labels { get; init; }

    public Dictionary<string, string>? Annotations { get; init; }

    /// <summary>Optimistic concurrency: a PATCH carrying an older etag is refused (ABORTED).</summary>
    public string? Etag { get; init; }

    public string? Ingress { get; init; }

    public RevisionTemplate? Template { get; init; }

    public ServiceScaling? Scaling { get; init; }

    public List<TrafficTarget>? Traffic { get; init; }

    public string? Uri { get; init; }

    public string? LatestReadyRevision { get; init; }

    public string? LatestCreatedRevision { get; init; }

    public Condition? TerminalCondition { get; init; }

    public List<TrafficTarget>? TrafficStatuses { get; init; }

    public bool? Reconciling { get; init; }

    /// <summary>The short id of <see cref="Name"/>: what follows <c>/services/</c>.</summary>
    [JsonIgnore]
    public string ShortName => Name is { } name ? name[(name.LastIndexOf('/') + 1)..] : "";
}

/// <summary>What every revision of the service is made from: a change here makes a new revision.</summary>
public sealed record RevisionTemplate
{
    public Dictionary<string, string>? Labels { get; init; }

    public Dictionary<string, string>? Annotations { get; init; }

    public List<RunContainer> Containers { get; init; } = [];

    public string? ServiceAccount { get; init; }
}

public sealed record RunContainer
{
    public string? Name { get; init; }

    public string Image { get; init; } = "";

    public List<string>? Command { get; init; }

    public List<string>? Args { get; init; }

    public List<EnvVar>? Env { get; init; }

    public List<ContainerPortSpec>? Ports { get; init; }

    public ResourceRequirements? Resources { get; init; }

    public Probe? StartupProbe { get; init; }

    public Probe? LivenessProbe { get; init; }
}

/// <summary>A variable: a plain value, or a Secret Manager reference Cloud Run resolves when the instance starts.</summary>
public sealed record EnvVar(string Name, string? Value = null, EnvVarSource? ValueSource = null);

public sealed record EnvVarSource(SecretKeySelector SecretKeyRef);

/// <param name="Secret">The secret's name or <c>projects/P/secrets/NAME</c>.</param>
/// <param name="Version">A version number or <c>latest</c>.</param>
public sealed record SecretKeySelector(string Secret, string Version);

public sealed record ContainerPortSpec([property: JsonPropertyName("containerPort")] int Number);

public sealed record ResourceRequirements(Dictionary<string, string> Limits);

public sealed record Probe
{
    public HttpGetAction? HttpGet { get; init; }

    public int? InitialDelaySeconds { get; init; }

    public int? TimeoutSeconds { get; init; }

    public int? PeriodSeconds { get; init; }

    public int? FailureThreshold { get; init; }
}

public sealed record HttpGetAction(string Path, int? Port = null);

/// <summary>Service-level scaling: changing it makes no new revision.</summary>
public sealed record ServiceScaling(int? MinInstanceCount, int? MaxInstanceCount = null);

/// <summary>Where requests go: the latest ready revision, or a named one.</summary>
public sealed record TrafficTarget(string Type, int Percent, string? Revision = null)
{
    public const string Latest = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST";
    public const string ToRevision = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION";
}

/// <summary>A resource's condition: <c>CONDITION_SUCCEEDED</c>, <c>CONDITION_FAILED</c>, <c>CONDITION_RECONCILING</c>, <c>CONDITION_PENDING</c>.</summary>
public sealed record Condition(string? Type, string? State, string? Message = null, string? Reason = null)
{
    public const string Succeeded = "CONDITION_SUCCEEDED";
    public const string Failed = "CONDITION_FAILED";
}

/// <summary>A revision (<c>…/services/S/revisions/S-00001-abc</c>), as Cloud Run made it from the template.</summary>
public sealed record Revision
{
    public string Name { get; init; } = "";

    public Dictionary<string, string>? Labels { get; init; }

    public Dictionary<string, string>? Annotations { get; init; }

    public List<RunContainer>? Containers { get; init; }

    public List<Condition>? Conditions { get; init; }

    public string? CreateTime { get; init; }

    [JsonIgnore]
    public string ShortName => Name[(Name.LastIndexOf('/') + 1)..];

    /// <summary>Ready: its <c>Ready</c> condition succeeded.</summary>
    [JsonIgnore]
    public bool Ready => Conditions?.FirstOrDefault(c => c.Type == "Ready")?.State == Condition.Succeeded;

    [JsonIgnore]
    public Condition? Failure => Conditions?.FirstOrDefault(c => c.State == Condition.Failed);
}

/// <summary>A long-running operation: polled at <c>/v2/{name}</c> until <see cref="Done"/>.</summary>
public sealed record Operation
{
    public string Name { get; init; } = "";

    public bool Done { get; init; }

    public OperationError? Error { get; init; }

    public JsonObject? Response { get; init; }
}

public sealed record OperationError(int Code, string? Message);

/// <summary>An IAM policy: role → members, and its etag (a write with an older one is refused).</summary>
public sealed record Policy
{
    public int? Version { get; init; }

    public List<Binding> Bindings { get; init; } = [];

    public string? Etag { get; init; }
}

public sealed record Binding(string Role, List<string> Members);
