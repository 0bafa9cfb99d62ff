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
    public static Scope Organization(string name) => new("org", name);

    public static Scope Project(string name) => new("project", name);

    public static Scope Environment(string project, string environment) => new("env", $"{project}/{environment}");

    public static Scope Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':', 2);
        return parts.Length == 2 && parts[0] is "org" or "project" or "env" && parts[1].Length > 0
            ? new Scope(parts[0], parts[1])
            : throw new FormatException($"scope '{text}': write org:NAME, project:NAME or env:PROJECT/ENV");
    }

    /// <summary>Whether a grant on this scope covers the given project (in its organization) and environment.</summary>
    public bool Covers(string organization, string project, string? environment) => Kind switch
    {
        "org" => Name == organization,
        "project" => Name == project,
        _ => environment is not null && Name == $"{project}/{environment}",
    };

    /// <summary>Whether a grant on this scope lets its holder see that the project exists at all.</summary>
    public bool Reveals(string organization, string project) => Kind switch
    {
        "org" => Name == organization,
        "project" => Name == project,
        _ => Name.StartsWith(project + "/", StringComparison.Ordinal),
    };

    public override string ToString() => $"{Kind}:{Name}";
}

public sealed record Grant(string User, Role Role, Scope Scope);
