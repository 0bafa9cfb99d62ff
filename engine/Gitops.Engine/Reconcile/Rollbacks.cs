using Gitops.Engine.Execution;
using Gitops.Engine.Ingress;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Reconcile;

/// <summary>A rollback refused before anything ran: no such deployment, or none to go back to.</summary>
public sealed class RollbackRefusedException(string message) : Exception(message);

/// <summary>What a rollback went back to, and how the deployment that brought it back ended.</summary>
public sealed record RollbackResult(Deployment Target, Deployment Deployment, bool Pinned);

/// <summary>
/// Rollback, top-down: choose the deployment → recover → plan its recorded desired state against
/// what runs → apply (start-first, health-checked, policy checked again at the choke point) → pin
/// the environment so the loop leaves it there until a new commit reaches its branch. The CLI runs
/// it on the data directory; the server runs it between two reconciles.
/// </summary>
public sealed class Rollbacks(StateStore state, PlatformConfig platform, Func<TargetConfig, TargetConnection> connect, IIngress? ingress, IProgress<ExecutorEvent> progress)
{
    private readonly EnvironmentRecords _records = new(state);

    /// <summary>The deployment a rollback would go to: the one named, or the last successful one before the current.</summary>
    public Deployment Choose(string project, string environment, string? to)
    {
        var history = state.History(project, environment, 200);
        if (to is not null)
        {
            var chosen = history.FirstOrDefault(d => d.Id == to) ?? throw new RollbackRefusedException($"no deployment {to} in {project}/{environment} (paas history lists them)");
            return chosen.Status == DeploymentStatus.Succeeded && chosen.Desired is not null
                ? chosen
                : throw new RollbackRefusedException($"{to} did not succeed (it is {chosen.Status.ToString().ToLowerInvariant()}); roll back to a deployment that ran");
        }

        // The newest successful deployment is what runs now; the one before it is where a rollback goes.
        // The autoscaler's changes and restarts are the same version: never a version to go back to.
        return history.Where(d => d.Status == DeploymentStatus.Succeeded && d.Desired is not null && !d.SameVersion).Skip(1).FirstOrDefault()
            ?? throw new RollbackRefusedException($"{project}/{environment} has no earlier successful deployment to roll back to");
    }

    public async Task<RollbackResult> RollbackAsync(Deployment target, IProgress<Planning.Plan>? planned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (project, environment) = (target.Project, target.Environment);
        var lastSync = _records.LastSync(project, environment);
        using var connection = connect(platform.Target(lastSync?.Target ?? "local"));
        var deployer = new Deployer(connection.Driver, connection.Images, state, new SecretStore(state), progress, new Progress<string>(), connection.IngressOr(ingress), registry: platform.Registry);
        await deployer.RecoverAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var prepared = await deployer.PlanRollbackAsync(target, cancellationToken).ConfigureAwait(false);
        planned?.Report(prepared.Plan);
        var runningCommit = lastSync?.Commit ?? state.Recorded(project, environment).Revision;
        var deployment = await deployer.ApplyAsync(prepared, $"rollback to {target.Id}", allowEmpty: false, cancellationToken).ConfigureAwait(false);
        var pinned = deployment.Status == DeploymentStatus.Succeeded;
        if (pinned)
        {
            _records.Pin(project, environment, new Pin(target.Id, runningCommit, DateTimeOffset.UtcNow));
        }

        return new RollbackResult(target, deployment, pinned);
    }
}
