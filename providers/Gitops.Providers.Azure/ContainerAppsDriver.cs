using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure.Api;
using Microsoft.Extensions.Logging;

namespace Gitops.Providers.Azure;

/// <summary>
/// The driver for Azure Container Apps: per paas service a container app in the target's managed
/// environment (Single revision mode, ingress for a service with a port, external only when public,
/// Key Vault secret references, scale bounds and rules). Container Apps makes a revision per template
/// change and moves traffic to it once it is ready; the platform waits on it
/// (<see cref="ContainerAppsRollout"/>). An environment has no object of its own: its apps are found
/// by their ownership tags. A service's crons are Container Apps jobs with a schedule trigger, which
/// Container Apps starts itself (<see cref="ContainerAppJobSpecs"/>).
/// </summary>
public sealed partial class ContainerAppsDriver : ITargetDriver, IDisposable
{
    public const string KindName = "containerapps";

    /// <summary>The journal's verbs, read back by <see cref="RecoverStepAsync"/>.</summary>
    public const string ApplyService = "apply-containerapp";
    public const string DeleteService = "delete-containerapp";

    /// <summary>How often a PUT refused for a stale etag is read again and retried.</summary>
    private const int ConflictAttempts = 4;

    /// <summary>
    /// Container Apps rolls out and routes (its own HTTPS host name); secrets are Key Vault references it
    /// resolves; it scales between bounds by itself. Not offered: volumes (Azure Files mounts are not
    /// built), gVisor (Container Apps picks its own isolation), placement, allowFrom (no per-app network
    /// policy), user names and one-off jobs. Crons are scheduled by Container Apps (jobs with a schedule
    /// trigger), so the platform's own scheduler leaves them alone.
    /// </summary>
    public static readonly TargetCapabilities ContainerApps = new()
    {
        Rollout = RolloutOwner.Target,
        Traffic = TrafficOwner.Target,
        Secrets = true,
        Autoscaling = true,
        ScalesItself = true,
        ScheduledJobs = true,
    };

    private readonly IContainerAppsClient _client;
    private readonly ContainerAppsOptions _options;
    private readonly ILogger _log;
    private readonly IDisposable? _owned;
    private readonly ContainerAppsObserver _observer;

    public ContainerAppsDriver(IContainerAppsClient client, ContainerAppsOptions options, ILogger log, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_client, _options, _log, _owned) = (client, options, log, owned);
        _observer = new ContainerAppsObserver(client);
    }

    public string Kind => KindName;

    public TargetCapabilities Capabilities => ContainerApps;

    public ContainerAppsOptions Options => _options;

    internal IContainerAppsClient Client => _client;

    internal ContainerAppsObserver Observer => _observer;

    /// <summary>What the kind can do but a manifest asks in a way Container Apps cannot: refused before anything changes.</summary>
    public Task<IReadOnlyList<string>> RefusalsAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var refusals = new List<string>();
        foreach (var service in desired.Services)
        {
            var spec = service.Spec;
            void Refuse(string field, string why) => refusals.Add($"services.{service.Name}.{field}: {why}");
            if (service.Extras.Autoscale?.P95Ms is not null)
            {
                Refuse("autoscale.p95Ms", "a containerapps target scales on concurrent requests (autoscale.rps), cpu or memory; Container Apps has no latency scaler, so use one of those");
            }

            if (spec.Health?.Command is { Count: > 0 })
            {
                Refuse("health.command", "Container Apps probes replicas over HTTP or TCP, never by running a command in them; give health.path instead");
            }

            if (spec.User is not null)
            {
                Refuse("user", "Container Apps runs the image's own user and cannot run it as another; remove user: or deploy to a target that can");
            }

            if (spec.ReadOnly)
            {
                Refuse("readOnly", "Container Apps cannot make a replica's file system read-only; remove readOnly: or deploy to a target that can");
            }

            if (desired.RouteOf(service.Name) is { } route && route.Domains.Any(d => !d.EndsWith("." + ContainerAppsIngress.DefaultDomain, StringComparison.Ordinal)))
            {
                Refuse("domains", "a containerapps target serves a public service at its own https://…azurecontainerapps.io address; custom domains (with their certificates) are not built yet, so remove domains:");
            }

            if (spec.SecretFrom is { Count: > 0 })
            {
                refusals.Add($"services.{service.Name}: it receives secrets from a template service, which a containerapps target cannot run; deploy template services to a docker, podman or kubernetes target");
            }

            refusals.AddRange(CronRefusals(service));
        }

        return Task.FromResult<IReadOnlyList<string>>(refusals);
    }

    public async Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var apps = await _client.ListAsync(cancellationToken).ConfigureAwait(false);
            return new TargetProbe(true, $"container apps in {_client.ResourceGroup}: {apps.Count} app(s)");
        }
        catch (Exception e) when (e is ArmApiException or HttpRequestException or TaskCanceledException or TargetException)
        {
            return new TargetProbe(false, $"container apps in {_client.ResourceGroup}: {e.Message}");
        }
    }

    public Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        ContainerAppsErrors.Guard(() => _observer.ObserveAsync(project, environment, cancellationToken));

    /// <summary>Nothing to make: the resource group and managed environment are the target's, and the environment's apps carry its tags.</summary>
    public Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        throw new TargetRefusedException($"volume {name}: a containerapps target keeps no volumes (Azure Files mounts are not built); remove volumes: from the services of {project}/{environment}");

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IRollout> ApplyServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        ContainerAppsErrors.Guard(() => ApplyServiceCoreAsync(change, host, cancellationToken));

    public Task DeleteServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        ContainerAppsErrors.Guard(async () =>
        {
            ArgumentNullException.ThrowIfNull(change);
            ArgumentNullException.ThrowIfNull(host);
            foreach (var instance in change.Node.Remove.Distinct(StringComparer.Ordinal))
            {
                // An instance name is read back for its service only: the environment is the change's, never the name's.
                if (ContainerAppsNames.Parse(instance) is not var (project, environment, service) || project != change.Project || environment != change.Environment)
                {
                    throw new TargetRefusedException($"'{instance}' is not an instance of {change.Project}/{change.Environment}; nothing was deleted");
                }

                await host.StepAsync(new JournaledStep(DeleteService, instance, InventoryChange.Removes) { Description = $"delete container app {ContainerAppsNames.App(project, environment, service)}, its revisions and its crons' container apps jobs" },
                    t => DeleteAppAsync(project, environment, service, t), cancellationToken).ConfigureAwait(false);
            }
        });

    /// <summary>An interrupted deletion is finished; anything else is left to the next plan (Container Apps carries on with what it was told).</summary>
    public async Task<StepRecovery> RecoverStepAsync(JournalEntry step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Action != DeleteService || ContainerAppsNames.Parse(step.Target) is not var (project, environment, service))
        {
            return StepRecovery.Untouched;
        }

        await ContainerAppsErrors.Guard(() => DeleteAppAsync(project, environment, service, cancellationToken)).ConfigureAwait(false);
        return StepRecovery.Finished;
    }

    public void Dispose() => _owned?.Dispose();

    private async Task<IRollout> ApplyServiceCoreAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(host);
        var desired = change.Node.Desired ?? throw new ArgumentException($"{change.Node.Id} has no desired spec: delete it instead", nameof(change));
        if (desired.RunImage.StartsWith(Names.BuiltImagePrefix, StringComparison.Ordinal))
        {
            throw new TargetRefusedException($"services.{desired.Name}.build: the image was built on this machine and Container Apps cannot pull it; add a registry Container Apps can pull from (Azure Container Registry) to platform.yaml (registry: {{ url: … }}) so built images reach it by digest");
        }

        var name = ContainerAppsNames.App(change.Project, change.Environment, desired.Name);
        var existing = await _observer.AppAsync(change.Project, change.Environment, name, cancellationToken).ConfigureAwait(false);
        var body = ContainerAppSpecs.For(change, _options, external: change.Node.Route is not null); // refuses plain secret values before anything changes
        var previous = existing is { App: var app } && app.Properties.LatestReadyRevisionName is not null ? Writable(app) : null;
        var crons = await PlanJobsAsync(change, body, existing?.App, cancellationToken).ConfigureAwait(false); // refuses a job of another's before anything changes
        string? operation = null;
        await host.StepAsync(
            new JournaledStep(ApplyService, ContainerAppsNames.Instance(change.Project, change.Environment, desired.Name), InventoryChange.Adds)
            {
                Description = $"{(existing is null ? "create" : "update")} container app {name} ({Bounds(body.Properties.Template!.Scale!)} replica(s))",
            },
            async t => operation = await PutAsync(change.Project, change.Environment, name, body, existing is null, t).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        await ApplyJobsAsync(change, crons, host, cancellationToken).ConfigureAwait(false);
        return new ContainerAppsRollout(this, change, host, name, operation, previous, crons.Before);
    }

    /// <summary>
    /// Creates the app, or replaces it whole with the etag it was read with (whatever was changed outside
    /// goes back; a writer in between makes it read again); the async operation's URL.
    /// </summary>
    internal async Task<string?> PutAsync(string project, string environment, string name, ContainerApp body, bool create, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string? etag = null;
            if (!create || attempt > 1)
            {
                var current = await _observer.AppAsync(project, environment, name, cancellationToken).ConfigureAwait(false);
                etag = current?.ETag;
                create = current is null;
            }

            try
            {
                var (_, operation) = await _client.PutAsync(name, body, create ? null : etag ?? "*", cancellationToken).ConfigureAwait(false);
                Log.Applied(_log, name, create ? "created" : "replaced");
                return operation;
            }
            catch (ArmApiException e) when (e.Conflict && attempt < ConflictAttempts)
            {
                Log.StaleEtag(_log, name, attempt); // someone changed (or made) it first: read it again
            }
        }
    }

    /// <summary>The app and its crons' jobs, when they are the environment's; already gone is success.</summary>
    internal async Task DeleteAppAsync(string project, string environment, string service, CancellationToken cancellationToken)
    {
        var name = ContainerAppsNames.App(project, environment, service);
        if ((await _observer.AppAsync(project, environment, name, cancellationToken).ConfigureAwait(false))?.App is not { } app)
        {
            return; // its jobs went before it
        }

        await DeleteJobsAsync(project, environment, service, app, cancellationToken).ConfigureAwait(false);

        if (await _client.DeleteAsync(name, cancellationToken).ConfigureAwait(false) is { } operation)
        {
            var done = await WaitAsync(operation, cancellationToken).ConfigureAwait(false);
            if (done.Status != "Succeeded")
            {
                throw new TargetRefusedException($"deleting container app {name} {done.Status?.ToLowerInvariant()}: {done.Error?.Message ?? "no message"}");
            }
        }

        Log.Deleted(_log, name);
    }

    /// <summary>Polls an async operation until it is done (or the rollout's timeout passes: then it is reported in progress).</summary>
    internal async Task<AsyncOperation> WaitAsync(string operation, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(_options.RolloutTimeoutSeconds);
        while (true)
        {
            var state = await _client.GetOperationAsync(operation, cancellationToken).ConfigureAwait(false);
            if (state.Done || DateTimeOffset.UtcNow > deadline)
            {
                return state;
            }

            await Task.Delay(_options.Poll.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The app without what only Container Apps writes, to send back as it is (a rollback's previous spec).</summary>
    internal static ContainerApp Writable(ContainerApp app) => app with
    {
        Id = null,
        Name = null,
        Properties = app.Properties with
        {
            ProvisioningState = null,
            LatestRevisionName = null,
            LatestReadyRevisionName = null,
            LatestRevisionFqdn = null,
            Configuration = app.Properties.Configuration is { } configuration
                ? configuration with { Ingress = configuration.Ingress is { } ingress ? ingress with { Fqdn = null } : null }
                : null,
        },
    };

    private static string Bounds(AppScale scale) =>
        scale.MinReplicas == scale.MaxReplicas ? $"{scale.MinReplicas}" : $"{scale.MinReplicas}-{scale.MaxReplicas}";

    private static partial class Log
    {
        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "container app {App} {What}")]
        public static partial void Applied(ILogger logger, string app, string what);

        [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "container app {App} deleted")]
        public static partial void Deleted(ILogger logger, string app);

        [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "container app {App} changed under the platform (stale etag, attempt {Attempt}): reading it again")]
        public static partial void StaleEtag(ILogger logger, string app, int attempt);
    }
}
