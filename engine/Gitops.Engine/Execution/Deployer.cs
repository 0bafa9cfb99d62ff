using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Images;
using Gitops.Engine.Ingress;
using Gitops.Engine.Planning;
using Gitops.Engine.Scaling;
using Gitops.Engine.Secrets;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Engine.Templates;
using Gitops.Schema.Model;

namespace Gitops.Engine.Execution;

/// <summary>A plan and what applying it needs: the build contexts of the images it names.</summary>
public sealed record PreparedPlan(Plan Plan, DesiredState Desired, IReadOnlyDictionary<string, (BuildContextFiles Context, BuildSpec Build)> Builds, string? Tree = null)
{
    /// <summary>The autoscaler's change of replica counts, not a new version: rollbacks and the loop's failed-commit check look past it.</summary>
    public bool Autoscaled { get; init; }

    /// <summary>A restart by hand or the health check's repair: the same version's replicas replaced by fresh ones, not a new version either.</summary>
    public bool Restart { get; init; }

    /// <summary>The Git commit's message, author and time, carried to the deployment (a rollback or a scale keeps the one it runs again).</summary>
    public CommitInfo? Commit { get; init; }
}

/// <summary>Applying refused before anything ran: a stale saved plan, or one that deletes every service.</summary>
public sealed class PlanRefusedException(string message) : Exception(message);

/// <summary>
/// The flow for one environment, top-down like a reconciler: recover interrupted applies →
/// read build inputs → compile → observe → plan; then, to apply: check the plan is current →
/// build missing images → execute. The same steps serve the CLI now and the server later.
/// </summary>
/// <param name="registry">Where builds are pushed to run by digest (platform.yaml's <c>registry:</c>); null keeps them on the target.</param>
public sealed class Deployer(ITargetDriver driver, IImageBuilder images, StateStore state, ISecretSource secrets, IProgress<ExecutorEvent> progress, IProgress<string> buildLog, IIngress? ingress = null, ExecutionHooks? hooks = null, PushRegistry? registry = null)
{
    private readonly ExecutionHooks _hooks = hooks ?? ExecutionHooks.FromEnvironment();

    public async Task<PreparedPlan> PlanAsync(ISourceTree tree, Manifest manifest, string environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(manifest);
        var builds = ReadBuildInputs(tree, manifest);
        Func<string, string?>? othersInRegistry = registry is null ? null : image => registry.Refusal(image, manifest.Project);
        var refused = builds.SelectMany(b => DockerfileImages.Refusals(b.Value.Context, b.Value.Build, othersInRegistry))
            .Concat(manifest.Services.Where(s => s.Value.Image is not null).Select(s => othersInRegistry?.Invoke(s.Value.Image!) is { } why ? $"services.{s.Key}.image: {why}" : null).OfType<string>())
            .ToList();
        if (refused.Count > 0)
        {
            throw new PlanRefusedException(string.Join(Environment.NewLine, refused)); // before anything is built or run
        }

        var tags = builds.ToDictionary(b => b.Key, b => Names.BuiltImage(manifest.Project, b.Key, b.Value.Context.InputsHash), StringComparer.Ordinal);
        var revision = tree.Commit ?? Revision(manifest, tags);
        var observed = await ObserveAsync(manifest.Project, environment, cancellationToken).ConfigureAwait(false);
        var templates = TemplateCatalogue.Load(state.DataDirectory);
        EnsureTemplateSecrets(manifest, environment, templates);
        var inputs = new CompileInputs(tags, secrets.Versions(manifest.Project, environment))
        {
            Templates = templates,
            BaseDomain = ingress?.BaseDomain,
            OwnedVolumes = observed.Volumes,
            Restarts = new Operations.RestartRecords(state).Of(manifest.Project, environment),
        };
        var compiled = Compiler.Compile(manifest, environment, revision, inputs);
        if (compiled.State is not { } compiledState)
        {
            throw new PlanRefusedException(string.Join(Environment.NewLine, compiled.Errors));
        }

        var desired = new ScaleRecords(state).Apply(compiledState); // a commit never undoes the autoscaler's count

        await RefuseWhatTheTargetCannotDoAsync(desired, cancellationToken).ConfigureAwait(false); // nothing the target cannot do is accepted and left out
        RefuseUnknownBackupDestinations(desired);

        if (new DomainClaims(state).Conflict(desired, ingress?.BaseDomain) is { } taken)
        {
            throw new PlanRefusedException(taken); // another environment's traffic is never taken over
        }

        var plan = Planner.Plan(desired, observed, state.Recorded(desired.Project, desired.Environment));
        return new PreparedPlan(plan, desired, builds, tree.Tree) { Commit = tree.Info };
    }

    /// <summary>A backup to a destination platform.yaml does not declare would never run: refused at the plan.</summary>
    private void RefuseUnknownBackupDestinations(DesiredState desired)
    {
        var wanted = desired.Services.Where(s => s.Extras.Backup is not null).ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        var known = new Backups.BackupDestinations(PlatformConfig.Load(state.DataDirectory).Backups, state.DataDirectory, new SecretStore(state)).Names.ToList();
        var unknown = wanted.Where(s => !known.Contains(s.Extras.Backup!.To)).Select(s => $"services.{s.Name}.backup.to: no backup destination '{s.Extras.Backup!.To}' on this platform; destinations: {string.Join(", ", known)} (declare it under backups: in platform.yaml)").ToList();
        if (unknown.Count > 0)
        {
            throw new PlanRefusedException(string.Join(Environment.NewLine, unknown));
        }
    }

    /// <summary>
    /// A template service's credentials are generated the first time its environment is planned
    /// (once; a later plan finds them), so the plan shows the versions the apply will give.
    /// </summary>
    private void EnsureTemplateSecrets(Manifest manifest, string environment, TemplateCatalogue templates)
    {
        var errors = new List<string>();
        var expansion = TemplateExpander.Expand(manifest, templates, errors);
        if (errors.Count == 0 && expansion.Stored.Count > 0)
        {
            foreach (var generated in TemplateCredentials.Ensure(secrets, manifest.Project, environment, expansion.Stored))
            {
                buildLog.Report($"template secret {generated} stored for {manifest.Project}/{environment} (value never shown)");
            }
        }
    }

    /// <summary>
    /// The plan that brings back what an earlier deployment applied: its exact images and
    /// configuration (policy is checked again when its containers are created).
    /// </summary>
    public async Task<PreparedPlan> PlanRollbackAsync(Deployment target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var recorded = target.Desired ?? throw new PlanRefusedException($"deployment {target.Id} kept no record of what it applied (it predates rollback support)");
        var desired = recorded with { Network = Names.Network(recorded.Project, recorded.Environment) }; // it may predate the current names
        desired = new ScaleRecords(state).Apply(desired); // at the scale the autoscaler set
        await RefuseWhatTheTargetCannotDoAsync(desired, cancellationToken).ConfigureAwait(false); // the environment may have moved to another kind of target since

        var observed = await ObserveAsync(desired.Project, desired.Environment, cancellationToken).ConfigureAwait(false);
        var plan = Planner.Plan(desired, observed, state.Recorded(desired.Project, desired.Environment));
        return new PreparedPlan(plan, desired, new Dictionary<string, (BuildContextFiles, BuildSpec)>(), target.Tree) { Commit = target.Commit };
    }

    /// <summary>
    /// The plan that runs what runs now (the last successful deployment's exact images and
    /// configuration) at other replica counts: the autoscaler's change, started first and health
    /// checked, or drained before it stops, like any other.
    /// </summary>
    public Task<PreparedPlan> PlanScaleAsync(string project, string environment, IReadOnlyDictionary<string, int> replicas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        return PlanRunningAsync(project, environment, "scale", d => ScaleRecords.WithReplicas(d, replicas), autoscaled: true, cancellationToken);
    }

    /// <summary>
    /// The plan that brings what runs back to what the last deployment applied, as it is (the health check's
    /// repair after it removed a failing replica): the missing replica started first and health-checked.
    /// </summary>
    public Task<PreparedPlan> PlanRepairAsync(string project, string environment, CancellationToken cancellationToken) =>
        PlanRunningAsync(project, environment, "repair", d => new ScaleRecords(state).Apply(d), autoscaled: false, cancellationToken);

    /// <summary>What runs now (the last successful deployment's exact images and configuration), changed by <paramref name="change"/>, planned against what the target runs.</summary>
    private async Task<PreparedPlan> PlanRunningAsync(string project, string environment, string what, Func<DesiredState, DesiredState> change, bool autoscaled, CancellationToken cancellationToken)
    {
        var running = state.LastSucceeded(project, environment) is { Desired: { } applied } last && applied.Revision != "destroy" ? last
            : throw new PlanRefusedException($"{project}/{environment} runs no deployment to {what}");
        var desired = change(running.Desired! with { Network = Names.Network(project, environment) });
        await RefuseWhatTheTargetCannotDoAsync(desired, cancellationToken).ConfigureAwait(false);
        var observed = await ObserveAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var plan = Planner.Plan(desired, observed, state.Recorded(project, environment));
        return new PreparedPlan(plan, desired, new Dictionary<string, (BuildContextFiles, BuildSpec)>(), running.Tree) { Autoscaled = autoscaled, Restart = !autoscaled, Commit = running.Commit };
    }

    /// <summary>
    /// The plan that replaces <paramref name="service"/>'s replicas with fresh ones of what runs now
    /// (<c>paas restart</c>): its spec stamped <paramref name="restarted"/>, so its fingerprint changes and
    /// the target rolls it out as it rolls out any change (start-first and health-checked on the container family).
    /// </summary>
    public Task<PreparedPlan> PlanRestartAsync(string project, string environment, string service, string restarted, CancellationToken cancellationToken) =>
        PlanRunningAsync(project, environment, "restart", d => new ScaleRecords(state).Apply(d with
        {
            Services = new ValueList<DesiredService>(d.Services.Select(s => s.Name != service ? s : s with
            {
                Spec = s.Spec with { Restarted = restarted },
                Fingerprint = Fingerprint.Of(s.Spec with { Restarted = restarted }),
            })),
        }), autoscaled: false, cancellationToken);

    public async Task<PreparedPlan> PlanDestroyAsync(string project, string environment, bool volumes, CancellationToken cancellationToken)
    {
        var observed = await ObserveAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var plan = Planner.Destroy(project, environment, observed, state.Recorded(project, environment), volumes);
        var empty = new DesiredState(project, environment, plan.Revision, Names.Network(project, environment), ValueList<string>.Empty, ValueList<DesiredService>.Empty);
        return new PreparedPlan(plan, empty, new Dictionary<string, (BuildContextFiles, BuildSpec)>());
    }

    /// <summary>
    /// Settles applies that died mid-way. Run it before planning an apply: it may remove replicas
    /// that never passed their health check, and the plan must see the world after that.
    /// </summary>
    public Task<int> RecoverAsync(string project, string environment, CancellationToken cancellationToken) =>
        new Recovery(driver, state, progress, _hooks.Clock).RecoverAsync(project, environment, cancellationToken);

    public async Task<Deployment> ApplyAsync(PreparedPlan prepared, string trigger, bool allowEmpty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var plan = prepared.Plan;
        var current = state.Recorded(plan.Project, plan.Environment).Version;
        if (current != plan.StateVersion)
        {
            throw new PlanRefusedException($"the plan is stale: it was made at state version {plan.StateVersion}, the state is now at {current}; plan again");
        }

        if (plan.DeletesEverything && !allowEmpty && plan.Revision != "destroy")
        {
            throw new PlanRefusedException("the plan deletes every service of the environment; pass --allow-empty if that is what you want");
        }

        if (plan.Revision != "destroy")
        {
            new DomainClaims(state).Claim(prepared.Desired, ingress?.BaseDomain); // before anything is built or started
        }

        // The deployment exists before the build: its build output is part of its log, and the
        // API and the UI show it running (with that log, live) while the build runs.
        var deployment = new Deployment
        {
            Id = DeploymentIds.New(),
            Project = plan.Project,
            Environment = plan.Environment,
            Revision = plan.Revision,
            Trigger = trigger,
            PlanText = PlanText.Render(plan),
            Tree = prepared.Tree,
            Commit = prepared.Commit,
            StartedAt = _hooks.Clock.GetUtcNow(),
            Desired = plan.Revision == "destroy" ? null : prepared.Desired,
            Autoscaled = prepared.Autoscaled,
            Restart = prepared.Restart,
        };
        var log = new DeploymentLog(state, deployment.Id, progress, buildLog);
        Publish(PlatformEvent.DeployStarted, deployment);
        if (plan.Nodes.Any(n => n.Start.Count > 0))
        {
            state.SaveDeployment(deployment);
        }

        PreparedImages ready;
        try
        {
            ready = await new ImagePreparation(images, new RegistryLogins(state), registry).RunAsync(prepared, log, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // Nothing has started yet: the running version is untouched; the failure is a deployment in the history.
            var failed = deployment with { Status = DeploymentStatus.Failed, Error = e.Message, FinishedAt = _hooks.Clock.GetUtcNow() };
            state.SaveDeployment(failed);
            log.Report(new ExecutorEvent("build", false, e.Message, TimeSpan.Zero));
            return Finished(failed);
        }

        // The target runs each image by its digest, and the deployment records it (a rollback runs the same bytes).
        (plan, var pinned) = ImagePreparation.Pin(plan, prepared.Desired, ready.Pinned);
        deployment = deployment with { Images = ready.Built, Desired = plan.Revision == "destroy" ? null : pinned };
        var applied = await new Executor(driver, state, secrets, log, ingress, _hooks).ApplyAsync(plan, deployment, cancellationToken).ConfigureAwait(false);
        if (applied.Status == DeploymentStatus.Succeeded)
        {
            // Names stop being this environment's only once it no longer routes them.
            if (plan.Revision == "destroy")
            {
                new DomainClaims(state).Release(plan.Project, plan.Environment);
            }
            else
            {
                new DomainClaims(state).Keep(prepared.Desired);
            }
        }

        return Finished(applied);
    }

    /// <summary>What the target's kind cannot do, then what this target as it is set up cannot (a runtime not installed).</summary>
    private async Task RefuseWhatTheTargetCannotDoAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        if (CapabilityCheck.Refusals(desired, driver) is { Count: > 0 } unsupported)
        {
            throw new PlanRefusedException(string.Join(Environment.NewLine, unsupported));
        }

        if (await driver.RefusalsAsync(desired, cancellationToken).ConfigureAwait(false) is { Count: > 0 } lacking)
        {
            throw new PlanRefusedException(string.Join(Environment.NewLine, lacking));
        }
    }

    /// <summary>Tells the event sink how the deployment ended (succeeded, failed, rolled back) and how long it took.</summary>
    private Deployment Finished(Deployment deployment)
    {
        Publish(deployment.Status switch
        {
            DeploymentStatus.Succeeded => PlatformEvent.DeploySucceeded,
            DeploymentStatus.RolledBack => PlatformEvent.DeployRolledBack,
            _ => PlatformEvent.DeployFailed,
        }, deployment);
        return deployment;
    }

    private void Publish(string name, Deployment deployment) =>
        _hooks.Events.Publish(new PlatformEvent(name, deployment.Project, deployment.Environment, _hooks.Clock.GetUtcNow())
        {
            DeploymentId = deployment.Id,
            Revision = deployment.Revision,
            TargetKind = driver.Kind,
            Duration = deployment.FinishedAt - deployment.StartedAt,
            Detail = deployment.Error,
        });

    /// <summary>What the engine runs, and what the ingress routes for the environment.</summary>
    private async Task<Observed.ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var observed = await driver.ObserveAsync(project, environment, cancellationToken).ConfigureAwait(false);
        return ingress is null
            ? observed
            : observed with { Routes = new ValueList<Observed.ObservedRoute>(await ingress.ObserveAsync(project, environment, cancellationToken).ConfigureAwait(false)) };
    }

    private static Dictionary<string, (BuildContextFiles Context, BuildSpec Build)> ReadBuildInputs(ISourceTree tree, Manifest manifest) =>
        manifest.Services
            .Where(s => s.Value.Build is not null)
            .ToDictionary(s => s.Key, s => (tree.BuildContext(s.Value.Build!), s.Value.Build!), StringComparer.Ordinal);

    /// <summary>A local apply's revision: the hash of the effective manifest and the image inputs.</summary>
    private static string Revision(Manifest manifest, Dictionary<string, string> tags) =>
        "local-" + Fingerprint.Hash(StateJson.Write(manifest) + string.Join(",", tags.Select(t => t.Value)))[..12].ToString(CultureInfo.InvariantCulture);
}
