using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Aws;

/// <summary>
/// An ecs target's own front door (ECS routes its traffic itself): a public service's route is a
/// target group and a host-header rule on the target's ALB listener (<see cref="EcsRouting"/>), and
/// the ECS service names that target group, so ECS registers its healthy tasks there and deregisters
/// leaving ones (the ALB's deregistration delay is the drain). A route's upstreams are therefore the
/// service's running tasks while the service names the route's target group, and none when it does
/// not: that is the drift the next apply repairs. Default domains live under the target's
/// <c>baseDomain</c>.
/// </summary>
public sealed class EcsIngress(EcsDriver driver) : IIngress
{
    /// <summary>The reserved top-level domain a default name falls under when the target has no base domain: never resolvable.</summary>
    private const string NoBaseDomain = "invalid";

    public string Name => "the target's Application Load Balancer listener";

    public string? LocalCertificateAuthority => null;

    public string Diagnostics => "aws elbv2 describe-target-health on the service's target group, and aws ecs describe-services for its events";

    public string BaseDomain => driver.Options.BaseDomain ?? NoBaseDomain;

    public Task<IReadOnlyList<ObservedRoute>> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        AwsErrors.Guard(async () =>
        {
            if (driver.Options.LoadBalancerListener is null)
            {
                return (IReadOnlyList<ObservedRoute>)[];
            }

            var routes = new List<ObservedRoute>();
            ObservedState? observed = null; // the environment's tasks, read once and only when a route has its service attached
            foreach (var (service, rule) in await driver.Routing.RulesOfAsync(project, environment, null, cancellationToken).ConfigureAwait(false))
            {
                var ecs = await driver.Observer.ServiceAsync(project, environment, EcsNames.Service(project, environment, service), cancellationToken).ConfigureAwait(false);
                var upstreams = new List<string>();
                if (ecs?.LoadBalancers.FirstOrDefault(b => b.TargetGroupArn == rule.TargetGroupArn) is { } balancer)
                {
                    var port = balancer.ContainerPort.ToString(CultureInfo.InvariantCulture);
                    observed ??= await driver.ObserveAsync(project, environment, cancellationToken).ConfigureAwait(false);
                    upstreams.AddRange(observed.Containers.Where(c => c.Service == service && c.Running && c.Address is not null).Select(c => $"{c.Address}:{port}"));
                }

                routes.Add(new ObservedRoute(
                    DesiredRoute.IdOf(project, environment, service),
                    service,
                    new ValueList<string>(rule.Hosts.Order(StringComparer.Ordinal)),
                    new ValueList<string>(upstreams.Order(StringComparer.Ordinal))));
            }

            return routes;
        });

    /// <summary>The target group and rule, and the service naming the target group (ECS then registers its tasks; the upstreams are not the platform's to set).</summary>
    public Task SetRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var (project, environment, service) = Parse(route.Id);
        if (route.Domains.FirstOrDefault(d => d.EndsWith("." + NoBaseDomain, StringComparison.Ordinal)) is { } unnamed)
        {
            throw new TargetRefusedException($"services.{service}.public: {service} is public without domains, and the ecs target has no baseDomain to name it under ({unnamed}); give the service domains: or the target a baseDomain");
        }

        return AwsErrors.Guard(() => driver.AttachRouteAsync(project, environment, service, route, cancellationToken));
    }

    public Task RemoveRouteAsync(string id, CancellationToken cancellationToken)
    {
        var (project, environment, service) = Parse(id);
        return AwsErrors.Guard(() => driver.DetachRouteAsync(project, environment, service, cancellationToken));
    }

    /// <summary>ECS deregisters a leaving task from the target group and the ALB drains it (its deregistration delay): nothing for the platform to wait on.</summary>
    public Task<TimeSpan> DrainAsync(IReadOnlyList<string> upstreams, TimeSpan limit, CancellationToken cancellationToken) => Task.FromResult(TimeSpan.Zero);

    public void Dispose()
    {
        // The driver owns the transport; the connection disposes it.
    }

    private static (string Project, string Environment, string Service) Parse(string id)
    {
        var parts = id.Split('.');
        return parts is ["paas", var project, var environment, var service]
            ? (project, environment, service)
            : throw new ArgumentException($"'{id}' is not a route id of the platform (paas.<project>.<env>.<service>)", nameof(id));
    }
}
