namespace Gitops.Engine.Access;

/// <summary>
/// Who is asking: a user (by session or API token), or the platform's bootstrap admin token,
/// which owns everything. Roles come from grants, capped by the token's role.
/// </summary>
public sealed record Principal(string Name, IReadOnlyList<Grant> Grants, Role Cap, bool IsPlatformAdmin)
{
    /// <summary>How the principal authenticated, for the audit log: <c>session</c>, <c>token ID</c> or <c>admin token</c>.</summary>
    public string Via { get; init; } = "session";

    public static Principal PlatformAdmin { get; } = new("admin", [], Role.Owner, true) { Via = "admin token" };

    /// <summary>The strongest role any grant gives on the project (or one environment of it), capped; null when none.</summary>
    public Role? RoleOn(string organization, string project, string? environment)
    {
        if (IsPlatformAdmin)
        {
            return Role.Owner;
        }

        var roles = Grants.Where(g => g.Scope.Covers(organization, project, environment)).Select(g => g.Role).ToList();
        return roles.Count == 0 ? null : (Role)Math.Min((int)roles.Max(), (int)Cap);
    }

    /// <summary>Whether the project exists as far as this principal may know: otherwise it is answered 404, never 403.</summary>
    public bool Sees(string organization, string project) =>
        IsPlatformAdmin || Grants.Any(g => g.Scope.Reveals(organization, project));

    /// <summary>Platform-wide administration (people, tokens of others): the bootstrap token, or an owner of the default organization.</summary>
    public bool AdministersPlatform =>
        IsPlatformAdmin || (Cap >= Role.Owner && Grants.Any(g => g.Role == Role.Owner && g.Scope == Scope.Organization(People.DefaultOrganization)));
}

/// <summary>What the one authorization check decided for a request.</summary>
public enum AccessDecision
{
    Allow,

    /// <summary>Nobody authenticated: 401.</summary>
    Unauthenticated,

    /// <summary>The principal may see the target but not do this: 403.</summary>
    Forbidden,

    /// <summary>The principal may not even know the target exists: 404.</summary>
    Hidden,
}

/// <summary>The authorization rule, in one place: every API route states its requirement and this decides.</summary>
public static class Authorizer
{
    public static AccessDecision Decide(Principal? principal, Role required, string? organization, string? project, string? environment)
    {
        if (principal is null)
        {
            return AccessDecision.Unauthenticated;
        }

        if (project is null)
        {
            // Platform-level routes: lists are filtered by what the principal sees; administration needs the platform.
            return required <= Role.Viewer || principal.AdministersPlatform ? AccessDecision.Allow : AccessDecision.Forbidden;
        }

        var org = organization ?? People.DefaultOrganization;
        if (!principal.Sees(org, project))
        {
            return AccessDecision.Hidden;
        }

        return principal.RoleOn(org, project, environment) is { } role && role >= required ? AccessDecision.Allow : AccessDecision.Forbidden;
    }
}
