using Gitops.Engine.Desired;
using Gitops.Engine.Observed;

namespace Gitops.Engine.Ingress;

/// <summary>
/// The ingress as a driver: routes (host names → a service's replicas) observed by their ids and
/// changed one at a time, each change atomic. A provider per kind (<see cref="Targets.IIngressProvider"/>).
/// </summary>
public interface IIngress : IDisposable
{
    /// <summary>The ingress's product name for people, e.g. in "answers through …".</summary>
    string Name { get; }

    /// <summary>The certificate of the ingress's own CA, which signs local names (<c>*.localhost</c>), once it exists; null when it has none.</summary>
    string? LocalCertificateAuthority { get; }

    /// <summary>Where to look when a route does not answer (its log), for error messages.</summary>
    string Diagnostics { get; }

    /// <summary>Where default domains live: <c>&lt;service&gt;-&lt;env&gt;-&lt;project&gt;.&lt;base domain&gt;</c>.</summary>
    string BaseDomain { get; }

    /// <summary>The address people open for a host name it routes (HTTPS, with the port when it is not 443).</summary>
    string UrlOf(string domain) => $"https://{domain}/";

    Task<IReadOnlyList<ObservedRoute>> ObserveAsync(string project, string environment, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the route in one step; requests in flight finish where they started.</summary>
    Task SetRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken);

    /// <summary>Already gone is success.</summary>
    Task RemoveRouteAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// What the ingress answered since the last call, per host name; null when it cannot tell or on
    /// the first call (which only marks where the next one starts).
    /// </summary>
    Task<TrafficSample?> ReadTrafficAsync(CancellationToken cancellationToken) => Task.FromResult<TrafficSample?>(null);

    /// <summary>Waits until no request is in flight to <paramref name="upstreams"/>, at most <paramref name="limit"/>.</summary>
    Task<TimeSpan> DrainAsync(IReadOnlyList<string> upstreams, TimeSpan limit, CancellationToken cancellationToken);
}
