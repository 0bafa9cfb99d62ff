using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Health;
using Gitops.Engine.Notifications;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>
/// The health check after the deploy (<see cref="HealthMonitor"/>): a pass every second checks the
/// replicas whose interval has passed; a replica that failed <c>retries</c> times in a row is
/// replaced between two deploys, never beside one.
/// </summary>
public sealed class HealthWorker : PeriodicWorker, IDisposable
{
    private readonly HealthMonitor _monitor;
    private readonly IDisposable? _ingress;
    private readonly ReconcileWorker _worker;
    private readonly ILogger<HealthWorker> _logger;

    public HealthWorker(StateStore state, PlatformConfig platform, ServerOptions options, ReconcileWorker worker, PlatformMetrics metrics, NotificationSink notify, ILogger<HealthWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_worker, _logger) = (worker, logger);
        var ingress = ProviderRegistry.Default.OpenIngress(platform, options.DataDirectory);
        _ingress = ingress;
        var hooks = new ExecutionHooks(options.Clock, CrashHooks.FromEnvironment()) { Events = ServerEvents.Sinks(new Gitops.Engine.Audit.AuditLog(state), metrics, notify, logger) };
        _monitor = new HealthMonitor(state, platform, ProviderRegistry.Default.Connect, ingress, new ReconcileWorker.LoggingProgress(logger), hooks);
    }

    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task PassAsync(CancellationToken cancellationToken)
    {
        foreach (var failing in await _monitor.CheckAsync(cancellationToken).ConfigureAwait(false))
        {
            Log.ReplacingReplica(_logger, failing.Project, failing.Environment, failing.Service, failing.Replica, failing.Why);
            if (await _worker.ExclusiveAsync(t => _monitor.ReplaceAsync(failing, t), cancellationToken).ConfigureAwait(false) is { } deployment)
            {
                Log.ReplacedReplica(_logger, failing.Project, failing.Environment, failing.Service, failing.Replica, deployment.Id, deployment.Status);
            }
        }
    }

    protected override void Failed(Exception exception) => Log.HealthCheckFailed(_logger, exception);

    public override void Dispose()
    {
        _ingress?.Dispose();
        base.Dispose();
    }
}
