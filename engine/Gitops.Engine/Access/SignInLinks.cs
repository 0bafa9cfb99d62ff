using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Access;

/// <summary>
/// One-time sign-in links for the dashboard (<c>/#/signin/SECRET</c>): the quick start prints one
/// so a newcomer is signed in without a password to copy. The secret is random, stored hashed,
/// bound to the user's identity like a session, expires soon, and works once.
/// </summary>
public sealed class SignInLinks(StateStore state)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private readonly ILiteCollection<BsonDocument> _links = state.Collection("signinLinks");

    /// <returns>The secret to put in the link; only its hash is kept.</returns>
    public string Create(string user, TimeProvider? clock = null)
    {
        var uid = new People(state).IdOf(user) ?? throw new InvalidOperationException($"no user {user}");
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        _links.DeleteMany(d => d["expires"] < now.ToUnixTimeMilliseconds()); // old links leave no trace
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _links.Insert(new BsonDocument
        {
            ["_id"] = Hash(secret),
            ["user"] = user,
            ["uid"] = uid,
            ["expires"] = (now + Lifetime).ToUnixTimeMilliseconds(),
        });
        state.Flush();
        return secret;
    }

    /// <summary>The user the link signs in, once: a used, expired or unknown link, or one whose user was removed, gives null.</summary>
    public string? Redeem(string secret, TimeProvider? clock = null)
    {
        var id = Hash(secret);
        if (_links.FindById(id) is not { } link)
        {
            return null;
        }

        _links.Delete(id);
        state.Flush();
        var user = link["user"].AsString;
        var live = DateTimeOffset.FromUnixTimeMilliseconds(link["expires"].AsInt64) > (clock ?? TimeProvider.System).GetUtcNow();
        return live && new People(state).IdOf(user) == link["uid"].AsString ? user : null;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
