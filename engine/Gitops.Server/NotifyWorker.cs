using Gitops.Engine.Notifications;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>
/// Sends the notification outbox every second (<see cref="NotificationDispatcher"/>), beside
/// everything else: a channel that is slow or down delays only its own messages.
/// </summary>
public sealed class NotifyWorker(NotificationDispatcher dispatcher, ILogger<NotifyWorker> logger) : PeriodicWorker
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override Task PassAsync(CancellationToken cancellationToken) => dispatcher.DeliverDueAsync(cancellationToken);

    protected override void Failed(Exception exception) => Log.NotifyPassFailed(logger, exception);
}
