namespace Gitops.Schema.Model;

// Enum members are written in manifests in lower case: `approval: required`, `sandbox: gvisor`.

public enum Approval
{
    None,
    Required,
}

public enum SandboxKind
{
    None,
    Gvisor,
}

/// <summary>The network a build's RUN steps get (never the host's, never another container's).</summary>
public enum BuildNetwork
{
    /// <summary>A bridge network made for the build alone: the outside is reachable, other containers are not.</summary>
    Isolated,

    /// <summary>No network: only loopback.</summary>
    None,
}

public enum DeployStrategy
{
    /// <summary>Start new replicas, wait until healthy, then drain and stop old ones.</summary>
    Rolling,

    /// <summary>Stop old replicas first; for services that cannot run twice (e.g. single-writer).</summary>
    Recreate,
}

public enum CronConcurrency
{
    Allow,
    Forbid,
    Replace,
}
