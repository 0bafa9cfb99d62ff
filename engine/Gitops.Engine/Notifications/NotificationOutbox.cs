using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Notifications;

/// <summary>How a channel is doing, for <c>paas notify list</c>.</summary>
/// <param name="FailingSince">When the oldest message still waiting was first refused; null when none is.</param>
public sealed record ChannelStatus(string Channel, int Delivered, int Pending, int Dropped, DateTimeOffset? LastDelivered, DateTimeOffset? FailingSince, string? LastError);

/// <summary>
/// Messages waiting for their channel, in the state: written when the event happens (never
/// waiting for a channel), sent by the server's dispatcher, kept across restarts until taken or
/// given up. A message's key makes the same event one message per channel.
/// </summary>
public sealed class NotificationOutbox(StateStore state)
{
    /// <summary>Messages a channel took are kept this long, for its counts.</summary>
    public static readonly TimeSpan KeepDelivered = TimeSpan.FromDays(7);

    private readonly ILiteCollection<BsonDocument> _outbox = Indexed(state.Collection("notify_outbox"));

    /// <returns>False when a message with the same key exists already (the event was published before).</returns>
    public bool Enqueue(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (_outbox.Exists(Query.EQ("key", notification.Key)))
        {
            return false;
        }

        Save(notification);
        return true;
    }

    public void Save(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        _outbox.Upsert(new BsonDocument
        {
            ["_id"] = notification.Id,
            ["key"] = notification.Key,
            ["channel"] = notification.Channel,
            ["state"] = notification.State.ToString(),
            ["at"] = notification.At.UtcDateTime,
            ["json"] = StateJson.Write(notification),
        });
    }

    /// <summary>Removes a message (an earlier test message: a new test replaces it).</summary>
    public void Forget(string id) => _outbox.Delete(id);

    /// <summary>A channel's messages still waiting, oldest first: they are delivered in the order their events happened.</summary>
    public IReadOnlyList<Notification> Pending(string channel) =>
        _outbox.Query().Where(Query.And(Query.EQ("channel", channel), Query.EQ("state", DeliveryState.Pending.ToString()))).OrderBy(d => d["at"]).ToList().Select(Read).ToList();

    /// <summary>Channels with messages waiting.</summary>
    public IReadOnlyList<string> ChannelsWaiting() =>
        _outbox.Find(Query.EQ("state", DeliveryState.Pending.ToString())).Select(d => d["channel"].AsString).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<Notification> Of(string channel) =>
        _outbox.Query().Where(Query.EQ("channel", channel)).OrderBy(d => d["at"]).ToList().Select(Read).ToList();

    public ChannelStatus Status(string channel)
    {
        var all = Of(channel);
        var pending = all.Where(n => n.State == DeliveryState.Pending).ToList();
        var failing = pending.FirstOrDefault(n => n.Attempts > 0);
        return new ChannelStatus(
            channel,
            all.Count(n => n.State == DeliveryState.Delivered),
            pending.Count,
            all.Count(n => n.State == DeliveryState.Dropped),
            all.Where(n => n.DeliveredAt is not null).Select(n => n.DeliveredAt).Max(),
            failing?.At,
            all.Where(n => n.LastError is not null).OrderBy(n => n.NextAttempt).LastOrDefault()?.LastError);
    }

    /// <summary>Delivered messages older than <see cref="KeepDelivered"/> go.</summary>
    public void Prune(DateTimeOffset now)
    {
        var before = (now - KeepDelivered).UtcDateTime;
        _outbox.DeleteMany(Query.And(Query.EQ("state", DeliveryState.Delivered.ToString()), Query.LT("at", before)));
    }

    private static Notification Read(BsonDocument document) => StateJson.Read<Notification>(document["json"].AsString);

    private static ILiteCollection<BsonDocument> Indexed(ILiteCollection<BsonDocument> outbox)
    {
        outbox.EnsureIndex("key", unique: true);
        outbox.EnsureIndex("channel");
        return outbox;
    }
}
