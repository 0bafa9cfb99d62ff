using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Access;

/// <summary>
/// Sign-in attempts per account and per client address, kept in the state database so a restart
/// does not reset them: 10 failures within 15 minutes lock that account, or that address, for
/// the rest of the window. An attempt is counted as failed before its password is checked, in one
/// step with the check of the limit, so parallel attempts can never get more checks than the limit;
/// a success then takes its count back.
/// </summary>
public sealed class LoginThrottle(StateStore state)
{
    public const int Limit = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    // One server process owns the state file; this makes check-and-count one step within it.
    private static readonly Lock Gate = new();

    private readonly ILiteCollection<BsonDocument> _failures = state.Collection("login_failures");

    /// <summary>Reserves one attempt, counted as a failure until <see cref="Succeeded"/> says otherwise.</summary>
    /// <returns>null when the attempt may go ahead, else how long the caller must wait.</returns>
    public TimeSpan? TryBegin(string account, string address, out long attempt)
    {
        lock (Gate)
        {
            attempt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var keys = new[] { Key("user", account), Key("ip", address) };
            var waits = keys.Select(Wait).Where(w => w is not null).ToList();
            if (waits.Count > 0)
            {
                return waits.Max();
            }

            foreach (var key in keys)
            {
                var document = _failures.FindById(key) ?? new BsonDocument { ["_id"] = key, ["times"] = new BsonArray() };
                var cutoff = attempt - (long)Window.TotalMilliseconds;
                document["times"] = new BsonArray(document["times"].AsArray.Where(t => t.AsInt64 > cutoff)) { attempt };
                _failures.Upsert(document);
            }

            state.Flush();
            return null;
        }
    }

    /// <summary>The password was right: the account starts afresh, and the address gets its attempt back.</summary>
    public void Succeeded(string account, string address, long attempt)
    {
        lock (Gate)
        {
            _failures.Delete(Key("user", account));
            if (_failures.FindById(Key("ip", address)) is { } document)
            {
                var times = document["times"].AsArray.ToList();
                var index = times.FindIndex(t => t.AsInt64 == attempt);
                if (index >= 0)
                {
                    times.RemoveAt(index);
                }

                document["times"] = new BsonArray(times);
                _failures.Upsert(document);
            }

            state.Flush();
        }
    }

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
