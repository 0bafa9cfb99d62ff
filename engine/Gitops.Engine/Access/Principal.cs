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

    /// <summary>
    /// The strongest role any grant gives on the project, or on one environment of it, capped;
    /// null when none. Without an environment only organization and project grants count: an
    /// environment grant never reaches what spans the whole project.
    /// </summary>
    public Role? RoleOn(string organization, string project, string? environment)
    {
        if (IsPlatformAdmin)
        {
            return Role.Owner;
        }

        var roles = Grants.Where(g => g.Scope.Covers(organization, project, environment)).Select(g => g.Role).ToList();
        return roles.Count == 0 ? null : Capped(roles.Max());
    }

    /// <summary>The strongest role on a whole scope (an organization, a project, one environment): what a grant on it may hand out.</summary>
    public Role? RoleOnScope(Scope scope, Func<string, string> organizationOf)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(organizationOf);
        if (IsPlatformAdmin)
        {
            return Role.Owner;
        }

        var roles = scope.Kind switch
        {
            Scope.OrganizationKind => Grants.Where(g => g.Scope == scope),
            Scope.ProjectKind => Grants.Where(g => g.Scope.Covers(organizationOf(scope.Name), scope.Name, null)),
            _ => Grants.Where(g => g.Scope.Covers(organizationOf(scope.ProjectName), scope.ProjectName, scope.EnvironmentName)),
        };
        var list = roles.Select(g => g.Role).ToList();
        return list.Count == 0 ? null : Capped(list.Max());
    }

    /// <summary>Whether the project exists as far as this principal may know: otherwise it is answered 404, never 403.</summary>
    public bool Sees(string organization, string project) =>
        IsPlatformAdmin || Grants.Any(g => g.Scope.Reveals(organization, project));

    /// <summary>Platform-wide administration (people, repositories, the audit log): the bootstrap token, or an owner of the default organization.</summary>
    public bool AdministersPlatform =>
        IsPlatformAdmin || (Cap >= Role.Owner && Grants.Any(g => g.Role == Role.Owner && g.Scope == Scope.Organization(People.DefaultOrganization)));

    private Role Capped(Role role) => (Role)Math.Min((int)role, (int)Cap);
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
