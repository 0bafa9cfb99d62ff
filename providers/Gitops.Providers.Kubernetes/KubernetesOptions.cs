using System.ComponentModel;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Kubernetes;

/// <summary>A kubernetes target's options in platform.yaml (after <c>kind: kubernetes</c>).</summary>
public sealed record KubernetesOptions
{
    [Description("Path of the kubeconfig file. Default: $KUBECONFIG, else ~/.kube/config. Ignored with inCluster.")]
    public string? Kubeconfig { get; init; }

    [Description("Context of the kubeconfig to use. Default: its current-context.")]
    public string? Context { get; init; }

    [Description("Use the service account of the pod the platform runs in (its token and the cluster's CA under /var/run/secrets/kubernetes.io/serviceaccount).")]
    public bool InCluster { get; init; }

    [Description("Put every project environment in this one namespace (objects told apart by their labels and prefixed names) instead of a namespace per project environment.")]
    public string? Namespace { get; init; }

    [Description("Ingress class of public services' Ingress objects (e.g. nginx, traefik). Default: the cluster's default class.")]
    public string? IngressClass { get; init; }

    [Description("Route public services with Gateway API HTTPRoutes attached to this Gateway (namespace/name) instead of Ingress objects.")]
    public string? Gateway { get; init; }

    [Description("cert-manager ClusterIssuer that issues public services' TLS certificates. Default: none (plain HTTP unless the ingress controller adds TLS).")]
    public string? ClusterIssuer { get; init; }

    [Description("Domain under which public services without domains are named: <service>-<env>-<project>.<baseDomain>. Default: none, and then a public service must name its domains.")]
    public string? BaseDomain { get; init; }

    [Description("Seconds a rollout may make no progress before the cluster (and the platform) call it failed and the previous version is put back. Default: 600.")]
    public int ProgressDeadlineSeconds { get; init; } = 600;

    [Description("Unix socket of the Docker engine that builds images for this cluster (they reach it through the platform's registry). Default: /var/run/docker.sock.")]
    public string? BuilderSocket { get; init; }

    /// <summary>The engine that builds and pushes images for the cluster.</summary>
    public EngineEndpoint Builder => new() { Kind = EngineKind.Docker, Socket = BuilderSocket };
}
