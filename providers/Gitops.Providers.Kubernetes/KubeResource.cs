using System.Globalization;

namespace Gitops.Providers.Kubernetes;

/// <summary>A kind of object the platform applies, and where the API serves it.</summary>
public sealed record KubeResource(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public static readonly KubeResource Namespace = new("", "v1", "namespaces", "Namespace", Namespaced: false);
    public static readonly KubeResource Pod = new("", "v1", "pods", "Pod");
    public static readonly KubeResource Service = new("", "v1", "services", "Service");
    public static readonly KubeResource Secret = new("", "v1", "secrets", "Secret");
    public static readonly KubeResource Claim = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim");
    public static readonly KubeResource Deployment = new("apps", "v1", "deployments", "Deployment");
    public static readonly KubeResource ReplicaSet = new("apps", "v1", "replicasets", "ReplicaSet");
    public static readonly KubeResource NetworkPolicy = new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy");
    public static readonly KubeResource Ingress = new("networking.k8s.io", "v1", "ingresses", "Ingress");
    public static readonly KubeResource HttpRoute = new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute");
    public static readonly KubeResource CronJob = new("batch", "v1", "cronjobs", "CronJob");
    public static readonly KubeResource Autoscaler = new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler");
    public static readonly KubeResource RuntimeClass = new("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", Namespaced: false);

    /// <summary>What a service owns besides its Deployment, removed with it (by its labels).</summary>
    public static readonly IReadOnlyList<KubeResource> OfAService = [Autoscaler, CronJob, Service, NetworkPolicy, Ingress, Secret];

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The collection's path, e.g. <c>/apis/apps/v1/namespaces/shop/deployments</c>.</summary>
    public string Path(string? ns, string? name = null)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        var scoped = Namespaced && ns is not null ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{root}/{Plural}";
        return name is null ? scoped : $"{scoped}/{Uri.EscapeDataString(name)}";
    }

    public override string ToString() => Kind.ToLower(CultureInfo.InvariantCulture);
}
