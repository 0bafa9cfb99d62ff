using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Engine.Ingress;
using Gitops.Engine.State;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>One project never takes another's traffic: a host name belongs to the first environment that routes it.</summary>
public sealed class DomainClaimsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-domains-").FullName;

    private static DesiredState Routing(string project, string environment, params string[] domains) =>
        new(project, environment, "r1", $"paas_{project}_{environment}", ValueList<string>.Empty, ValueList<DesiredService>.Empty)
        {
            Routes = new ValueList<DesiredRoute>([new DesiredRoute(DesiredRoute.IdOf(project, environment, "web"), "web", new ValueList<string>(domains), 8080)]),
        };

    [Fact]
    public void Another_project_cannot_route_a_name_already_routed_even_when_its_default_name_collides()
    {
        using var state = StateStore.Open(_directory);
        var claims = new DomainClaims(state);
        claims.Claim(Routing("x-app", "dev", "web-dev-x-app.localhost"), "localhost"); // project x-app, environment dev

        // Project "app", environment "dev-x": its default name is the same string.
        var error = Assert.Throws<PlanRefusedException>(() => claims.Claim(Routing("app", "dev-x", "web-dev-x-app.localhost"), "localhost"));
        var hijack = claims.Conflict(Routing("evil", "production", "WEB-DEV-X-APP.localhost"), "localhost");

        Assert.Contains("'web-dev-x-app.localhost' is already routed by another project", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("x-app", error.Message.Replace("web-dev-x-app", "", StringComparison.Ordinal), StringComparison.Ordinal); // the owner is not named
        Assert.NotNull(hijack);
        Assert.Null(claims.Conflict(Routing("x-app", "dev", "web-dev-x-app.localhost"), "localhost")); // its own name again is fine
    }

    [Fact]
    public void A_wildcard_cannot_cover_a_routed_name_nor_a_name_sit_under_a_routed_wildcard()
    {
        using var state = StateStore.Open(_directory);
        var claims = new DomainClaims(state);
        claims.Claim(Routing("shop", "production", "shop.example.com", "*.api.example.com"), "localhost");

        Assert.NotNull(claims.Conflict(Routing("evil", "dev", "*.example.com"), "localhost"));
        Assert.NotNull(claims.Conflict(Routing("evil", "dev", "v1.api.example.com"), "localhost"));
        Assert.Null(claims.Conflict(Routing("other", "dev", "deep.v1.api.example.com"), "localhost")); // a wildcard covers one label, as Caddy matches
        Assert.Null(claims.Conflict(Routing("other", "dev", "example.com"), "localhost"));
    }

    [Fact]
    public void A_wildcard_over_the_platforms_base_domain_is_refused()
    {
        using var state = StateStore.Open(_directory);

        var error = new DomainClaims(state).Conflict(Routing("evil", "dev", "*.localhost"), "localhost");

        Assert.Contains("would cover every project's default domain under 'localhost'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_is_free_again_once_its_environment_stops_routing_it_or_is_destroyed()
    {
        using var state = StateStore.Open(_directory);
        var claims = new DomainClaims(state);
        claims.Claim(Routing("shop", "production", "old.example.com", "shop.example.com"), "localhost");
        claims.Claim(Routing("shop", "dev", "dev.example.com"), "localhost");
        var whileRouted = claims.Conflict(Routing("other", "dev", "old.example.com"), "localhost");

        claims.Keep(Routing("shop", "production", "shop.example.com")); // the apply that dropped old.example.com succeeded
        claims.Release("shop", "dev"); // destroyed

        Assert.NotNull(whileRouted);
        Assert.Null(claims.Conflict(Routing("other", "dev", "old.example.com", "dev.example.com"), "localhost"));
        Assert.NotNull(claims.Conflict(Routing("other", "dev", "shop.example.com"), "localhost"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
