using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Schema.Binding;
using Gitops.Schema.Diagnostics;
using Gitops.Schema.Yaml;
using k8s;
using k8s.Exceptions;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// The target kind <c>kubernetes</c>: a cluster reached through a kubeconfig (a file and a
/// context) or, when the platform itself runs in the cluster, its pod's service account.
/// </summary>
public sealed class KubernetesProvider : ITargetProvider
{
    public static readonly KubernetesProvider Instance = new();

    public string Kind => KubernetesDriver.KindName;

    public object BindOptions(YMapping options, SourceMap map, string path, List<Diagnostic> problems) =>
        ManifestBinder.Bind<KubernetesOptions>(options, map, problems, path);

    /// <summary>Never the default target: a cluster is a choice platform.yaml states.</summary>
    public object? DetectLocal() => null;

    public string Describe(TargetConfig target)
    {
        var options = Options(target);
        return options.InCluster ? "kubernetes (in-cluster service account)" : $"kubernetes at {KubeconfigPath(options)}{(options.Context is null ? "" : $" (context {options.Context})")}";
    }

    public TargetConnection Connect(TargetConfig target)
    {
        var options = Options(target);
        var cluster = new KubeCluster(new k8s.Kubernetes(Configuration(options)));
        var builder = EngineClient.Create(options.Builder);
        return new TargetConnection(new KubernetesDriver(cluster, options), new RemotelyPulledImages(new DockerImageBuilder(builder, options.Builder), "the cluster's nodes pull it"))
        {
            Ingress = new KubeIngress(cluster, options),
        };
    }

    /// <summary>Reads the kubeconfig (nothing is contacted yet); a missing or broken one is said plainly.</summary>
    public static KubernetesClientConfiguration Configuration(KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return options.InCluster
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath(options), options.Context);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or ArgumentException)
        {
            throw new TargetUnavailableException($"kubernetes target: cannot read {(options.InCluster ? "the in-cluster service account" : $"kubeconfig {KubeconfigPath(options)}")}: {e.Message}", e);
        }
    }

    public static string KubeconfigPath(KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Kubeconfig
            ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator).FirstOrDefault(p => p.Length > 0)
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
    }

    private static KubernetesOptions Options(TargetConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Options as KubernetesOptions ?? throw new ArgumentException($"target '{target.Name}' is a {target.Kind} target, not kubernetes", nameof(target));
    }
}
