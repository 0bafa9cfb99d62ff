using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;

namespace Gitops.Providers.Swarm;

/// <summary>
/// The target kind <c>swarm</c>: a Docker engine in swarm mode (this machine's, or a manager's
/// socket). Images are built by that engine; with more than one node they travel through the
/// platform's registry by digest (<c>registry:</c> in platform.yaml).
/// </summary>
public sealed class SwarmProvider : ITargetProvider
{
    public static readonly SwarmProvider Instance = new();

    public string Kind => SwarmDriver.KindName;

    public object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems) =>
        ManifestBinder.Bind<SwarmOptions>(options, map, problems, path);

    /// <summary>Never the default target: swarm mode is a choice platform.yaml states.</summary>
    public object? DetectLocal() => null;

    public string Describe(TargetConfig target) => $"swarm at {Options(target).Endpoint.SocketPath}";

    public TargetConnection Connect(TargetConfig target)
    {
        var options = Options(target);
        var client = EngineClient.Create(options.Endpoint);
        return new TargetConnection(new SwarmDriver(client, options), new DockerImageBuilder(client, options.Endpoint));
    }

    private static SwarmOptions Options(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Options as SwarmOptions ?? throw new ArgumentException($"target '{target.Name}' is a {target.Kind} target, not swarm", nameof(target));
    }
}
