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

    /// <summary>
    /// Adds a new user with a fresh identity. An existing name is refused, never overwritten: adding
    /// is not a way to reset someone's password.
    /// </summary>
    /// <exception cref="UserExistsException">The name is taken.</exception>
    public void AddUser(string name, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < 12)
        {
            throw new ArgumentException("a password needs 12 characters or more", nameof(password));
        }

        var document = new BsonDocument
        {
            ["_id"] = name,
            ["uid"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
            ["hash"] = Passwords.Hash(password),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        try
        {
            _users.Insert(document);
        }
        catch (LiteException e) when (e.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            throw new UserExistsException(name);
        }

        state.Flush();
    }

    /// <summary>
    /// The identity tokens and sessions are bound to: random per user, new when a removed name is
    /// added again. Users made before identities existed get one on first use.
    /// </summary>
    public string? IdOf(string name)
    {
        if (_users.FindById(name) is not { } user)
        {
            return null;
        }

        if (!user["uid"].IsString)
        {
            user["uid"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            _users.Update(user);
            state.Flush();
        }

        return user["uid"].AsString;
    }

    /// <summary>When the user of that name was created (tokens made before it belong to an earlier user of the name).</summary>
    public DateTimeOffset? CreatedAt(string name) =>
        _users.FindById(name) is { } user ? DateTimeOffset.FromUnixTimeMilliseconds(user["created"].AsInt64) : null;

    /// <summary>Checks a password; the same work is done for unknown users, so timing does not tell who exists.</summary>
    public bool CheckPassword(string name, string password)
    {
        var hash = _users.FindById(name)?["hash"].AsString;
        var ok = Passwords.Verify(password, hash ?? DecoyHash.Value);
        return hash is not null && ok;
    }

    /// <summary>Removes the user with their grants, and revokes every API token and session they had.</summary>
    public bool RemoveUser(string name)
    {
        _grants.DeleteMany(g => g["user"] == name);
        new Tokens(state).RevokeAllOf(name);
        new Sessions(state).EndAllOf(name);
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

/// <summary>Adding a user whose name is taken.</summary>
public sealed class UserExistsException(string name) : Exception($"user '{name}' already exists; remove it first, or grant it roles")
{
    public string Name { get; } = name;
}
