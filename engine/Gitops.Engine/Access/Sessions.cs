using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Access;

/// <summary>
/// Browser sessions: a random id in an HttpOnly, Secure, SameSite=Strict cookie; stored hashed,
/// expiring, and bound to the user's identity (not the name), so removing the user ends them and
/// a new user of the same name never inherits them.
/// </summary>
public sealed class Sessions(StateStore state)
{
    public const string Cookie = "paas_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly ILiteCollection<BsonDocument> _sessions = state.Collection("sessions");

    public string Start(string user)
    {
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions.Insert(new BsonDocument
        {
            ["_id"] = Hash(id),
            ["user"] = user,
            ["uid"] = new People(state).IdOf(user) ?? "",
            ["expires"] = (DateTimeOffset.UtcNow + Lifetime).ToUnixTimeMilliseconds(),
        });
        state.Flush();
        return id;
    }

    /// <summary>The user a live session belongs to: the same person who started it, or null.</summary>
    public string? UserOf(string id)
    {
        if (_sessions.FindById(Hash(id)) is not { } d || DateTimeOffset.FromUnixTimeMilliseconds(d["expires"].AsInt64) <= DateTimeOffset.UtcNow)
        {
            return null;
        }

        var user = d["user"].AsString;
        var uid = d["uid"].IsString ? d["uid"].AsString : null;
        return uid is { Length: > 0 } && new People(state).IdOf(user) == uid ? user : null;
    }

    public void End(string id) => _sessions.Delete(Hash(id));

    /// <summary>Ends every session of a user (on removal).</summary>
    public int EndAllOf(string user)
    {
        var ended = _sessions.DeleteMany(d => d["user"] == user);
        state.Flush();
        return ended;
    }

    private static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}
