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
/// refused) → what it touches, from the route's values, the record it names or the body's named
/// environment or scope (never the query string) → <see cref="Authorizer"/>: allow, 401, 403, or
/// 404 when the project must stay invisible. Mutations must be JSON (no form posts from other
/// sites) and are written to the audit log before they run, as is every refusal of a signed-in
/// caller; a mutation whose audit entry cannot be written does not run.
/// </summary>
public static class AccessFilter
{
    public const string PrincipalItem = "paas.principal";

    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
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
        if (rule.Target == AccessTarget.Open)
        {
            return await next(context).ConfigureAwait(false);
        }

        var state = http.RequestServices.GetRequiredService<StateStore>();
        var (decision, target, problem) = Decide(http, context.Arguments, state, rule, principal);
        if (problem is not null)
        {
            return Results.BadRequest(new { error = problem });
        }

        if (principal is not null && (mutation || decision != AccessDecision.Allow))
        {
            // Before the effect: if this cannot be written, the mutation fails with it.
            new AuditLog(state).Append($"{principal.Name} ({principal.Via})", $"{http.Request.Method} {(http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText}", target, decision == AccessDecision.Allow ? "accepted" : $"refused ({decision.ToString().ToLowerInvariant()})");
        }

        return decision switch
        {
            AccessDecision.Allow => await next(context).ConfigureAwait(false),
            AccessDecision.Unauthenticated => Results.Unauthorized(),
            AccessDecision.Hidden => Results.NotFound(new { error = "not found" }),
            _ => Results.Json(new { error = ForbiddenMessage(rule, target) }, statusCode: StatusCodes.Status403Forbidden),
        };
    }

    private static string ForbiddenMessage(AccessRule rule, string target) => rule.Target switch
    {
        AccessTarget.Platform => "this needs platform administration (an owner of the default organization)",
        AccessTarget.Grant => $"handing out a role on {target} needs the admin role on all of {target} and at least the role handed out; admin and owner are handed out by owners",
        _ => $"this needs the {rule.Required.ToString().ToLowerInvariant()} role on {target}",
    };

    public static Principal? PrincipalOf(HttpContext context) =>
        context is not null && context.Items.TryGetValue(PrincipalItem, out var value) ? value as Principal : null;

    /// <summary>What the request touches and what the rules say about it; a problem when the body names a target badly.</summary>
    private static (AccessDecision Decision, string Target, string? Problem) Decide(HttpContext http, IList<object?> arguments, StateStore state, AccessRule rule, Principal? principal)
    {
        var people = new People(state);
        string? Route(string name) => http.Request.RouteValues.TryGetValue(name, out var v) && v is string s ? s : null;
        switch (rule.Target)
        {
            case AccessTarget.SignedIn:
                return (Authorizer.SignedIn(principal), http.Request.Path.ToString(), null);
            case AccessTarget.Platform:
                return (Authorizer.Platform(principal), "platform", null);
            case AccessTarget.Grant:
                if (arguments.OfType<INamesGrant>().SingleOrDefault() is not { } grant || grant.Role is not { } role)
                {
                    return (AccessDecision.Allow, "", "give role (viewer, deployer, admin or owner) and scope (org:NAME, project:NAME or env:PROJECT/ENV)");
                }

                Scope scope;
                try
                {
                    scope = Scope.Parse(grant.Scope ?? "");
                }
                catch (FormatException e)
                {
                    return (AccessDecision.Allow, "", e.Message);
                }

                return (Authorizer.Grant(principal, role, scope, people.OrganizationOf), scope.ToString(), null);
            case AccessTarget.Deployment:
                // The deployment's own record says whose it is; an unknown id looks like a hidden one.
                if (Route("id") is not { } id || state.Deployment(id) is not { } deployment)
                {
                    return (principal is null ? AccessDecision.Unauthenticated : AccessDecision.Hidden, http.Request.Path.ToString(), null);
                }

                return (Authorizer.Decide(principal, rule.Required, people.OrganizationOf(deployment.Project), deployment.Project, deployment.Environment), $"{deployment.Project}/{deployment.Environment}", null);
            case AccessTarget.CronRun:
                // Like a deployment: the run's own record says whose it is, and an unknown id looks like a hidden one.
                if (Route("id") is not { } runId || new Gitops.Engine.Crons.CronRuns(state).Get(runId) is not { } run)
                {
                    return (principal is null ? AccessDecision.Unauthenticated : AccessDecision.Hidden, http.Request.Path.ToString(), null);
                }

                return (Authorizer.Decide(principal, rule.Required, people.OrganizationOf(run.Project), run.Project, run.Environment), $"{run.Project}/{run.Environment}", null);
            default:
                if (Route("project") is not { } project)
                {
                    return (AccessDecision.Forbidden, http.Request.Path.ToString(), null); // a rule that does not fit its route refuses
                }

                if (!Gitops.Schema.Validation.Grammar.Name().IsMatch(project))
                {
                    // Not a project's name: the platform's own owners in the store (@targets, @backups, @webhook…) are no project, for anyone.
                    return (principal is null ? AccessDecision.Unauthenticated : AccessDecision.Hidden, project, null);
                }

                var environment = rule.Target switch
                {
                    AccessTarget.Environment => Route("environment") ?? "",
                    AccessTarget.ProjectListing => null,
                    _ => arguments.OfType<INamesEnvironment>().SingleOrDefault()?.Environment, // the body's environment, authorized as if routed
                };
                var organization = people.OrganizationOf(project);
                var decision = rule.Target == AccessTarget.ProjectListing
                    ? (principal is null ? AccessDecision.Unauthenticated : principal.Sees(organization, project) ? AccessDecision.Allow : AccessDecision.Hidden)
                    : Authorizer.Decide(principal, rule.Required, organization, project, environment);
                return (decision, environment is null ? project : $"{project}/{environment}", null);
        }
    }

    /// <summary>The bootstrap admin token, an API token (acting for its user, capped), or a session cookie.</summary>
    internal static Principal? Resolve(HttpContext http)
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
