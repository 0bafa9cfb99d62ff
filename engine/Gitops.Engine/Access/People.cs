using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Access;

/// <summary>A user as listed: never the password hash.</summary>
public sealed record User(string Name, DateTimeOffset Created, IReadOnlyList<Grant> Grants);

/// <summary>
/// Users, their grants, and which organization owns each project, in the state database.
/// Projects belong to the organization <c>default</c> unless placed elsewhere.
/// </summary>
public sealed class People(StateStore state)
{
    public const string DefaultOrganization = "default";

    private readonly ILiteCollection<BsonDocument> _users = state.Collection("users");
    private readonly ILiteCollection<BsonDocument> _grants = state.Collection("grants");
    private readonly ILiteCollection<BsonDocument> _projects = state.Collection("project_orgs");

    public bool Exists(string name) => _users.FindById(name) is not null;

    public void AddUser(string name, string password)
    {
        if (password.Length < 12)
        {
            throw new ArgumentException("a password needs 12 characters or more", nameof(password));
        }

        _users.Upsert(new BsonDocument { ["_id"] = name, ["hash"] = Passwords.Hash(password), ["created"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
        state.Flush();
    }

    /// <summary>Checks a password; the same work is done for unknown users, so timing does not tell who exists.</summary>
    public bool CheckPassword(string name, string password)
    {
        var hash = _users.FindById(name)?["hash"].AsString;
        var ok = Passwords.Verify(password, hash ?? DecoyHash.Value);
        return hash is not null && ok;
    }

    public bool RemoveUser(string name)
    {
        _grants.DeleteMany(g => g["user"] == name);
        var removed = _users.Delete(name);
        state.Flush();
        return removed;
    }

    public void GrantRole(Grant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        _grants.Upsert(new BsonDocument { ["_id"] = $"{grant.User}|{grant.Scope}", ["user"] = grant.User, ["role"] = grant.Role.ToString(), ["scope"] = grant.Scope.ToString() });
        state.Flush();
    }

    public IReadOnlyList<Grant> GrantsOf(string user) => _grants.Find(g => g["user"] == user)
        .Select(g => new Grant(user, Enum.Parse<Role>(g["role"].AsString), Scope.Parse(g["scope"].AsString)))
        .OrderBy(g => g.Scope.ToString(), StringComparer.Ordinal)
        .ToList();

    public IReadOnlyList<User> Users() => _users.FindAll()
        .Select(u => new User(u["_id"].AsString, DateTimeOffset.FromUnixTimeMilliseconds(u["created"].AsInt64), GrantsOf(u["_id"].AsString)))
        .OrderBy(u => u.Name, StringComparer.Ordinal)
        .ToList();

    public void PlaceProject(string project, string organization)
    {
        _projects.Upsert(new BsonDocument { ["_id"] = project, ["org"] = organization });
        state.Flush();
    }

    public string OrganizationOf(string project) => _projects.FindById(project)?["org"].AsString ?? DefaultOrganization;

    private static readonly Lazy<string> DecoyHash = new(() => Passwords.Hash(Guid.NewGuid().ToString()));
}
