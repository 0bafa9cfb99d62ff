using Gitops.Engine.Ingress;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;

namespace Gitops.Providers.Caddy;

/// <summary>The ingress kind <c>caddy</c>: Caddy as a process on this machine, or in a container on a docker or podman target.</summary>
public sealed class CaddyProvider : IIngressProvider
{
    public static readonly CaddyProvider Instance = new();

    public string Kind => "caddy";

    public object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems) =>
        ManifestBinder.Bind<CaddyOptions>(options, map, problems, path);

    public IIngress Open(IngressConfig ingress, PlatformConfig platform, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        ArgumentNullException.ThrowIfNull(platform);
        var options = (CaddyOptions)ingress.Options;
        return new CaddyIngress(options, dataDirectory, options.Mode == IngressMode.Container ? EngineProvider.Endpoint(platform.Target(options.Target)) : null);
    }

    /// <summary>Whether Caddy is installed here, for a platform the quick start writes.</summary>
    public static bool Installed => File.Exists("/usr/bin/caddy");
}
