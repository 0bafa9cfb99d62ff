using Gitops.Engine.Desired;
using Gitops.Engine.Observed;

namespace Gitops.Engine.Ingress;

/// <summary>
/// The ingress as a driver: routes (host names → a service's replicas) observed by their ids and
/// changed one at a time, each change atomic. Implemented by Caddy's admin API.
/// </summary>
public interface IIngress
{
    /// <summary>Where default domains live: <c>&lt;service&gt;-&lt;env&gt;-&lt;project&gt;.&lt;base domain&gt;</c>.</summary>
    string BaseDomain { get; }

    Task<IReadOnlyList<ObservedRoute>> ObserveAsync(string project, string environment, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the route in one step; requests in flight finish where they started.</summary>
    Task SetRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken);

    /// <summary>Already gone is success.</summary>
    Task RemoveRouteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Waits until no request is in flight to <paramref name="upstreams"/>, at most <paramref name="limit"/>.</summary>
    Task<TimeSpan> DrainAsync(IReadOnlyList<string> upstreams, TimeSpan limit, CancellationToken cancellationToken);
}
