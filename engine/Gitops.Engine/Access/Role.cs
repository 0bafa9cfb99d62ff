namespace Gitops.Engine.Access;

/// <summary>Roles in increasing power; each includes what the ones below may do.</summary>
public enum Role
{
    /// <summary>Sees projects, environments, deployments, logs; secrets by name only.</summary>
    Viewer = 1,

    /// <summary>Also syncs, approves, promotes, rolls back, suspends and resumes.</summary>
    Deployer = 2,

    /// <summary>Also manages repositories, secrets and the people and tokens of its scope.</summary>
    Admin = 3,

    /// <summary>Also grants and revokes admin and owner.</summary>
    Owner = 4,
}

/// <summary>
/// What a role is granted on: an organization (and so all its projects), one project, or one
/// environment of a project. Written <c>org:acme</c>, <c>project:shop</c>, <c>env:shop/production</c>.
/// </summary>
public sealed record Scope(string Kind, string Name)
{
    public const string OrganizationKind = "org";
    public const string ProjectKind = "project";
    public const string EnvironmentKind = "env";

    public static Scope Organization(string name) => new(OrganizationKind, name);

    public static Scope Project(string name) => new(ProjectKind, name);

    public static Scope Environment(string project, string environment) => new(EnvironmentKind, $"{project}/{environment}");

    /// <summary>The project a project or environment scope is about (empty for an organization).</summary>
    public string ProjectName => Kind switch
    {
        ProjectKind => Name,
        EnvironmentKind => Name.Split('/', 2)[0],
        _ => "",
    };

    /// <summary>The environment of an environment scope, else null.</summary>
    public string? EnvironmentName => Kind == EnvironmentKind ? Name.Split('/', 2)[1] : null;

    /// <summary>Parses <c>org:NAME</c>, <c>project:NAME</c> or <c>env:PROJECT/ENV</c>; every name must follow the name grammar.</summary>
    public static Scope Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':', 2);
        var valid = parts.Length == 2 && parts[0] switch
        {
            OrganizationKind or ProjectKind => IsName(parts[1]),
            EnvironmentKind => parts[1].Split('/') is [var p, var e] && IsName(p) && IsName(e),
            _ => false,
        };
        return valid
            ? new Scope(parts[0], parts[1])
            : throw new FormatException($"scope '{text}': write org:NAME, project:NAME or env:PROJECT/ENV (names: lower-case letters, digits and '-')");
    }

    /// <summary>Whether a grant on this scope covers the given project (in its organization) and environment.</summary>
    public bool Covers(string organization, string project, string? environment) => Kind switch
    {
        OrganizationKind => Name == organization,
        ProjectKind => Name == project,
        _ => environment is not null && Name == $"{project}/{environment}",
    };

    /// <summary>Whether a grant on this scope lets its holder see that the project exists at all.</summary>
    public bool Reveals(string organization, string project) => Kind switch
    {
        OrganizationKind => Name == organization,
        ProjectKind => Name == project,
        _ => Name.StartsWith(project + "/", StringComparison.Ordinal),
    };

    public override string ToString() => $"{Kind}:{Name}";

    private static bool IsName(string name) => Gitops.Schema.Validation.Grammar.Name().IsMatch(name);
}

public sealed record Grant(string User, Role Role, Scope Scope);
