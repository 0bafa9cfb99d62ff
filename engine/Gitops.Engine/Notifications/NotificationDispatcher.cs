using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.Engine.Notifications;

/// <summary>
/// Sends what the outbox holds, each channel on its own: oldest first, so messages arrive in the
/// order their events happened; a message the channel refuses is tried again after 1, 2, 4 … s,
/// then once a minute, and the channel's newer messages wait behind it; one not taken within
/// <c>notifications.retryFor</c> is dropped, counted and shown (<c>paas notify list</c>).
/// </summary>
public sealed class NotificationDispatcher(StateStore state, NotificationsConfig config, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan MostBetweenTries = TimeSpan.FromMinutes(1);

    private readonly NotificationOutbox _outbox = new(state);
    private readonly ChannelSecrets _secrets = new(new SecretStore(state));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public NotificationsConfig Config => config;

    /// <summary>How long after its <paramref name="attempts"/>-th refusal a message is tried again.</summary>
    public static TimeSpan Backoff(int attempts) =>
        attempts >= 7 ? MostBetweenTries : TimeSpan.FromSeconds(Math.Min(MostBetweenTries.TotalSeconds, Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>One pass over every channel with messages waiting; returns how many were delivered.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var delivered = await Task.WhenAll(_outbox.ChannelsWaiting().Select(channel => DeliverAsync(channel, now, cancellationToken))).ConfigureAwait(false);
        _outbox.Prune(now);
        return delivered.Sum();
    }

    /// <summary>A message to try a channel with (<c>paas notify test</c>): through the outbox like any other.</summary>
    public Notification Test(string channel, string by)
    {
        var now = clock.GetUtcNow();
        var message = new Notification
        {
            Id = $"n-test-{Guid.NewGuid():N}"[..22],
            Channel = channel,
            Event = "notify.test",
            Project = "-",
            Environment = "-",
            Title = $"paas: a test message to {channel}",
            Body = $"sent by {by}; if you read this, the channel works",
            Link = config.DashboardUrl,
            Key = $"test|{channel}|{Guid.NewGuid():N}",
            At = now,
            NextAttempt = now,
        };
        foreach (var earlier in _outbox.Pending(channel).Where(n => n.Event == message.Event))
        {
            _outbox.Forget(earlier.Id); // an older test still waiting says nothing a new one does not
        }

        _outbox.Enqueue(message);
        return message;
    }

    private async Task<int> DeliverAsync(string channel, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = 0;
        var known = config.Channels.TryGetValue(channel, out var settings);
        var secret = known && settings!.SecretNeeded is not null ? _secrets.Get(channel) : null;
        foreach (var message in _outbox.Pending(channel))
        {
            if (!known || now - message.At > config.RetryFor.Value)
            {
                _outbox.Save(message with { State = DeliveryState.Dropped, LastError = known ? $"not taken within {config.RetryFor}: {message.LastError}" : $"channel {channel} is no longer on this platform" });
                continue;
            }

            if (message.NextAttempt > now)
            {
                break; // waits for its next try, and the channel's newer messages with it
            }

            try
            {
                await new ChannelSenders(_http).SendAsync(channel, settings!, secret, message, cancellationToken).ConfigureAwait(false);
                _outbox.Save(message with { State = DeliveryState.Delivered, Attempts = message.Attempts + 1, DeliveredAt = now });
                count++;
            }
            catch (DeliveryException e)
            {
                var attempts = message.Attempts + 1;
                _outbox.Save(message with { Attempts = attempts, LastError = e.Message, NextAttempt = now + Backoff(attempts) });
                break;
            }
        }

        return count;
    }

    public void Dispose() => _http.Dispose();
}
