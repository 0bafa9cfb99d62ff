using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using k8s.Models;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// An environment's space and walls on a cluster: its namespace, a NetworkPolicy that lets in only
/// the environment's own pods (every other pod of the cluster is denied, as the container family's
/// per-environment network does), a Service per service with a port, and for a public service the
/// way in: an Ingress (or a Gateway API HTTPRoute) and a policy that lets the ingress controller reach it.
/// </summary>
public static class KubeNetwork
{
    public const string EnvironmentPolicy = "paas-environment";

    public static V1Namespace Namespace(KubeScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta { Name = scope.Namespace, Labels = KubeLabels.Environment(scope.Project, scope.Environment) },
        };
    }

    /// <summary>
    /// Default deny for the environment, its own pods allowed: in its own namespace it selects
    /// every pod there (a pod made by hand is walled too); in a shared one, the environment's pods.
    /// Egress stays open, as on Docker (a service may call out).
    /// </summary>
    public static V1NetworkPolicy EnvironmentWall(KubeScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var own = Labels.For(scope.Project, scope.Environment);

        // Pods of a service with allowFrom answer to their own policy only (policies add up: this one would let everyone in).
        var walled = new V1LabelSelector
        {
            MatchLabels = scope.Shared ? own : null,
            MatchExpressions = [new V1LabelSelectorRequirement { Key = KubeLabels.Restricted, OperatorProperty = "DoesNotExist" }],
        };
        return Policy(
            scope,
            scope.Shared ? KubeNames.Object(scope, EnvironmentPolicy) : EnvironmentPolicy,
            KubeLabels.Environment(scope.Project, scope.Environment),
            walled,
            new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = own } }] });
    }

    /// <summary>The service's stable address inside the environment: its name, as the network alias is on Docker.</summary>
    public static V1Service Service(KubeScope scope, DesiredService service)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(service);
        var port = service.Spec.Port ?? throw new ArgumentException($"{service.Name} has no port", nameof(service));
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = KubeNames.Object(scope, service.Name), NamespaceProperty = scope.Namespace, Labels = KubeLabels.Service(scope.Project, scope.Environment, service.Name) },
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = KubeLabels.Selector(scope.Project, scope.Environment, service.Name),
                Ports = [new V1ServicePort { Name = "http", Port = port, TargetPort = port, Protocol = "TCP" }],
            },
        };
    }

    /// <summary><c>allowFrom</c>: the service's pods accept connections from the named services of the environment only.</summary>
    public static V1NetworkPolicy AllowFrom(KubeScope scope, DesiredService service)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(service);
        var from = new V1LabelSelector
        {
            MatchLabels = Labels.For(scope.Project, scope.Environment),
            MatchExpressions = [new V1LabelSelectorRequirement { Key = Labels.Service, OperatorProperty = "In", Values = [.. service.Extras.AllowFrom] }],
        };
        return ServicePolicy(scope, service.Name, "-allow-from", new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = from }] });
    }

    /// <summary>A public service is reached by the cluster's ingress controller, which runs in a namespace of its own.</summary>
    public static V1NetworkPolicy PublicDoor(KubeScope scope, DesiredRoute route)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(route);
        return ServicePolicy(scope, route.Service, "-public", new V1NetworkPolicyIngressRule
        {
            FromProperty = [new V1NetworkPolicyPeer { NamespaceSelector = new V1LabelSelector() }],
            Ports = [new V1NetworkPolicyPort { Port = route.Port, Protocol = "TCP" }],
        });
    }

    /// <summary>The route's host names to the service's port through the cluster's ingress controller; TLS from cert-manager when an issuer is named.</summary>
    public static V1Ingress Ingress(KubeScope scope, DesiredRoute route, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(options);
        var name = KubeNames.Object(scope, route.Service);
        var backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = name, Port = new V1ServiceBackendPort { Number = route.Port } } };
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = scope.Namespace,
                Labels = RouteLabels(scope, route),
                Annotations = options.ClusterIssuer is { } issuer ? new Dictionary<string, string> { ["cert-manager.io/cluster-issuer"] = issuer } : null,
            },
            Spec = new V1IngressSpec
            {
                IngressClassName = options.IngressClass,
                Rules = [.. route.Domains.Select(d => new V1IngressRule
                {
                    Host = d,
                    Http = new V1HTTPIngressRuleValue { Paths = [new V1HTTPIngressPath { Path = "/", PathType = "Prefix", Backend = backend }] },
                })],
                Tls = options.ClusterIssuer is null ? null : [new V1IngressTLS { Hosts = [.. route.Domains], SecretName = name + "-tls" }],
            },
        };
    }

    /// <summary>The same route as a Gateway API HTTPRoute attached to the target's Gateway (no typed model in the client: JSON).</summary>
    public static JsonObject HttpRoute(KubeScope scope, DesiredRoute route, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(options);
        var gateway = (options.Gateway ?? throw new ArgumentException("the target has no gateway", nameof(options))).Split('/', 2);
        var parent = gateway.Length == 2 ? new JsonObject { ["name"] = gateway[1], ["namespace"] = gateway[0] } : new JsonObject { ["name"] = gateway[0] };
        var labels = new JsonObject();
        foreach (var (key, value) in RouteLabels(scope, route))
        {
            labels[key] = value;
        }

        return new JsonObject
        {
            ["apiVersion"] = "gateway.networking.k8s.io/v1",
            ["kind"] = "HTTPRoute",
            ["metadata"] = new JsonObject { ["name"] = KubeNames.Object(scope, route.Service), ["namespace"] = scope.Namespace, ["labels"] = labels },
            ["spec"] = new JsonObject
            {
                ["parentRefs"] = new JsonArray(parent),
                ["hostnames"] = new JsonArray([.. route.Domains.Select(d => (JsonNode)JsonValue.Create(d))]),
                ["rules"] = new JsonArray(new JsonObject
                {
                    ["backendRefs"] = new JsonArray(new JsonObject { ["name"] = KubeNames.Object(scope, route.Service), ["port"] = route.Port }),
                }),
            },
        };
    }

    /// <summary>A policy on one service's pods, named after the service with <paramref name="suffix"/>.</summary>
    private static V1NetworkPolicy ServicePolicy(KubeScope scope, string service, string suffix, V1NetworkPolicyIngressRule rule) =>
        Policy(
            scope,
            KubeNames.Object(scope, service) + suffix,
            KubeLabels.Service(scope.Project, scope.Environment, service),
            new V1LabelSelector { MatchLabels = KubeLabels.Selector(scope.Project, scope.Environment, service) },
            rule);

    /// <summary>Every policy the platform makes: ingress only (egress stays open, as on Docker), one rule.</summary>
    private static V1NetworkPolicy Policy(KubeScope scope, string name, Dictionary<string, string> labels, V1LabelSelector pods, V1NetworkPolicyIngressRule rule) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = scope.Namespace, Labels = labels },
        Spec = new V1NetworkPolicySpec { PodSelector = pods, PolicyTypes = ["Ingress"], Ingress = [rule] },
    };

    private static Dictionary<string, string> RouteLabels(KubeScope scope, DesiredRoute route) =>
        KubeLabels.Service(scope.Project, scope.Environment, route.Service);
}
