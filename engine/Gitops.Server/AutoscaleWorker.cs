using Gitops.Engine.Events;
using Gitops.Engine.Scaling;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>
/// Runs the platform's autoscaler on its interval (platform.yaml's <c>autoscaler.interval</c>):
/// measuring beside everything else, scaling only between two reconciles (one change to the engine
/// at a time). A failed pass is logged and the next one tries again.
/// </summary>
public sealed class AutoscaleWorker(StateStore state, PlatformConfig platform, ServerOptions options, ReconcileWorker worker, PlatformMetrics metrics, Gitops.Engine.Notifications.NotificationSink notify, ILogger<AutoscaleWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, options.DataDirectory);
        var hooks = Gitops.Engine.Execution.ExecutionHooks.FromEnvironment() with { Events = ServerEvents.Sinks(new Gitops.Engine.Audit.AuditLog(state), metrics, notify, logger) };
        var autoscaler = new Autoscaler(state, platform, ProviderRegistry.Default.Connect, ingress, new ReconcileWorker.LoggingProgress(logger), hooks);
        using var timer = new PeriodicTimer(autoscaler.Interval);
        do
        {
            try
            {
                foreach (var scale in await autoscaler.MeasureAsync(stoppingToken).ConfigureAwait(false))
                {
                    Log.Scaling(logger, scale.Project, scale.Environment, scale.Changes);
                    var deployment = await worker.ExclusiveAsync(t => autoscaler.ScaleAsync(scale, t), stoppingToken).ConfigureAwait(false);
                    Log.Scaled(logger, scale.Project, scale.Environment, deployment.Id, deployment.Status, deployment.Error ?? "");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.AutoscaleFailed(logger, e); // an engine that does not answer, a refused plan: the next pass measures again
            }
        }
        while (await Tick(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stoppingToken)
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
