using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Desired;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// Kubernetes names in the platform's one naming shape. A cluster name is a DNS label (lower-case
/// letters, digits, '-'; at most 63), so the separator of <see cref="Names"/> cannot be used: a
/// namespace ends with a hash of the exact (project, environment) pair instead, so
/// <c>x-app</c>/<c>dev-pg</c> and <c>x-app-dev</c>/<c>pg</c> never share one. Inside its own
/// namespace an object is named after its service, so services find each other by name as they do
/// on Docker. Ownership labels, not names, decide what is ours.
/// </summary>
public static class KubeNames
{
    private const int MaxLabel = 63;

    /// <summary>The namespace of a project environment: <c>paas-shop-production-1a2b3c</c>.</summary>
    public static string Namespace(string project, string environment) =>
        Fit($"paas-{project}-{environment}", Hash($"{project}\n{environment}"));

    /// <summary>
    /// The name of a service's objects (Deployment, Service, autoscaler, policy): the service's own
    /// name in a namespace of the environment's own; prefixed and hashed in a shared namespace.
    /// Kept under 47 characters so the pods' generated names still fit.
    /// </summary>
    public static string Object(KubeScope scope, string service) =>
        scope.Shared ? Fit($"{scope.Project}-{scope.Environment}-{service}", Hash($"{scope.Project}\n{scope.Environment}\n{service}"), 47) : service;

    /// <summary>
    /// The Secret holding a service's secret values: one per set of values (by their store versions,
    /// never the values), so a rollout that fails goes back to pods reading the values they had.
    /// </summary>
    public static string Secret(KubeScope scope, DesiredService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var versions = string.Join("\n", service.Spec.SecretVersions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));
        return $"{Object(scope, service.Name)}-secrets-{Hash(versions)[..8]}";
    }

    /// <summary>The manifest's name of a volume from its platform name (<c>paas_project_env_data</c> → <c>data</c>).</summary>
    public static string VolumeKey(string volume) => volume[(volume.LastIndexOf(Names.Separator) + 1)..];

    /// <summary>A volume's claim: the manifest's volume name, hashed in a shared namespace.</summary>
    public static string Claim(KubeScope scope, string volume) =>
        scope.Shared ? Fit($"{scope.Project}-{scope.Environment}-{volume}", Hash($"{scope.Project}\n{scope.Environment}\n{volume}")) : volume;

    /// <summary>
    /// The instance name the platform records (inventory, plan): the service in the platform's
    /// shape, <c>paas_project_env_service</c>, which <see cref="Parse"/> reads back.
    /// </summary>
    public static string Instance(string project, string environment, string service) =>
        $"{Names.Network(project, environment)}{Names.Separator}{service}";

    /// <summary>(project, environment, service) of an instance name; null for a name of another shape.</summary>
    public static (string Project, string Environment, string Service)? Parse(string instance)
    {
        var parts = instance.Split(Names.Separator);
        return parts is ["paas", var project, var environment, var service] ? (project, environment, service) : null;
    }

    private static string Fit(string name, string hash, int max = MaxLabel) =>
        name.Length + 7 <= max ? $"{name}-{hash[..6]}" : $"{name[..(max - 7)].TrimEnd('-')}-{hash[..6]}";

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>Where a project environment's objects live on a cluster, and how they are told apart.</summary>
/// <param name="Shared">True when every environment shares one namespace (the target's <c>namespace:</c>).</param>
public sealed record KubeScope(string Project, string Environment, string Namespace, bool Shared)
{
    public static KubeScope For(string project, string environment, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Namespace is { } shared
            ? new KubeScope(project, environment, shared, Shared: true)
            : new KubeScope(project, environment, KubeNames.Namespace(project, environment), Shared: false);
    }

    /// <summary>The selector of everything this environment owns.</summary>
    public string Selector => $"{Labels.Project}={Project},{Labels.Environment}={Environment}";

    /// <summary>The selector of everything one service of this environment owns.</summary>
    public string SelectorOf(string service) => $"{Selector},{Labels.Service}={service}";
}
