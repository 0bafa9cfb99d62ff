using System.Globalization;
using Gitops.Engine.Execution;
using Gitops.Engine.Ingress;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Operations;

/// <summary>
/// <c>paas restart SERVICE --env ENV</c>, top-down: the service must run → recover → plan fresh
/// replicas of what runs (<see cref="Deployer.PlanRestartAsync"/>) → apply through the executor like
/// any deployment (start-first and health-checked on the container family, the target's own rollout
/// elsewhere) → record the restart, so the next commit keeps those replicas. The CLI runs it on the
/// data directory; the server between two reconciles.
/// </summary>
public sealed class ServiceRestart(StateStore state, PlatformConfig platform, Func<TargetConfig, TargetConnection> connect, IIngress? ingress, IProgress<ExecutorEvent> progress, ExecutionHooks? hooks = null)
{
    public async Task<Deployment> RestartAsync(string project, string environment, string service, string by, IProgress<Planning.Plan>? planned, CancellationToken cancellationToken)
    {
        RunningServices.Require(state, project, environment, service);
        using var connection = connect(platform.Target(new EnvironmentRecords(state).LastSync(project, environment)?.Target ?? "local"));
        var deployer = new Deployer(connection.Driver, connection.Images, state, new SecretStore(state), progress, new Progress<string>(), connection.IngressOr(ingress), hooks, platform.Registry);
        await deployer.RecoverAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var restarted = (hooks?.Clock ?? TimeProvider.System).GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var prepared = await deployer.PlanRestartAsync(project, environment, service, restarted, cancellationToken).ConfigureAwait(false);
        planned?.Report(prepared.Plan);
        var deployment = await deployer.ApplyAsync(prepared, $"restart {service} by {by}", allowEmpty: false, cancellationToken).ConfigureAwait(false);
        if (deployment.Status == DeploymentStatus.Succeeded)
        {
            new RestartRecords(state).Record(project, environment, service, restarted);
        }

        return deployment;
    }
}
