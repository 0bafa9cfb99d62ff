using System.Globalization;
using System.Security.Cryptography;
using Gitops.Engine.Events;
using Gitops.Engine.State;

namespace Gitops.Engine.Notifications;

/// <summary>
/// Turns platform events into messages in the outbox, for every channel the environment's notify
/// rules route the event to. Only a write to the state: an event never waits for a channel, and a
/// channel that is down never slows or fails the deploy that raised it.
/// </summary>
public sealed class NotificationSink(StateStore state, NotificationsConfig config) : IEventSink
{
    private readonly NotificationRules _rules = new(state);
    private readonly NotificationOutbox _outbox = new(state);

    public void Publish(PlatformEvent platformEvent)
    {
        ArgumentNullException.ThrowIfNull(platformEvent);
        foreach (var channel in _rules.ChannelsFor(platformEvent.Project, platformEvent.Environment, platformEvent.Name).Where(config.Channels.ContainsKey))
        {
            _outbox.Enqueue(For(channel, platformEvent));
        }
    }

    /// <summary>A message of the event for a channel (its key: the event, its environment and what it is about).</summary>
    public Notification For(string channel, PlatformEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var about = e.DeploymentId ?? e.Detail ?? e.At.ToString("O", CultureInfo.InvariantCulture);
        return new Notification
        {
            Id = $"n-{e.At.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}",
            Channel = channel,
            Event = e.Name,
            Project = e.Project,
            Environment = e.Environment,
            Title = NotificationText.Title(e),
            Body = NotificationText.Body(e),
            Link = NotificationText.Link(config.DashboardUrl, e),
            Commit = e.Revision,
            DeploymentId = e.DeploymentId,
            Service = e.Service,
            Detail = e.Detail,
            Key = $"{channel}|{e.Name}|{e.Project}/{e.Environment}|{e.Service}|{about}",
            At = e.At,
            NextAttempt = e.At,
        };
    }
}
