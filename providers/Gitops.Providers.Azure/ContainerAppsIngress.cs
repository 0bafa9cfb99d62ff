using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Providers.Azure;

/// <summary>
/// A containerapps target's own front door (Container Apps routes its traffic itself, at each app's
/// <c>https://…azurecontainerapps.io</c> host name): a public service's route is its app's ingress made
/// external; a private service's ingress stays internal to the managed environment (someone who opens
/// it in the portal sees it closed by the next apply). The route's domain is the platform's name for it
/// (<c>SERVICE-ENV-PROJECT.azurecontainerapps.io</c>); the address people open is the app's own
/// <c>fqdn</c>, shown once the app exists.
/// </summary>
public sealed class ContainerAppsIngress(ContainerAppsDriver driver) : IIngress
{
    /// <summary>Where default route names fall: Container Apps' own domain; the real host name is the app's fqdn.</summary>
    public const string DefaultDomain = "azurecontainerapps.io";

    private readonly Dictionary<string, string> _fqdns = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Name => "Container Apps' own HTTPS ingress";

    public string? LocalCertificateAuthority => null;

    public string Diagnostics => "az containerapp revision list and az containerapp logs show for the app";

    public string BaseDomain => DefaultDomain;

    /// <summary>The app's own address once observed; the platform's name otherwise.</summary>
    public string UrlOf(string domain)
    {
        lock (_lock)
        {
            return _fqdns.TryGetValue(domain, out var fqdn) ? $"https://{fqdn}/" : $"https://{domain}/";
        }
    }

    public Task<IReadOnlyList<ObservedRoute>> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        ContainerAppsErrors.Guard(async () =>
        {
            var routes = new List<ObservedRoute>();
            foreach (var app in await driver.Observer.AppsAsync(project, environment, cancellationToken).ConfigureAwait(false))
            {
                if (app.Properties.Configuration?.Ingress is not { External: true } ingress)
                {
                    continue;
                }

                var name = app.Tags![Labels.Service];
                var domain = $"{name}-{environment}-{project}.{DefaultDomain}";
                if (ingress.Fqdn is { } fqdn)
                {
                    lock (_lock)
                    {
                        _fqdns[domain] = fqdn;
                    }
                }

                routes.Add(new ObservedRoute(DesiredRoute.IdOf(project, environment, name), name, new ValueList<string>([domain]), ValueList<string>.Empty));
            }

            return (IReadOnlyList<ObservedRoute>)routes;
        });

    /// <summary>Makes the app's ingress external (its address is Container Apps'; the upstreams are not the platform's to set).</summary>
    public Task SetRouteAsync(DesiredRoute route, IReadOnlyList<string> upstreams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var (project, environment, service) = Parse(route.Id);
        return ContainerAppsErrors.Guard(() => SetExternalAsync(project, environment, service, true, cancellationToken));
    }

    public Task RemoveRouteAsync(string id, CancellationToken cancellationToken)
    {
        var (project, environment, service) = Parse(id);
        return ContainerAppsErrors.Guard(() => SetExternalAsync(project, environment, service, false, cancellationToken));
    }

    /// <summary>Container Apps drains a revision that loses its traffic itself: nothing for the platform to wait on.</summary>
    public Task<TimeSpan> DrainAsync(IReadOnlyList<string> upstreams, TimeSpan limit, CancellationToken cancellationToken) => Task.FromResult(TimeSpan.Zero);

    public void Dispose()
    {
        // The driver owns the transport; the connection disposes it.
    }

    /// <summary>The app as it is with its ingress external or not (the service's apply normally set it already: then nothing is sent).</summary>
    private async Task SetExternalAsync(string project, string environment, string service, bool external, CancellationToken cancellationToken)
    {
        var name = ContainerAppsNames.App(project, environment, service);
        if (await driver.Observer.AppAsync(project, environment, name, cancellationToken).ConfigureAwait(false) is not { App: var app })
        {
            if (external)
            {
                throw new TargetConflictException($"container app {name} does not exist: it is made public after it is made");
            }

            return; // gone: nobody can reach it
        }

        if (app.Properties.Configuration?.Ingress is not { } ingress)
        {
            if (external)
            {
                throw new TargetRefusedException($"services.{service}.public: container app {name} has no ingress (the service has no port), so it cannot be public");
            }

            return;
        }

        if (ingress.External == external)
        {
            return;
        }

        var body = ContainerAppsDriver.Writable(app);
        body = body with { Properties = body.Properties with { Configuration = body.Properties.Configuration! with { Ingress = body.Properties.Configuration.Ingress! with { External = external } } } };
        if (await driver.PutAsync(project, environment, name, body, create: false, cancellationToken).ConfigureAwait(false) is { } operation)
        {
            await driver.WaitAsync(operation, cancellationToken).ConfigureAwait(false);
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
