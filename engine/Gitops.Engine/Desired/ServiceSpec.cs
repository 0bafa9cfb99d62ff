using Gitops.Schema.Model;

namespace Gitops.Engine.Desired;

/// <summary>
/// Everything about a service whose change needs new containers. Its hash is the service's
/// fingerprint; what can change in place (the replica count) stays outside.
/// </summary>
public sealed record ServiceSpec
{
    public required string Image { get; init; }

    public ValueList<string>? Command { get; init; }

    /// <summary>The user the processes run as (UID[:GID] or a name); null keeps the image's, so other specs keep their fingerprints.</summary>
    public string? User { get; init; }

    public ValueMap<string> Env { get; init; } = ValueMap<string>.Empty;

    /// <summary>Secret names only; values never enter the spec, the plan or the state.</summary>
    public ValueList<string> Secrets { get; init; } = ValueList<string>.Empty;

    /// <summary>Which stored value of each secret (e.g. <c>v2 (prod)</c>): a new value gives a new fingerprint, never the value itself.</summary>
    public ValueMap<string> SecretVersions { get; init; } = ValueMap<string>.Empty;

    /// <summary>
    /// Secrets stored under another name than the variable they are given as (a template's:
    /// <c>DATABASE_URL</c> → <c>db.DATABASE_URL</c>); null when none, so other specs keep their fingerprints.
    /// </summary>
    public ValueMap<string>? SecretFrom { get; init; }

    public int? Port { get; init; }

    public HealthCheck? Health { get; init; }

    public int CpuMillicores { get; init; }

    public long MemoryBytes { get; init; }

    public bool ReadOnly { get; init; }

    public SandboxKind Sandbox { get; init; }

    /// <summary>Placement constraints (<c>node.labels.zone == eu</c>); null when none, so specs without them keep their fingerprints.</summary>
    public ValueList<string>? Placement { get; init; }

    /// <summary>Engine volume name → absolute path in the container.</summary>
    public ValueMap<string> Mounts { get; init; } = ValueMap<string>.Empty;

    /// <summary>
    /// When the service was last restarted by hand (<c>paas restart</c>): a new value gives fresh replicas of
    /// the same version, rolled out like any change. Null when never, so those services keep their fingerprints.
    /// </summary>
    public string? Restarted { get; init; }
}
