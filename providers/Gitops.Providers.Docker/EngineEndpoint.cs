using System.ComponentModel;

namespace Gitops.Providers.Docker;

/// <summary>A Docker or Podman engine: its kind and the socket its API answers on.</summary>
public sealed record EngineEndpoint
{
    public EngineKind Kind { get; init; }

    public string? Socket { get; init; }

    /// <summary>The engine's name for gVisor's runtime (<c>sandbox: gvisor</c>).</summary>
    public string GvisorRuntime { get; init; } = DefaultGvisorRuntime;

    public const string DefaultGvisorRuntime = "runsc";

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

    [Description("The engine's name for gVisor's runtime, as registered in Docker's daemon.json or Podman's containers.conf ([engine.runtimes]); services with 'sandbox: gvisor' run under it. Default: runsc.")]
    public string? GvisorRuntime { get; init; }
}
