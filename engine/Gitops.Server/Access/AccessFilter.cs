using System.Net;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gitops.Server.Access;

/// <summary>
/// The one place every API request is authorized, before its handler runs: who is asking
/// (admin token, API token or session cookie) → the route's <see cref="AccessRule"/> (none:
/// refused) → the project it touches → allow, 401, 403, or 404 when the project must stay
/// invisible. Mutations must be JSON (no form posts from other sites) and are written to the
/// audit log before they run; a mutation whose audit entry cannot be written does not run.
/// </summary>
public static class AccessFilter
{
    public const string PrincipalItem = "paas.principal";

    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var services = http.RequestServices;
        var rule = http.GetEndpoint()?.Metadata.GetMetadata<AccessRule>();
        if (rule is null)
        {
            return Results.Problem("this route has no access rule, so it is refused", statusCode: StatusCodes.Status500InternalServerError);
        }

        var mutation = !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method);
        if (mutation && !HttpMethods.IsDelete(http.Request.Method) && http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.Problem("mutations take application/json only", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var principal = Resolve(http);
        http.Items[PrincipalItem] = principal;
        if (rule.Anonymous)
        {
            return await next(context).ConfigureAwait(false);
        }

        var state = services.GetRequiredService<StateStore>();
        var (project, environment, target) = TargetOf(http, state);
        var organization = project is null ? null : new People(state).OrganizationOf(project);
        var decision = Authorizer.Decide(principal, rule.Required, organization, project, environment);
        if (mutation && principal is not null)
        {
            // Before the effect: if this cannot be written, the mutation fails with it.
            new AuditLog(state).Append($"{principal.Name} ({principal.Via})", $"{http.Request.Method} {(http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText}", target, decision == AccessDecision.Allow ? "accepted" : $"refused ({decision.ToString().ToLowerInvariant()})");
        }

        return decision switch
        {
            AccessDecision.Allow => await next(context).ConfigureAwait(false),
            AccessDecision.Unauthenticated => Results.Unauthorized(),
            AccessDecision.Hidden => Results.NotFound(new { error = "not found" }),
            _ => Results.Json(new { error = $"this needs the {rule.Required.ToString().ToLowerInvariant()} role" }, statusCode: StatusCodes.Status403Forbidden),
        };
    }

    public static Principal? PrincipalOf(HttpContext context) =>
        context is not null && context.Items.TryGetValue(PrincipalItem, out var value) ? value as Principal : null;

    /// <summary>The bootstrap admin token, an API token (acting for its user, capped), or a session cookie.</summary>
    private static Principal? Resolve(HttpContext http)
    {
        var services = http.RequestServices;
        var state = services.GetRequiredService<StateStore>();
        var people = new People(state);
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            var presented = header["Bearer ".Length..];
            if (services.GetRequiredService<AdminToken>().Accepts(presented))
            {
                return Principal.PlatformAdmin;
            }

            return new Tokens(state).Resolve(presented) is { } token && people.Exists(token.User)
                ? new Principal(token.User, people.GrantsOf(token.User), token.Cap, false) { Via = $"token {token.Id}" }
                : null;
        }

        return http.Request.Cookies.TryGetValue(Sessions.Cookie, out var session) && new Sessions(state).UserOf(session) is { } user && people.Exists(user)
            ? new Principal(user, people.GrantsOf(user), Role.Owner, false)
            : null;
    }

    /// <summary>The project (and environment) a request touches: from its route or query values, or from the deployment it names.</summary>
    private static (string? Project, string? Environment, string Target) TargetOf(HttpContext http, StateStore state)
    {
        string? Value(string name) => http.Request.RouteValues.TryGetValue(name, out var v) && v is string s ? s
            : http.Request.Query.TryGetValue(name, out var q) && q.Count > 0 ? q[0] : null;

        var project = Value("project");
        var environment = Value("environment");
        if (project is null && Value("id") is { } id && http.Request.Path.StartsWithSegments("/api/v1/deployments", StringComparison.Ordinal) && state.Deployment(id) is { } deployment)
        {
            (project, environment) = (deployment.Project, deployment.Environment);
        }

        var target = project is null ? http.Request.Path.ToString() : environment is null ? project : $"{project}/{environment}";
        return (project, environment, target);
    }

    /// <summary>The client's address: the connection's, or X-Forwarded-For's when the connection comes from a configured proxy.</summary>
    public static string ClientAddress(HttpContext http, IReadOnlyCollection<string> trustedProxies)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(trustedProxies);
        var remote = http.Connection.RemoteIpAddress ?? IPAddress.None;
        if (trustedProxies.Contains(remote.ToString()) && http.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded)
        {
            return forwarded.Split(',')[^1].Trim(); // the address the trusted proxy saw
        }

        return remote.ToString();
    }
}
