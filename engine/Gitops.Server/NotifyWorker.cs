using Gitops.Engine.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>
/// Sends the notification outbox every second (<see cref="NotificationDispatcher"/>), beside
/// everything else: a channel that is slow or down delays only its own messages.
/// </summary>
public sealed class NotifyWorker(NotificationDispatcher dispatcher, ILogger<NotifyWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Pass = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Pass);
        do
        {
            try
            {
                await dispatcher.DeliverDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.NotifyPassFailed(logger, e);
            }
        }
        while (await NextAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
