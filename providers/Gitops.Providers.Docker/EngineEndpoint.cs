using System.ComponentModel;

namespace Gitops.Providers.Docker;

/// <summary>A Docker or Podman engine: its kind and the socket its API answers on.</summary>
public sealed record EngineEndpoint
{
    public EngineKind Kind { get; init; }

    public string? Socket { get; init; }

    public string SocketPath => Socket ?? DefaultSocket(Kind);

    /// <summary>The kind as platform.yaml names it.</summary>
    public string KindName => Name(Kind);

    public static string Name(EngineKind kind) => kind == EngineKind.Podman ? "podman" : "docker";

    public static string DefaultSocket(EngineKind kind) => kind == EngineKind.Podman ? "/run/podman/podman.sock" : "/var/run/docker.sock";

    public override string ToString() => $"{KindName} at {SocketPath}";
}

/// <summary>A docker or podman target's options in platform.yaml (after <c>kind</c>).</summary>
public sealed record EngineOptions
{
    [Description("Unix socket of the engine's API. Default: the engine's standard socket (/var/run/docker.sock, /run/podman/podman.sock).")]
    public string? Socket { get; init; }
}
