using Microsoft.Extensions.Hosting;

namespace Gitops.Server;

/// <summary>
/// A server loop that makes one pass every <see cref="Interval"/> until the server stops: a pass
/// that fails is reported (<see cref="Failed"/>) and the next one tries again.
/// </summary>
public abstract class PeriodicWorker : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    protected abstract Task PassAsync(CancellationToken cancellationToken);

    protected abstract void Failed(Exception exception);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await PassAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed(e);
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
