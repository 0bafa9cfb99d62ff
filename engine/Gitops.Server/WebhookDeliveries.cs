using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Server;

/// <summary>
/// The webhook deliveries seen in the last 24 hours, kept in the state database so a restart does
/// not forget them. A delivery is known by its id and, separately, by the SHA-256 of its signed
/// body: resending a recorded body under a new delivery id is a replay too. Older records expire;
/// at most <see cref="Capacity"/> are kept (the oldest go first), so the list cannot grow without bound.
/// </summary>
public sealed class WebhookDeliveries(StateStore state, TimeProvider? clock = null)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);
    public const int Capacity = 100_000;

    private static readonly Lock Gate = new();
    private readonly ILiteCollection<BsonDocument> _seen = Open(state);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Records the delivery; false when its id or its body was seen within the window (a replay).</summary>
    public bool TryRecord(string project, string? deliveryId, string bodySha256)
    {
        var keys = new List<string> { $"{project}/body:{bodySha256}" };
        if (!string.IsNullOrEmpty(deliveryId))
        {
            keys.Add($"{project}/id:{deliveryId}");
        }

        var now = _clock.GetUtcNow().UtcDateTime;
        using var _ = Gate.EnterScope();
        _seen.DeleteMany(Query.LT("at", now - Window));
        if (keys.Any(k => _seen.FindById(k) is not null))
        {
            return false;
        }

        foreach (var key in keys)
        {
            _seen.Insert(new BsonDocument { ["_id"] = key, ["at"] = now });
        }

        var excess = _seen.Count() - Capacity;
        if (excess > 0)
        {
            foreach (var oldest in _seen.Query().OrderBy("at").Limit(excess).ToList())
            {
                _seen.Delete(oldest["_id"]);
            }
        }

        state.Flush();
        return true;
    }

    private static ILiteCollection<BsonDocument> Open(StateStore state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var seen = state.Collection("webhook_deliveries");
        seen.EnsureIndex("at");
        return seen;
    }
}
