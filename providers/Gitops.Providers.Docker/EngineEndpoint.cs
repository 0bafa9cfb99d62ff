using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>Where an engine's API answers: a Unix socket path.</summary>
public sealed record EngineEndpoint(EngineKind Kind, string SocketPath)
{
    public static readonly EngineEndpoint DockerDefault = new(EngineKind.Docker, "/var/run/docker.sock");

    public static readonly EngineEndpoint PodmanDefault = new(EngineKind.Podman, "/run/podman/podman.sock");

    public Uri Uri => new($"unix://{SocketPath}");

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} at {SocketPath}";
}
