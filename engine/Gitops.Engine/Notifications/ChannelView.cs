namespace Gitops.Engine.Notifications;

/// <summary>A channel as <c>paas notify list</c> shows it: its kind, whether its secret is set, how its messages fare. Never the secret.</summary>
public sealed record ChannelView(string Channel, string Kind, string? SecretNeeded, bool SecretSet, ChannelStatus Status)
{
    public static IReadOnlyList<ChannelView> All(State.StateStore state, NotificationsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var outbox = new NotificationOutbox(state);
        var secrets = new ChannelSecrets(new Secrets.SecretStore(state));
        return config.Channels.OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ChannelView(c.Key, c.Value.Kind.ToString().ToLowerInvariant(), c.Value.SecretNeeded, secrets.Has(c.Key), outbox.Status(c.Key)))
            .ToList();
    }
}
