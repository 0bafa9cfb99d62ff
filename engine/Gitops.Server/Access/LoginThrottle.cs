using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Server.Access;

/// <summary>
/// Failed sign-ins per account and per client address, kept in the state database so a restart
/// does not reset them: 10 failures within 15 minutes lock that account, or that address, for
/// the rest of the window.
/// </summary>
public sealed class LoginThrottle(StateStore state)
{
    public const int Limit = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ILiteCollection<BsonDocument> _failures = state.Collection("login_failures");

    /// <returns>How long the caller must wait, or null when it may try.</returns>
    public TimeSpan? Blocked(string account, string address)
    {
        var waits = new[] { Key("user", account), Key("ip", address) }.Select(Wait).Where(w => w is not null).ToList();
        return waits.Count == 0 ? null : waits.Max();
    }

    public void Failed(string account, string address)
    {
        foreach (var key in new[] { Key("user", account), Key("ip", address) })
        {
            var document = _failures.FindById(key) ?? new BsonDocument { ["_id"] = key, ["times"] = new BsonArray() };
            var cutoff = (DateTimeOffset.UtcNow - Window).ToUnixTimeMilliseconds();
            var times = new BsonArray(document["times"].AsArray.Where(t => t.AsInt64 > cutoff)) { DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
            document["times"] = times;
            _failures.Upsert(document);
        }

        state.Flush();
    }

    public void Succeeded(string account) => _failures.Delete(Key("user", account));

    private TimeSpan? Wait(string key)
    {
        var document = _failures.FindById(key);
        if (document is null)
        {
            return null;
        }

        var cutoff = (DateTimeOffset.UtcNow - Window).ToUnixTimeMilliseconds();
        var recent = document["times"].AsArray.Select(t => t.AsInt64).Where(t => t > cutoff).Order().ToList();
        return recent.Count < Limit ? null : DateTimeOffset.FromUnixTimeMilliseconds(recent[^Limit]) + Window - DateTimeOffset.UtcNow;
    }

    private static string Key(string kind, string value) => $"{kind}:{value}";
}
