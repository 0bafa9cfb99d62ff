using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;
using Gitops.Schema.Model;

namespace Gitops.Providers.Gcp;

/// <summary>
/// A cloudrun target's own front door (Cloud Run routes its traffic itself, at each service's
/// <c>https://…run.app</c> address): a public service's route is the IAM binding of
/// <c>roles/run.invoker</c> to <c>allUsers</c> on its service, and a private service has none (someone
/// who adds it in the console sees it removed by the next apply). The route's domain is the
/// platform's name for it (<c>SERVICE-ENV-PROJECT.run.app</c>, never resolvable as it is); the address
/// people open is the service's own <c>uri</c>, shown once the service exists.
/// </summary>
public sealed class CloudRunIngress(CloudRunDriver driver) : IIngress
{
    /// <summary>Where default route names fall: Cloud Run's own domain; the real host name is in the service's uri.</summary>
    public const string DefaultDomain = "run.app";

    public const string Invoker = "roles/run.invoker";

    public const string Everyone = "allUsers";

    private readonly Dictionary<string, string> _uris = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Name => "Cloud Run's own HTTPS front end";

    public string? LocalCertificateAuthority => null;

    public string Diagnostics => "gcloud run services describe SERVICE --region REGION (its conditions), and the service's logs in Cloud Logging";

    public string BaseDomain => DefaultDomain;

    /// <summary>The service's own address once observed; the platform's name otherwise.</summary>
    public string UrlOf(string domain)
    {
        lock (_lock)
        {
            return _uris.TryGetValue(domain, out var uri) ? uri.TrimEnd('/') + "/" : $"https://{domain}/";
        }
    }

    public Task<IReadOnlyList<ObservedRoute>> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        CloudRunErrors.Guard(async () =>
        {
            var routes = new List<ObservedRoute>();
            foreach (var service in await driver.Observer.ServicesAsync(project, environment, cancellationToken).ConfigureAwait(false))
            {
                var policy = await driver.Client.GetIamPolicyAsync(service.ShortName, cancellationToken).ConfigureAwait(false);
                if (!Public(policy))
                {
                    continue;
                }

                var name = CloudRunLabels.Platform(service.Labels)[Labels.Service];
                var domain = $"{name}-{environment}-{project}.{DefaultDomain}";
                if (service.Uri is { } uri)
                {
                    lock (_lock)
                    {
                        _uris[domain] = uri;
                    }
                }

                routes.Add(new ObservedRoute(DesiredRoute.IdOf(project, environment, name), name, new ValueList<string>([domain]), ValueList<string>.Empty));
            }

            return (IReadOnlyList<ObservedRoute>)routes;
        });

    /// <summary>Lets everyone invoke the service (its address is Cloud Run's; the upstreams are not the platform's to set).</summary>
    public Task SetRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var (project, environment, service) = Parse(route.Id);
        return CloudRunErrors.Guard(() => SetPublicAsync(project, environment, service, true, cancellationToken));
    }

    public Task RemoveRouteAsync(string id, CancellationToken cancellationToken)
    {
        var (project, environment, service) = Parse(id);
        return CloudRunErrors.Guard(() => SetPublicAsync(project, environment, service, false, cancellationToken));
    }

    /// <summary>Cloud Run drains a revision that loses its traffic itself: nothing for the platform to wait on.</summary>
    public Task<TimeSpan> DrainAsync(IReadOnlyList<string> upstreams, TimeSpan limit, CancellationToken cancellationToken) => Task.FromResult(TimeSpan.Zero);

    public void Dispose()
    {
        // The driver owns the transport; the connection disposes it.
    }

    public static bool Public(Policy policy) =>
        policy.Bindings.Any(b => b.Role == Invoker && b.Members.Contains(Everyone, StringComparer.Ordinal));

    /// <summary>Adds or removes allUsers from the invoker role, keeping every other binding; a policy changed meanwhile (its etag) is read again.</summary>
    private async Task SetPublicAsync(string project, string environment, string service, bool open, CancellationToken cancellationToken)
    {
        var id = CloudRunNames.Service(project, environment, service);
        if (await driver.Observer.ServiceAsync(project, environment, id, cancellationToken).ConfigureAwait(false) is null)
        {
            if (open)
            {
                throw new TargetConflictException($"Cloud Run service {id} does not exist: it is made public after it is made");
            }

            return; // gone: nobody can invoke it
        }

        for (var attempt = 1; ; attempt++)
        {
            var policy = await driver.Client.GetIamPolicyAsync(id, cancellationToken).ConfigureAwait(false);
            if (Public(policy) == open)
            {
                return;
            }

            var bindings = policy.Bindings.Select(b => b with { Members = b.Members.Where(m => b.Role != Invoker || m != Everyone).ToList() }).Where(b => b.Members.Count > 0).ToList();
            if (open)
            {
                var invoker = bindings.FindIndex(b => b.Role == Invoker);
                if (invoker < 0)
                {
                    bindings.Add(new Binding(Invoker, [Everyone]));
                }
                else
                {
                    bindings[invoker] = bindings[invoker] with { Members = [.. bindings[invoker].Members, Everyone] };
                }
            }

            try
            {
                await driver.Client.SetIamPolicyAsync(id, policy with { Bindings = bindings }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (GoogleApiException e) when (e.Conflict && attempt < 4)
            {
                // Someone changed the policy first: read it again.
            }
        }
    }

    private static (string Project, string Environment, string Service) Parse(string id)
    {
        var parts = id.Split('.');
        return parts is ["paas", var project, var environment, var service]
            ? (project, environment, service)
            : throw new ArgumentException($"'{id}' is not a route id of the platform (paas.<project>.<env>.<service>)", nameof(id));
    }
}
