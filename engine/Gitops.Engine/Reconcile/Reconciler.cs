using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Loading;

namespace Gitops.Engine.Reconcile;

/// <summary>
/// The GitOps loop's one pass, in short named steps like a Flux reconciler: fetch each watched
/// repository → for each branch, read the manifest at its tip → for each environment that follows
/// that branch: skip a commit that failed before → recover → plan → apply. The server runs this on
/// every poll and webhook; <c>paas sync</c> runs it once.
/// </summary>
public sealed partial class Reconciler(
    StateStore state,
    GitSource git,
    PlatformConfig platform,
    Func<TargetConfig, TargetConnection> connect,
    IProgress<ExecutorEvent> progress,
    IProgress<string> buildLog,
    Ingress.IIngress? ingress = null,
    ExecutionHooks? hooks = null)
{
    private readonly ExecutionHooks _hooks = hooks ?? ExecutionHooks.FromEnvironment();
    private readonly RepositoryRegistry _repositories = new(state);
    private readonly RepositoryCredentials _credentials = new(state);
    private readonly SecretStore _secrets = new(state);
    private readonly Approvals _approvals = new(state);
    private readonly EnvironmentRecords _records = new(state);
    private readonly Notifications.NotificationRules _notifyRules = new(state);

    // Per replica name, the restarts health.degraded already told of (this process's life: a restart of the server tells again once).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _reportedRestarts = new(StringComparer.Ordinal);

    /// <summary>Replicas seen down, never restarted, at the last pass (see <see cref="ReportIncidentsAsync"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _downOnce = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<ReconcileResult>> SyncAsync(string? onlyProject, CancellationToken cancellationToken)
    {
        var results = new List<ReconcileResult>();
        foreach (var repository in _repositories.List().Where(r => onlyProject is null || r.Project == onlyProject))
        {
            var tips = Fetch(repository, results)
                .OrderBy(b => b.Key, StringComparer.Ordinal)
                .Select(b => (Branch: b.Key, Commit: b.Value, Tree: git.Open(repository.Project, b.Value)))
                .Select(b => (b.Branch, b.Commit, b.Tree, Loaded: b.Tree.LoadManifest()))
                .ToList();

            // A broken manifest matters on a branch that some manifest says an environment follows,
            // or that an environment was last synced from (a broken tip has no manifest to say so).
            var followed = tips.SelectMany(t => t.Loaded.Manifest?.Environments.Values.Select(e => e.Branch) ?? []).ToHashSet(StringComparer.Ordinal);
            followed.UnionWith(_records.FollowedBranches(repository.Project));
            foreach (var (branch, commit, tree, loaded) in tips.Where(t => followed.Contains(t.Branch)))
            {
                results.AddRange(await ReconcileBranchAsync(repository.Project, branch, commit, tree, loaded, cancellationToken).ConfigureAwait(false));
            }

            results.AddRange(await ReconcilePreviewsAsync(repository, tips.ToDictionary(t => t.Branch, t => t.Loaded, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>A fetch that fails leaves everything running and says why; the cache still knows the last commits.</summary>
    private IReadOnlyDictionary<string, string> Fetch(WatchedRepository repository, List<ReconcileResult> results)
    {
        try
        {
            var branches = git.Fetch(repository.Project, repository.Url, _credentials.Of(repository.Project), keys => _credentials.PinHostKeys(repository.Project, keys));
            _repositories.Fetched(repository.Project, null);
            return branches;
        }
        catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or RepositoryUrlException or IOException or InvalidOperationException)
        {
            _repositories.Fetched(repository.Project, e.Message);
            results.Add(new ReconcileResult(repository.Project, "*", null, ReconcileOutcome.SourceUnavailable, $"fetching {repository.Url} failed: {e.Message}; what runs keeps running"));
            return new Dictionary<string, string>();
        }
    }

    private async Task<List<ReconcileResult>> ReconcileBranchAsync(string project, string branch, string commit, ISourceTree tree, ManifestLoadResult loaded, CancellationToken cancellationToken)
    {
        if (!loaded.IsValid)
        {
            return Invalid(project, branch, commit, $"branch {branch}: " + string.Join("; ", loaded.Errors.Take(5)));
        }

        if (loaded.Manifest!.Project != project)
        {
            return Invalid(project, branch, commit, $"the manifest names project '{loaded.Manifest.Project}', but the repository is registered for '{project}'");
        }

        var results = new List<ReconcileResult>();
        foreach (var (environment, spec) in loaded.Manifest.Environments.Where(e => e.Value.Branch == branch))
        {
            var effective = loaded.ForEnvironment(environment);
            ReconcileResult result;
            if (Notifications.NotificationRules.Refusals(effective.Notify, platform.Notifications) is { Count: > 0 } unknown)
            {
                // A rule naming no channel would route events nowhere, silently: the commit is refused like a manifest error.
                var detail = string.Join(Environment.NewLine, unknown);
                var first = _records.LastSync(project, environment) is not { Outcome: ReconcileOutcome.InvalidManifest } last || last.Commit != commit || last.Detail != detail;
                result = new ReconcileResult(project, environment, commit, ReconcileOutcome.InvalidManifest, detail, First: first);
            }
            else
            {
                _notifyRules.Record(project, environment, effective.Notify);
                result = await ReconcileEnvironmentAsync(project, environment, commit, tree, effective, spec, _secrets, cancellationToken).ConfigureAwait(false);
            }

            _records.Synced(project, environment, new SyncRecord(result.Outcome, result.Detail, commit, spec.Target, _hooks.Clock.GetUtcNow(), branch));
            results.Add(result);
        }

        return results;
    }

    /// <summary>
    /// A commit whose manifest cannot be used: nothing changes, and the environments that follow the
    /// branch say so (their sync state names the commit and the errors, not "in sync" at the old one).
    /// </summary>
    private List<ReconcileResult> Invalid(string project, string branch, string commit, string detail)
    {
        var following = _records.FollowingBranch(project, branch);
        if (following.Count == 0)
        {
            return [new ReconcileResult(project, branch, commit, ReconcileOutcome.InvalidManifest, detail)];
        }

        var results = new List<ReconcileResult>();
        foreach (var (environment, last) in following)
        {
            var first = !(last.Outcome == ReconcileOutcome.InvalidManifest && last.Commit == commit);
            _records.Synced(project, environment, last with { Outcome = ReconcileOutcome.InvalidManifest, Detail = detail, Commit = commit, At = _hooks.Clock.GetUtcNow() });
            results.Add(new ReconcileResult(project, environment, commit, ReconcileOutcome.InvalidManifest, detail, First: first));
        }

        return results;
    }

    /// <summary>What changed under a deployed commit: one drift event, and a degraded-health event per service missing instances.</summary>
    private void ReportDrift(Planning.Plan plan, string targetKind)
    {
        var now = _hooks.Clock.GetUtcNow();
        var changed = plan.Nodes.Where(n => n.Action != Planning.PlanAction.NoOp).ToList();
        _records.Drifted(plan.Project, plan.Environment, new DriftRecord(now, plan.Revision, changed.Select(n => new DriftChange(n.Kind.ToString().ToLowerInvariant(), n.Name, n.Cause)).ToList()));
        _hooks.Events.Publish(new PlatformEvent(PlatformEvent.DriftDetected, plan.Project, plan.Environment, now)
        {
            Revision = plan.Revision,
            TargetKind = targetKind,
            Detail = string.Join("; ", changed.Select(n => $"{n.Id}: {n.Cause}")),
        });
        foreach (var service in changed.Where(n => n is { Kind: Planning.ResourceKind.Service, Desired: not null, Start.Count: > 0 }))
        {
            _hooks.Events.Publish(new PlatformEvent(PlatformEvent.HealthDegraded, plan.Project, plan.Environment, now)
            {
                Service = service.Name,
                TargetKind = targetKind,
                Detail = $"{service.Desired!.Replicas - service.Start.Count} of {service.Desired.Replicas} replicas ready ({service.Cause})",
            });
        }
    }

    /// <summary>
    /// A replica the target restarted or killed by itself since the last pass (it looks fine to a
    /// plan: the engine brought it back): one degraded-health event per new incident, naming why
    /// when the target says (killed for memory) and the memory limit it hit.
    /// </summary>
    private async Task ReportIncidentsAsync(ITargetDriver driver, string project, string environment, CancellationToken cancellationToken)
    {
        var recorded = state.Recorded(project, environment);
        var conditions = await driver.ConditionsAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var prefix = Desired.Names.Network(project, environment) + Desired.Names.Separator;
        foreach (var gone in _reportedRestarts.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && conditions.All(c => c.Name != k)))
        {
            _reportedRestarts.TryRemove(gone, out _);
            _downOnce.TryRemove(gone, out _);
        }

        foreach (var condition in conditions)
        {
            var seen = _reportedRestarts.GetValueOrDefault(condition.Name, -1);
            _reportedRestarts[condition.Name] = condition.Restarts;
            if (!condition.Troubled || condition.Restarts <= seen)
            {
                continue;
            }

            // Down and never restarted: a crash the engine restarts in a moment, or a replica being removed
            // (Podman's rm -f stops it before it says "removing"), which the plan reports as drift. Said at
            // the next pass if it is still there; a restart by then is said anyway.
            if (condition.Restarts == 0 && _downOnce.TryAdd(condition.Name, 0))
            {
                _reportedRestarts[condition.Name] = seen;
                continue;
            }

            _downOnce.TryRemove(condition.Name, out _);

            var limit = condition.LastEnd == Observed.ReplicaCondition.KilledForMemory && recorded.Services.GetValueOrDefault(condition.Service) is { } service
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; its memory limit is {service.Spec.MemoryBytes / (1024 * 1024)}Mi (resources.memory)")
                : "";
            _hooks.Events.Publish(new PlatformEvent(PlatformEvent.HealthDegraded, project, environment, _hooks.Clock.GetUtcNow())
            {
                Service = condition.Service,
                TargetKind = driver.Kind,
                Revision = recorded.Revision,
                Detail = $"{condition.Service} {condition.Describe()}{limit}",
            });
        }
    }

    private async Task<ReconcileResult> ReconcileEnvironmentAsync(string project, string environment, string commit, ISourceTree tree, Schema.Model.Manifest manifest, Schema.Model.EnvironmentSpec spec, ISecretSource secrets, CancellationToken cancellationToken)
    {
        if (_records.IsSuspended(project, environment))
        {
            return new ReconcileResult(project, environment, commit, ReconcileOutcome.Suspended, $"suspended; {commit[..12]} is not deployed until paas env resume {project} --env {environment}");
        }

        if (_records.PinOf(project, environment) is { } pin)
        {
            if (pin.Commit == commit)
            {
                return new ReconcileResult(project, environment, commit, ReconcileOutcome.Pinned, $"pinned to {pin.Deployment} by paas rollback; the next commit on the branch deploys again (or paas rollback --clear)");
            }

            _records.Unpin(project, environment); // the branch moved: Git is the source of truth again
        }

        // The autoscaler's changes are not versions: a scale that failed says nothing about the commit.
        if (state.LastVersion(project, environment) is { Status: DeploymentStatus.Failed or DeploymentStatus.RolledBack } last && last.Revision == commit)
        {
            return new ReconcileResult(project, environment, commit, ReconcileOutcome.SkippedFailedRevision, $"commit {commit[..12]} failed before ({last.Error}); waiting for the branch to move");
        }

        using var connection = connect(platform.Target(spec.Target));
        var deployer = new Deployer(connection.Driver, connection.Images, state, secrets, progress, buildLog, connection.IngressOr(ingress), _hooks, platform.Registry);
        try
        {
            await deployer.RecoverAsync(project, environment, cancellationToken).ConfigureAwait(false);
            var prepared = await deployer.PlanAsync(tree, manifest, environment, cancellationToken).ConfigureAwait(false);
            if (!prepared.Plan.HasChanges)
            {
                await ReportIncidentsAsync(connection.Driver, project, environment, cancellationToken).ConfigureAwait(false);
                return new ReconcileResult(project, environment, commit, ReconcileOutcome.InSync, $"in sync at {commit[..12]}");
            }

            if (state.Recorded(project, environment).Revision == commit)
            {
                ReportDrift(prepared.Plan, connection.Driver.Kind); // the commit ran already: something changed behind the platform's back
            }

            if (spec.Approval == Schema.Model.Approval.Required && !_approvals.IsApproved(project, environment, commit))
            {
                // Guardrail: never applied without a person; `paas approve` approves this commit.
                if (_approvals.Wait(project, environment, commit, Planning.PlanText.Render(prepared.Plan)))
                {
                    _hooks.Events.Publish(new PlatformEvent(PlatformEvent.ApprovalWaiting, project, environment, _hooks.Clock.GetUtcNow())
                    {
                        Revision = commit,
                        Detail = $"{commit[..12]}: {prepared.Plan.Count(Planning.PlanAction.Create)} to create, {prepared.Plan.Count(Planning.PlanAction.Update)} to update, {prepared.Plan.Count(Planning.PlanAction.Replace)} to replace, {prepared.Plan.Count(Planning.PlanAction.Delete)} to delete; paas approve {project} --env {environment}",
                    });
                }

                return new ReconcileResult(project, environment, commit, ReconcileOutcome.AwaitingApproval,
                    $"{commit[..12]} needs approval: {prepared.Plan.Count(Planning.PlanAction.Create)} to create, {prepared.Plan.Count(Planning.PlanAction.Update)} to update, {prepared.Plan.Count(Planning.PlanAction.Replace)} to replace, {prepared.Plan.Count(Planning.PlanAction.Delete)} to delete; nothing applied (paas approve {project} --env {environment})");
            }

            var deployment = await deployer.ApplyAsync(prepared, $"git {commit[..12]}", allowEmpty: false, cancellationToken).ConfigureAwait(false);
            var outcome = deployment.Status switch
            {
                DeploymentStatus.Succeeded => ReconcileOutcome.Applied,
                DeploymentStatus.RolledBack => ReconcileOutcome.RolledBack,
                _ => ReconcileOutcome.Failed,
            };
            return new ReconcileResult(project, environment, commit, outcome, deployment.Error ?? $"deployed {commit[..12]}", deployment);
        }
        catch (Exception e) when (e is not TargetUnavailableException && e is PlanRefusedException or InvalidOperationException or IOException or KeyNotFoundException)
        {
            // A target that does not answer is not this commit's fault: it escapes, and the next pass tries again.
            // Recorded as a failed deployment of this commit, so it is not retried until the branch moves.
            var failed = new Deployment
            {
                Id = DeploymentIds.New(),
                Project = project,
                Environment = environment,
                Revision = commit,
                Trigger = $"git {commit[..12]}",
                Commit = tree.Info,
                PlanText = "",
                Status = DeploymentStatus.Failed,
                Error = e.Message,
                StartedAt = _hooks.Clock.GetUtcNow(),
                FinishedAt = _hooks.Clock.GetUtcNow(),
            };
            state.SaveDeployment(failed);
            _hooks.Events.Publish(new PlatformEvent(PlatformEvent.DeployFailed, project, environment, _hooks.Clock.GetUtcNow())
            {
                DeploymentId = failed.Id,
                Revision = commit,
                TargetKind = platform.Targets.TryGetValue(spec.Target, out var target) ? target.Kind : null,
                Duration = TimeSpan.Zero,
                Detail = e.Message,
            });
            return new ReconcileResult(project, environment, commit, ReconcileOutcome.Failed, e.Message, failed);
        }
    }
}
