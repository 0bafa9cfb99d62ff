using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// A Kubernetes target's own front door: a public service's route is an Ingress (or a Gateway API
/// HTTPRoute) to its Service, served by the cluster's ingress controller, plus a NetworkPolicy
/// that lets that controller in. The Service sends only to ready pods, so a route never needs its
/// upstreams changed during a rollout, and there is nothing to drain: the cluster does both.
/// </summary>
public sealed class KubeIngress(KubeCluster cluster, KubernetesOptions options) : IIngress
{
    /// <summary>The reserved top-level domain a default name falls under when the target has no base domain: never resolvable.</summary>
    private const string NoBaseDomain = "invalid";

    public string Name => options.Gateway is null ? "the cluster's ingress controller" : $"the cluster's gateway {options.Gateway}";

    public string? LocalCertificateAuthority => null;

    public string Diagnostics => "kubectl describe ingress (or httproute) in the environment's namespace, and the ingress controller's log";

    public string BaseDomain => options.BaseDomain ?? NoBaseDomain;

    private KubeResource Resource => options.Gateway is null ? KubeResource.Ingress : KubeResource.HttpRoute;

    public async Task<IReadOnlyList<ObservedRoute>> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var scope = KubeScope.For(project, environment, options);
        var routes = (await cluster.ListAsync(Resource, scope.Namespace, scope.Selector, cancellationToken).ConfigureAwait(false)).Items;
        if (routes.Count == 0)
        {
            return [];
        }

        var pods = (await cluster.ListAsync(KubeResource.Pod, scope.Namespace, scope.Selector, cancellationToken).ConfigureAwait(false)).Items;
        var observed = new List<ObservedRoute>();
        foreach (var route in routes.Where(r => KubeObserver.Owned(r, project, environment)))
        {
            var service = KubeObserver.Label(route, Labels.Service) ?? "";
            var hosts = options.Gateway is null
                ? (route["spec"]?["rules"]?.AsArray() ?? []).Select(r => (string?)r?["host"])
                : (route["spec"]?["hostnames"]?.AsArray() ?? []).Select(h => (string?)h);
            var port = (route["spec"]?["rules"]?[0]?["http"]?["paths"]?[0]?["backend"]?["service"]?["port"]?["number"]
                ?? route["spec"]?["rules"]?[0]?["backendRefs"]?[0]?["port"])?.ToJsonString();

            // The Service sends to the service's ready pods: those are the route's upstreams.
            var upstreams = pods.Where(p => KubeObserver.Label(p, Labels.Service) == service && KubeObserver.Ready(p) && p["status"]?["podIP"] is not null)
                .Select(p => $"{(string?)p["status"]!["podIP"]}:{port}");
            observed.Add(new ObservedRoute(
                DesiredRoute.IdOf(project, environment, service),
                service,
                new ValueList<string>(hosts.OfType<string>().Order(StringComparer.Ordinal)),
                new ValueList<string>(upstreams.Order(StringComparer.Ordinal))));
        }

        return observed;
    }

    public async Task SetRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var (project, environment, service) = Parse(route.Id);
        if (route.Domains.FirstOrDefault(d => d.EndsWith("." + NoBaseDomain, StringComparison.Ordinal)) is { } unnamed)
        {
            throw new TargetRefusedException($"services.{service}.public: {service} is public without domains, and the kubernetes target has no baseDomain to name it under ({unnamed}); give the service domains: or the target a baseDomain");
        }

        var none = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in KubeObjects.Route(KubeScope.For(project, environment, options), route, options))
        {
            await cluster.ApplyAsync(item.Resource, item.Value, none, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task RemoveRouteAsync(string id, CancellationToken cancellationToken)
    {
        var (project, environment, service) = Parse(id);
        var scope = KubeScope.For(project, environment, options);
        var name = KubeNames.Object(scope, service);
        await cluster.DeleteAsync(Resource, scope.Namespace, name, cancellationToken).ConfigureAwait(false);
        await cluster.DeleteAsync(KubeResource.NetworkPolicy, scope.Namespace, name + "-public", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Nothing to wait for: a pod leaves its Service's endpoints before it is stopped, and keeps its grace period.</summary>
    public Task<TimeSpan> DrainAsync(IReadOnlyList<string> upstreams, TimeSpan limit, CancellationToken cancellationToken) => Task.FromResult(TimeSpan.Zero);

    public void Dispose()
    {
        // The cluster connection is the driver's.
    }

    private static (string Project, string Environment, string Service) Parse(string id) =>
        id.Split('.') is ["paas", var project, var environment, var service]
            ? (project, environment, service)
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{id}' is not a route id of the platform"), nameof(id));
}
