using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Scaling;

/// <summary>The changes one environment's autoscaled services need, on the target it runs on.</summary>
public sealed record EnvironmentScale(string Project, string Environment, string Target, IReadOnlyList<ScaleDecision> Changes);

/// <summary>
/// The platform's autoscaler for targets that do not scale by themselves (the container family), in
/// two steps the server runs on an interval. Measure: read the ingress's traffic → for each
/// environment running autoscaled services: read its replicas' usage → each service's load →
/// recommendation → decision (stabilized). Scale: plan what runs at the new counts → apply it like
/// any change (started first and health checked, or drained before stopping) → record the count →
/// tell it as an event. Only the second step changes anything; the server runs it between reconciles.
/// </summary>
public sealed class Autoscaler(StateStore state, PlatformConfig platform, Func<TargetConfig, TargetConnection> connect, IIngress? ingress, IProgress<ExecutorEvent> progress, ExecutionHooks? hooks = null)
{
    private readonly ExecutionHooks _hooks = hooks ?? ExecutionHooks.FromEnvironment();
    private readonly ScaleDecider _decider = new(platform.Autoscaler);
    private readonly LoadMeter _meter = new();
    private readonly ScaleRecords _records = new(state);
    private readonly EnvironmentRecords _environments = new(state);

    public TimeSpan Interval => platform.Autoscaler.Interval.Value;

    public async Task<IReadOnlyList<EnvironmentScale>> MeasureAsync(CancellationToken cancellationToken)
    {
        var traffic = ingress is null ? null : await ingress.ReadTrafficAsync(cancellationToken).ConfigureAwait(false);
        var now = _hooks.Clock.GetUtcNow();
        var scales = new List<EnvironmentScale>();
        var usage = new List<ReplicaUsage>();
        var watched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (project, environment) in state.Environments())
        {
            if (Running(project, environment) is not { } running || _environments.IsSuspended(project, environment))
            {
                continue; // nothing autoscaled runs, or a person stopped all change
            }

            var target = platform.Target(_environments.LastSync(project, environment)?.Target ?? "local");
            using var connection = connect(target);
            if (connection.Driver.Capabilities is not { Autoscaling: true, ScalesItself: false })
            {
                continue;
            }

            // The engine's stats only for services that scale on them: one scaling on requests alone costs the engine nothing.
            var reads = running.Services.Where(s => s.Extras.Autoscale is { } spec && Recommendation.ReadsUsage(spec)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            var used = reads.Count == 0 ? [] : await connection.Driver.UsageAsync(project, environment, reads, cancellationToken).ConfigureAwait(false);
            usage.AddRange(used);
            var readings = new Dictionary<string, ScaleReading>(StringComparer.Ordinal);
            var changes = new List<ScaleDecision>();
            foreach (var service in running.Services.Where(s => s.Extras.Autoscale is not null))
            {
                var key = $"{project}/{environment}/{service.Name}";
                watched.Add(key);
                var load = _meter.Measure(running, service, used, traffic);
                var recommendation = Recommendation.For(service.Extras.Autoscale!, load);
                var (decision, note) = _decider.Decide(key, service.Name, service.Replicas, recommendation, now);
                readings[service.Name] = new ScaleReading(load.Describe(), note, now);
                if (decision is not null)
                {
                    changes.Add(decision);
                }
            }

            _records.Read(project, environment, readings);
            if (changes.Count > 0)
            {
                scales.Add(new EnvironmentScale(project, environment, target.Name, changes));
            }
        }

        _meter.Keep(usage);
        _decider.Keep(watched);
        return scales;
    }

    /// <summary>Applies one environment's changes; a change that fails is not tried again before the cooldown.</summary>
    public async Task<Deployment> ScaleAsync(EnvironmentScale scale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scale);
        using var connection = connect(platform.Target(scale.Target));
        var deployer = new Deployer(connection.Driver, connection.Images, state, new SecretStore(state), progress, new Progress<string>(), connection.IngressOr(ingress), _hooks, platform.Registry);
        var replicas = new Dictionary<string, int>(_records.Replicas(scale.Project, scale.Environment), StringComparer.Ordinal);
        foreach (var change in scale.Changes)
        {
            replicas[change.Service] = change.To;
        }

        Deployment deployment;
        try
        {
            await deployer.RecoverAsync(scale.Project, scale.Environment, cancellationToken).ConfigureAwait(false);
            var prepared = await deployer.PlanScaleAsync(scale.Project, scale.Environment, replicas, cancellationToken).ConfigureAwait(false);
            deployment = await deployer.ApplyAsync(prepared, "autoscale: " + string.Join("; ", scale.Changes), allowEmpty: false, cancellationToken).ConfigureAwait(false);
        }
        catch (PlanRefusedException)
        {
            Failed(scale);
            throw;
        }

        if (deployment.Status != DeploymentStatus.Succeeded)
        {
            Failed(scale);
            return deployment;
        }

        var now = _hooks.Clock.GetUtcNow();
        foreach (var change in scale.Changes)
        {
            _records.Scaled(scale.Project, scale.Environment, change.Service, new ScaledTo(change.To, $"{change.Direction} from {change.From}: {change.Why}", now));
            _hooks.Events.Publish(new PlatformEvent(PlatformEvent.ServiceScaled, scale.Project, scale.Environment, now)
            {
                Service = change.Service,
                DeploymentId = deployment.Id,
                Revision = deployment.Revision,
                TargetKind = connection.Driver.Kind,
                Detail = $"{change.Direction} {change.From} → {change.To}: {change.Why}",
            });
        }

        return deployment;
    }

    private void Failed(EnvironmentScale scale)
    {
        foreach (var change in scale.Changes)
        {
            _decider.Failed($"{scale.Project}/{scale.Environment}/{change.Service}", _hooks.Clock.GetUtcNow());
        }
    }

    /// <summary>What the environment runs (its last successful deployment), when it autoscales a service.</summary>
    private DesiredState? Running(string project, string environment) =>
        state.LastSucceeded(project, environment) is { Desired: { } desired }
        && desired.Services.Any(s => s.Extras.Autoscale is not null)
            ? desired
            : null;
}
