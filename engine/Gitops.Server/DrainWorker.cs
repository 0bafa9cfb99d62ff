using Gitops.Engine.Drains;
using Microsoft.Extensions.Hosting;

namespace Gitops.Server;

/// <summary>Runs platform.yaml's log drains (<see cref="LogDrains"/>) for as long as the server runs.</summary>
public sealed class DrainWorker(LogDrains drains) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await drains.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
