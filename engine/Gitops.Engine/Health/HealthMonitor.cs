using System.Collections.Concurrent;
using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Ingress;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Engine.Targets.Replicas;

namespace Gitops.Engine.Health;

/// <summary>A replica that failed its health check <c>retries</c> times in a row after the deploy, and why.</summary>
public sealed record FailingReplica(string Project, string Environment, string Service, int Replica, string Name, string Why);

/// <summary>
/// The health check after the deploy, on the container family (a Swarm service or a Kubernetes
/// Deployment checks and replaces its own): each running replica of a service that declares
/// <c>health:</c> is checked every <c>interval</c>; one that passed and then fails <c>retries</c> times in a row is
/// replaced (<see cref="ReplaceAsync"/>: removed, then started afresh and health-checked through
/// the executor like any deployment), with <c>health.degraded</c>; once every replica passes again,
/// <c>health.recovered</c>. Both are recorded for <c>paas status</c>. A replica the engine restarted
/// by itself is reported by the loop's incident check (<see cref="Reconciler"/>), with or without a health check.
/// </summary>
public sealed class HealthMonitor(StateStore state, PlatformConfig platform, Func<TargetConfig, TargetConnection> connect, IIngress? ingress, IProgress<ExecutorEvent> progress, ExecutionHooks hooks)
{
    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal); // by replica name
    private readonly ConcurrentDictionary<string, Deployment> _deployments = new(StringComparer.Ordinal); // by id: read once, not every pass
    private readonly ConcurrentDictionary<(string, string), DateTimeOffset> _nextCheck = new(); // an environment is looked at when a check of it is due
    private readonly HealthRecords _records = new(state);
    private readonly EnvironmentRecords _environments = new(state);

    /// <summary>One pass: checks the replicas whose interval has passed. Returns those to replace (the caller replaces them between two deploys).</summary>
    public async Task<IReadOnlyList<FailingReplica>> CheckAsync(CancellationToken cancellationToken)
    {
        var failing = new List<FailingReplica>();
        var problems = new List<Exception>();
        foreach (var (project, environment) in state.Environments())
        {
            try
            {
                failing.AddRange(await CheckEnvironmentAsync(project, environment, cancellationToken).ConfigureAwait(false));
            }
            catch (TargetException e)
            {
                problems.Add(e); // one target not answering never holds up another environment's checks
            }
        }

        return problems.Count == 0 ? failing : throw new AggregateException($"{problems.Count} environment(s) could not be checked; the next pass tries again", problems);
    }

    /// <summary>
    /// Replaces the failing replica, unless it passes when looked at once more: <c>health.degraded</c>,
    /// then the replica removed and the environment brought back to what its last deployment applied
    /// (the fresh replica started and health-checked before it counts). Returns that deployment, or null.
    /// </summary>
    public async Task<Deployment?> ReplaceAsync(FailingReplica failing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failing);
        var (project, environment) = (failing.Project, failing.Environment);
        using var connection = connect(platform.Target(_environments.LastSync(project, environment)?.Target ?? "local"));
        if (connection.Driver is not IReplicaDriver driver || Running(project, environment) is not { } running || running.Desired!.Service(failing.Service) is not { } service)
        {
            return null;
        }

        var request = new ReplicaRequest(project, environment, running.Id, Names.Network(project, environment), service, failing.Replica);
        if (request.Name != failing.Name || (await driver.CheckReplicaAsync(request, cancellationToken).ConfigureAwait(false)).Healthy)
        {
            _watches.TryRemove(failing.Name, out _);
            return null; // replaced by a deploy meanwhile, or well again
        }

        var now = hooks.Clock.GetUtcNow();
        _records.Record(project, environment, new ServiceHealth(failing.Service, false, now, $"{failing.Why}; replaced it"));
        hooks.Events.Publish(new PlatformEvent(PlatformEvent.HealthDegraded, project, environment, now)
        {
            Service = failing.Service,
            TargetKind = driver.Kind,
            Revision = running.Revision,
            Detail = $"{failing.Service} {failing.Why}; replacing it",
        });

        await driver.RemoveReplicaAsync(failing.Name, service.Drain.Value, cancellationToken).ConfigureAwait(false);
        _watches.TryRemove(failing.Name, out _);
        var deployer = new Deployer(driver, connection.Images, state, new SecretStore(state), progress, new Progress<string>(), connection.IngressOr(ingress), hooks, platform.Registry);
        var prepared = await deployer.PlanRepairAsync(project, environment, cancellationToken).ConfigureAwait(false);
        return await deployer.ApplyAsync(prepared, $"health: replace {failing.Service} replica {failing.Replica}", allowEmpty: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<FailingReplica>> CheckEnvironmentAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var failing = new List<FailingReplica>();
        var now = hooks.Clock.GetUtcNow();
        if (_nextCheck.TryGetValue((project, environment), out var due) && now < due || Running(project, environment) is not { } running)
        {
            return failing; // not due yet (a pass is every second, the checks every interval), or nothing runs
        }

        var watched = running.Desired!.Services.Where(s => s.Spec.Health is not null).ToList();
        _nextCheck[(project, environment)] = watched.Count == 0 ? now + TimeSpan.FromSeconds(10) : now + watched.Min(s => s.Spec.Health!.Interval.Value);
        // A deploy in flight replaces replicas itself; its health checks decide meanwhile.
        if (watched.Count == 0 || state.History(project, environment, 1) is [{ Status: DeploymentStatus.Running }])
        {
            return failing;
        }

        using var connection = connect(platform.Target(_environments.LastSync(project, environment)?.Target ?? "local"));
        if (connection.Driver is not IReplicaDriver driver)
        {
            return failing;
        }

        var observed = await driver.ObserveAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var records = _records.Of(project, environment);
        foreach (var service in watched)
        {
            var check = service.Spec.Health!;
            var replicas = observed.Containers.Where(c => c.Service == service.Name && c.Fingerprint == service.Fingerprint).ToList();
            foreach (var replica in replicas)
            {
                var watch = _watches.GetOrAdd(replica.Name, _ => new Watch());
                if (now - watch.Checked < check.Interval.Value - TimeSpan.FromMilliseconds(100)) // the pass's own timing must not skip a due check
                {
                    continue;
                }

                var result = await driver.CheckReplicaAsync(new ReplicaRequest(project, environment, running.Id, Names.Network(project, environment), service, replica.Replica), cancellationToken).ConfigureAwait(false);
                // Failures count once the replica has passed here: one still starting (a deploy's, a repair's) is its rollout's to judge.
                (watch.Checked, watch.Passed, watch.Failures) = (now, watch.Passed || result.Healthy, result.Healthy ? 0 : watch.Passed ? watch.Failures + 1 : 0);
                if (watch.Failures >= check.Retries)
                {
                    failing.Add(new FailingReplica(project, environment, service.Name, replica.Replica, replica.Name,
                        $"replica {replica.Replica} failed its health check {check.Path} {watch.Failures} times in a row (last: {result.Detail})"));
                }
            }

            // Recovered: degraded before, and now every replica it should run has passed since.
            if (records.GetValueOrDefault(service.Name) is { Healthy: false } degraded && replicas.Count >= service.Replicas
                && replicas.All(r => _watches.TryGetValue(r.Name, out var w) && w.Failures == 0 && w.Checked > degraded.Since))
            {
                _records.Record(project, environment, new ServiceHealth(service.Name, true, now, $"all {replicas.Count} replicas pass {check.Path} again"));
                hooks.Events.Publish(new PlatformEvent(PlatformEvent.HealthRecovered, project, environment, now)
                {
                    Service = service.Name,
                    TargetKind = driver.Kind,
                    Revision = running.Revision,
                    Detail = $"{service.Name}: all {replicas.Count} replicas pass {check.Path} again (degraded since {degraded.Since:HH:mm:ss}: {degraded.Detail})",
                });
            }
        }

        // Replicas gone (replaced, scaled away) are forgotten.
        var prefix = Names.Network(project, environment) + Names.Separator;
        foreach (var gone in _watches.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && observed.Containers.All(c => c.Name != k)))
        {
            _watches.TryRemove(gone, out _);
        }

        return failing;
    }

    private Deployment? Running(string project, string environment)
    {
        if (state.LastSucceededId(project, environment) is not { } id)
        {
            return null;
        }

        var last = _deployments.TryGetValue(id, out var known) ? known : state.Deployment(id) is { } read ? _deployments[id] = read : null;
        return last is { Desired: { Revision: not "destroy" } } ? last : null;
    }

    /// <summary>One replica's checks: when last, whether it ever passed, and how many failed in a row since.</summary>
    private sealed class Watch
    {
        public DateTimeOffset Checked { get; set; } = DateTimeOffset.MinValue;

        public bool Passed { get; set; }

        public int Failures { get; set; }
    }
}
