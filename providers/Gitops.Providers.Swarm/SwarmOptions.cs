using System.ComponentModel;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.Providers.Swarm;

/// <summary>A swarm target's options in platform.yaml (after <c>kind: swarm</c>).</summary>
public sealed record SwarmOptions
{
    [Description("Unix socket of a swarm manager's Docker API. Default: /var/run/docker.sock (this machine's engine, which must be a manager: docker swarm init).")]
    public string? Socket { get; init; }

    [Description("Placement constraints every service of this target gets, in Swarm's syntax (node.labels.zone == eu, node.role == worker).")]
    public ValueList<string> Placement { get; init; } = ValueList<string>.Empty;

    /// <summary>The manager's engine: Swarm is the Docker engine in swarm mode.</summary>
    public EngineEndpoint Endpoint => new() { Kind = EngineKind.Docker, Socket = Socket };
}
