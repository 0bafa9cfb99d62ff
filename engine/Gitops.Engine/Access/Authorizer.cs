namespace Gitops.Engine.Access;

/// <summary>
/// The authorization rules, in one place and free of HTTP: the server's filter resolves what a
/// request touches (from its route and the records the route names, never from the query string)
/// and asks one of these. Each is a pure function of the principal and the target.
/// </summary>
public static class Authorizer
{
    /// <summary>Anyone signed in: their own tokens, who they are, and lists filtered by <see cref="MaySee"/>.</summary>
    public static AccessDecision SignedIn(Principal? principal) =>
        principal is null ? AccessDecision.Unauthenticated : AccessDecision.Allow;

    /// <summary>Platform administration: people, new repositories (they place a project in an organization), the audit log.</summary>
    public static AccessDecision Platform(Principal? principal) =>
        principal is null ? AccessDecision.Unauthenticated
        : principal.AdministersPlatform ? AccessDecision.Allow
        : AccessDecision.Forbidden;

    /// <summary>
    /// A project, or one environment of it when <paramref name="environment"/> is given: a project
    /// the principal may not know of is hidden (404); otherwise the role decides (403).
    /// </summary>
    public static AccessDecision Decide(Principal? principal, Role required, string organization, string project, string? environment)
    {
        if (principal is null)
        {
            return AccessDecision.Unauthenticated;
        }

        if (!principal.Sees(organization, project))
        {
            return AccessDecision.Hidden;
        }

        return principal.RoleOn(organization, project, environment) is { } role && role >= required ? AccessDecision.Allow : AccessDecision.Forbidden;
    }

    /// <summary>Whether a listed item (a project's environment, a deployment) is shown: any role on it.</summary>
    public static bool MaySee(Principal principal, string organization, string project, string? environment)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return environment is null ? principal.Sees(organization, project) : principal.RoleOn(organization, project, environment) is not null;
    }

    /// <summary>
    /// Handing out a role on a scope: the grantor needs admin on that whole scope and at least the
    /// role given, and only an owner hands out admin or owner. A project or environment the
    /// grantor may not know of is hidden.
    /// </summary>
    public static AccessDecision Grant(Principal? principal, Role role, Scope scope, Func<string, string> organizationOf)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(organizationOf);
        if (principal is null)
        {
            return AccessDecision.Unauthenticated;
        }

        if (scope.Kind != Scope.OrganizationKind && !principal.Sees(organizationOf(scope.ProjectName), scope.ProjectName))
        {
            return AccessDecision.Hidden;
        }

        var held = principal.RoleOnScope(scope, organizationOf);
        var enough = held is { } h && h >= Role.Admin && h >= role && (role < Role.Admin || h == Role.Owner);
        return enough ? AccessDecision.Allow : AccessDecision.Forbidden;
    }
}
