using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Access;

/// <summary>An API token as listed: who it acts for, the most it may do, until when; never the secret.</summary>
public sealed record ApiToken(string Id, string User, string Name, Role Cap, DateTimeOffset Created, DateTimeOffset Expires, bool Revoked);

/// <summary>
/// API tokens: <c>paas_&lt;id&gt;_&lt;secret&gt;</c>, shown once, stored as the SHA-256 of the secret
/// (256 random bits need no slow hash). A token acts for its user with at most its cap role,
/// until it expires or is revoked.
/// </summary>
public sealed class Tokens(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _tokens = state.Collection("api_tokens");

    /// <returns>The token itself (shown once) and its record.</returns>
    public (string Secret, ApiToken Token) Create(string user, string name, Role cap, TimeSpan lifetime)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow;
        var token = new ApiToken(id, user, name, cap, now, now + lifetime, false);
        _tokens.Insert(new BsonDocument
        {
            ["_id"] = id,
            ["user"] = user,
            ["uid"] = new People(state).IdOf(user) ?? "",
            ["name"] = name,
            ["cap"] = cap.ToString(),
            ["created"] = now.ToUnixTimeMilliseconds(),
            ["expires"] = token.Expires.ToUnixTimeMilliseconds(),
            ["revoked"] = false,
            ["hash"] = Hash(secret),
        });
        state.Flush();
        return ($"paas_{id}_{secret}", token);
    }

    /// <summary>The live token a presented string names, or null (unknown, wrong secret, expired, revoked).</summary>
    public ApiToken? Resolve(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var parts = presented.Split('_', 3);
        if (parts.Length != 3 || parts[0] != "paas" || _tokens.FindById(parts[1]) is not { } document)
        {
            return null;
        }

        var token = Read(document);
        var genuine = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(parts[2])), Encoding.ASCII.GetBytes(document["hash"].AsString));
        return genuine && !token.Revoked && token.Expires > DateTimeOffset.UtcNow && BelongsToCurrentUser(document, token) ? token : null;
    }

    /// <summary>
    /// A token acts only for the user it was made for: the same identity, not just the same name
    /// (a removed and re-added name starts with no tokens). Tokens from before identities existed
    /// count when they are younger than the user.
    /// </summary>
    private bool BelongsToCurrentUser(BsonDocument document, ApiToken token)
    {
        var people = new People(state);
        return document["uid"].IsString
            ? document["uid"].AsString is { Length: > 0 } uid && people.IdOf(token.User) == uid
            : people.CreatedAt(token.User) is { } created && created <= token.Created;
    }

    /// <summary>Revokes every token of a user (on removal).</summary>
    public int RevokeAllOf(string user)
    {
        var revoked = 0;
        foreach (var document in _tokens.Find(d => d["user"] == user && d["revoked"] == false))
        {
            document["revoked"] = true;
            _tokens.Update(document);
            revoked++;
        }

        state.Flush();
        return revoked;
    }

    public IReadOnlyList<ApiToken> List(string? user) => _tokens.FindAll()
        .Select(Read)
        .Where(t => user is null || t.User == user)
        .OrderBy(t => t.Created)
        .ToList();

    public ApiToken? Find(string id) => _tokens.FindById(id) is { } document ? Read(document) : null;

    public bool Revoke(string id)
    {
        var document = _tokens.FindById(id);
        if (document is null || document["revoked"].AsBoolean)
        {
            return false;
        }

        document["revoked"] = true;
        _tokens.Update(document);
        state.Flush();
        return true;
    }

    private static ApiToken Read(BsonDocument d) => new(
        d["_id"].AsString,
        d["user"].AsString,
        d["name"].AsString,
        Enum.Parse<Role>(d["cap"].AsString),
        DateTimeOffset.FromUnixTimeMilliseconds(d["created"].AsInt64),
        DateTimeOffset.FromUnixTimeMilliseconds(d["expires"].AsInt64),
        d["revoked"].AsBoolean);

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
