using Gitops.Engine.Targets;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;

namespace Gitops.Providers.Docker;

/// <summary>The target kinds <c>docker</c> and <c>podman</c>: one provider each, one driver for both (they speak the same API).</summary>
public sealed class EngineProvider(EngineKind engine) : ITargetProvider
{
    public static readonly EngineProvider Docker = new(EngineKind.Docker);
    public static readonly EngineProvider Podman = new(EngineKind.Podman);

    public string Kind { get; } = EngineEndpoint.Name(engine);

    public object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems) =>
        ManifestBinder.Bind<EngineOptions>(options, map, problems, path);

    /// <summary>This engine, when its standard socket exists here.</summary>
    public object? DetectLocal() => File.Exists(EngineEndpoint.DefaultSocket(engine)) ? new EngineOptions() : null;

    public string Describe(TargetConfig target) => Endpoint(target).ToString();

    public TargetConnection Connect(TargetConfig target)
    {
        var (driver, images) = DockerTarget.Connect(Endpoint(target));
        return new TargetConnection(driver, images);
    }

    /// <summary>The engine a docker or podman target names.</summary>
    public static EngineEndpoint Endpoint(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var kind = target.Kind == EngineEndpoint.Name(EngineKind.Podman) ? EngineKind.Podman
            : target.Kind == EngineEndpoint.Name(EngineKind.Docker) ? EngineKind.Docker
            : throw new ArgumentException($"target '{target.Name}' is a {target.Kind} target, not docker or podman", nameof(target));
        var options = target.Options as EngineOptions;
        return new EngineEndpoint { Kind = kind, Socket = options?.Socket, GvisorRuntime = options?.GvisorRuntime ?? EngineEndpoint.DefaultGvisorRuntime };
    }
}
