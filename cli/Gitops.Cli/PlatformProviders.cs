using Gitops.Engine.Targets;
using Gitops.Providers.Aws;
using Gitops.Providers.Azure;
using Gitops.Providers.Caddy;
using Gitops.Providers.Docker;
using Gitops.Providers.Gcp;
using Gitops.Providers.Kubernetes;
using Gitops.Providers.Swarm;

namespace Gitops.Cli;

/// <summary>
/// The composition root: the kinds of target and ingress this build of paas has. The only code
/// outside providers/ that names them; everything else asks the registry by kind. A new kind is
/// one project under providers/ and one line here (docs/architecture.md).
/// </summary>
public static class PlatformProviders
{
    public static readonly ProviderRegistry All = new(
        [EngineProvider.Docker, EngineProvider.Podman, SwarmProvider.Instance, KubernetesProvider.Instance, EcsProvider.Instance, CloudRunProvider.Instance, ContainerAppsProvider.Instance], // the default local target: the first that runs here (never swarm, kubernetes or a cloud)
        [CaddyProvider.Instance]);

    /// <summary>Makes <see cref="All"/> the registry <see cref="PlatformConfig.Load(string)"/> uses; idempotent.</summary>
    public static void Register() => ProviderRegistry.UseAsDefault(All);

    /// <summary>The ingress section the quick start writes: HTTPS on *.localhost from Caddy's local CA, when Caddy is installed.</summary>
    public static string QuickstartIngress(int httpPort, int httpsPort, int adminPort, int routerPort) =>
        CaddyProvider.Installed
            ? $"ingress: {{ kind: caddy, baseDomain: localhost, httpPort: {httpPort}, httpsPort: {httpsPort}, adminPort: {adminPort}, routerPort: {routerPort}, tls: {{ internal: true }} }}\n"
            : "# No ingress: Caddy is not installed (apt-get install caddy, then add an ingress: section).\n";
}
