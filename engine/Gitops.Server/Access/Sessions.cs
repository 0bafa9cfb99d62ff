using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Server.Access;

/// <summary>Browser sessions: a random id in an HttpOnly, Secure, SameSite=Strict cookie; stored hashed, expiring.</summary>
public sealed class Sessions(StateStore state)
{
    public const string Cookie = "paas_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly ILiteCollection<BsonDocument> _sessions = state.Collection("sessions");

    public string Start(string user)
    {
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions.Insert(new BsonDocument { ["_id"] = Hash(id), ["user"] = user, ["expires"] = (DateTimeOffset.UtcNow + Lifetime).ToUnixTimeMilliseconds() });
        return id;
    }

    public string? UserOf(string id) =>
        _sessions.FindById(Hash(id)) is { } d && DateTimeOffset.FromUnixTimeMilliseconds(d["expires"].AsInt64) > DateTimeOffset.UtcNow ? d["user"].AsString : null;

    public void End(string id) => _sessions.Delete(Hash(id));

    private static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}
