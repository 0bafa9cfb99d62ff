namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>One resource the fake serves, with what discovery says about it.</summary>
public sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Subresources)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersionPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    /// <summary>"deployments.apps", as NotFound and Conflict messages name it.</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>"Deployment.apps", as Invalid messages name it.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";
}

/// <summary>The resources of the fake cluster: what the driver and kubectl need, nothing more.</summary>
internal static class ResourceTypes
{
    public const string GatewayGroup = "gateway.networking.k8s.io";

    private static readonly string[] WithStatus = ["status"];

    public static readonly ResourceType Namespace = new("", "v1", "namespaces", "namespace", "Namespace", false, ["ns"], WithStatus);
    public static readonly ResourceType Pod = new("", "v1", "pods", "pod", "Pod", true, ["po"], WithStatus);
    public static readonly ResourceType Service = new("", "v1", "services", "service", "Service", true, ["svc"], WithStatus);
    public static readonly ResourceType Secret = new("", "v1", "secrets", "secret", "Secret", true, [], []);
    public static readonly ResourceType ConfigMap = new("", "v1", "configmaps", "configmap", "ConfigMap", true, ["cm"], []);
    public static readonly ResourceType PersistentVolumeClaim = new("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, ["pvc"], WithStatus);
    public static readonly ResourceType Deployment = new("apps", "v1", "deployments", "deployment", "Deployment", true, ["deploy"], ["status", "scale"]);
    public static readonly ResourceType ReplicaSet = new("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, ["rs"], ["status", "scale"]);
    public static readonly ResourceType CronJob = new("batch", "v1", "cronjobs", "cronjob", "CronJob", true, ["cj"], WithStatus);
    public static readonly ResourceType Job = new("batch", "v1", "jobs", "job", "Job", true, [], WithStatus);
    public static readonly ResourceType HorizontalPodAutoscaler = new("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true, ["hpa"], WithStatus);
    public static readonly ResourceType NetworkPolicy = new("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, ["netpol"], []);
    public static readonly ResourceType Ingress = new("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, ["ing"], WithStatus);
    public static readonly ResourceType RuntimeClass = new("node.k8s.io", "v1", "runtimeclasses", "runtimeclass", "RuntimeClass", false, [], []);
    public static readonly ResourceType HttpRoute = new(GatewayGroup, "v1", "httproutes", "httproute", "HTTPRoute", true, [], WithStatus);

    public static readonly IReadOnlyList<ResourceType> All =
    [
        Namespace, Pod, Service, Secret, ConfigMap, PersistentVolumeClaim, Deployment, ReplicaSet, CronJob, Job,
        HorizontalPodAutoscaler, NetworkPolicy, Ingress, RuntimeClass, HttpRoute,
    ];

    /// <summary>The group versions in discovery order (core first, as the real server lists them).</summary>
    public static IEnumerable<(string Group, string Version)> GroupVersions(bool gateway) =>
        All.Where(t => gateway || t.Group != GatewayGroup).Select(t => (t.Group, t.Version)).Distinct();

    public static ResourceType? Find(string group, string version, string plural, bool gateway) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural && (gateway || t.Group != GatewayGroup));
}
