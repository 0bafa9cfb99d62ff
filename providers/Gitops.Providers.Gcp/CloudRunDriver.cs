using System.Net;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;
using Microsoft.Extensions.Logging;

namespace Gitops.Providers.Gcp;

/// <summary>
/// The driver for Google Cloud Run: per paas service a Cloud Run service (one container, service-level
/// scaling, all traffic on the latest ready revision, ingress from anywhere, public to
/// <c>allUsers</c> only when the service is public: <see cref="CloudRunIngress"/>). Cloud Run makes a
/// revision per template change and rolls it out itself; the platform waits on it
/// (<see cref="CloudRunRollout"/>). An environment has no object of its own on Cloud Run: its services
/// are found by their ownership labels.
/// </summary>
public sealed partial class CloudRunDriver : ITargetDriver, IDisposable
{
    public const string KindName = "cloudrun";

    /// <summary>The journal's verbs, read back by <see cref="RecoverStepAsync"/>.</summary>
    public const string ApplyService = "apply-cloudrun-service";
    public const string DeleteService = "delete-cloudrun-service";

    /// <summary>How often a patch refused for a stale etag is read again and retried.</summary>
    private const int ConflictAttempts = 4;

    /// <summary>
    /// Cloud Run rolls out and routes (its own HTTPS URL); secrets are Secret Manager references it
    /// resolves; it scales between bounds by itself. Not offered: volumes (Cloud Run's disk is the
    /// instance's memory), gVisor (Cloud Run picks its own sandbox), placement, allowFrom (no
    /// per-service network policy) and one-off jobs. Crons are scheduled by Google: a Cloud Run job
    /// each, run by a Cloud Scheduler job (<see cref="CloudRunCrons"/>).
    /// </summary>
    public static readonly TargetCapabilities CloudRun = new()
    {
        Rollout = RolloutOwner.Target,
        Traffic = TrafficOwner.Target,
        Secrets = true,
        Autoscaling = true,
        ScalesItself = true,
        ScheduledJobs = true,
    };

    private readonly ICloudRunClient _client;
    private readonly CloudRunOptions _options;
    private readonly ILogger _log;
    private readonly IDisposable? _owned;
    private readonly CloudRunObserver _observer;

    public CloudRunDriver(ICloudRunClient client, CloudRunOptions options, ILogger log, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_client, _options, _log, _owned) = (client, options, log, owned);
        _observer = new CloudRunObserver(client);
    }

    public string Kind => KindName;

    public TargetCapabilities Capabilities => CloudRun;

    public CloudRunOptions Options => _options;

    internal ICloudRunClient Client => _client;

    internal CloudRunObserver Observer => _observer;

    /// <summary>What the kind can do but a manifest asks in a way Cloud Run cannot: refused before anything changes.</summary>
    public Task<IReadOnlyList<string>> RefusalsAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var refusals = new List<string>();
        foreach (var service in desired.Services)
        {
            var spec = service.Spec;
            void Refuse(string field, string why) => refusals.Add($"services.{service.Name}.{field}: {why}");
            if (service.Extras.Autoscale is { } autoscale && (autoscale.Cpu ?? autoscale.Memory ?? autoscale.Rps ?? autoscale.P95Ms) is not null)
            {
                var field = autoscale.Cpu is not null ? "cpu" : autoscale.Memory is not null ? "memory" : autoscale.Rps is not null ? "rps" : "p95Ms";
                Refuse($"autoscale.{field}", "a cloudrun target scales between autoscale.min and autoscale.max on Cloud Run's own measure (concurrent requests per instance), which cannot be set to a cpu, memory, rps or latency target; keep min and max only");
            }

            if (spec.Health?.Command is { Count: > 0 })
            {
                Refuse("health.command", "Cloud Run probes instances over HTTP, TCP or gRPC, never by running a command in them; give health.path instead");
            }

            if (spec.Port is null)
            {
                Refuse("port", "Cloud Run runs HTTP servers, started and kept by requests to one port; give the port the service listens on (a worker without one cannot run on a cloudrun target)");
            }

            if (spec.User is not null)
            {
                Refuse("user", "Cloud Run runs the image's own user and cannot run it as another; remove user: or deploy to a target that can");
            }

            if (spec.ReadOnly)
            {
                Refuse("readOnly", "Cloud Run cannot make an instance's file system read-only; remove readOnly: or deploy to a target that can");
            }

            if (spec.Env.ContainsKey("PORT"))
            {
                Refuse("env.PORT", "Cloud Run sets PORT itself (to the service's port) and refuses a service that sets it; remove it");
            }

            if (desired.RouteOf(service.Name) is { } route && route.Domains.Any(d => !d.EndsWith("." + CloudRunIngress.DefaultDomain, StringComparison.Ordinal)))
            {
                Refuse("domains", "a cloudrun target serves a public service at its own https://…run.app address; custom domains (Cloud Run domain mappings or a load balancer) are not built yet, so remove domains:");
            }

            foreach (var cron in service.Extras.Crons)
            {
                refusals.AddRange(CloudRunCrons.Refusals(cron));
            }

            if (spec.SecretFrom is { Count: > 0 })
            {
                refusals.Add($"services.{service.Name}: it receives secrets from a template service, which a cloudrun target cannot run; deploy template services to a docker, podman or kubernetes target");
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(refusals);
    }

    public async Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var services = await _client.ListServicesAsync(cancellationToken).ConfigureAwait(false);
            return new TargetProbe(true, $"cloud run in {_client.Parent}: {services.Count} service(s)");
        }
        catch (Exception e) when (e is GoogleApiException or HttpRequestException or TaskCanceledException or TargetException)
        {
            return new TargetProbe(false, $"cloud run in {_client.Parent}: {e.Message}");
        }
    }

    public Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        CloudRunErrors.Guard(() => _observer.ObserveAsync(project, environment, cancellationToken));

    /// <summary>Nothing to make: the project and region are the target's, and the environment's services carry its labels.</summary>
    public Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        throw new TargetRefusedException($"volume {name}: a cloudrun target keeps no volumes (an instance's disk is its memory); remove volumes: from the services of {project}/{environment}");

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IRollout> ApplyServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        CloudRunErrors.Guard(() => ApplyServiceCoreAsync(change, host, cancellationToken));

    public Task DeleteServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        CloudRunErrors.Guard(() => ServiceInstances.DeleteEachAsync(change, host, DeleteService,
            service => $"delete Cloud Run service {CloudRunNames.Service(change.Project, change.Environment, service)} and its revisions, and its crons' Cloud Scheduler and Cloud Run jobs",
            (service, t) => DeleteServiceObjectsAsync(change.Project, change.Environment, service, t), cancellationToken));

    /// <summary>An interrupted deletion is finished; anything else is left to the next plan (Cloud Run carries on with what it was told).</summary>
    public async Task<StepRecovery> RecoverStepAsync(JournalEntry step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Action != DeleteService || CloudRunNames.Parse(step.Target) is not var (project, environment, service))
        {
            return StepRecovery.Untouched;
        }

        await CloudRunErrors.Guard(() => DeleteServiceObjectsAsync(project, environment, service, cancellationToken)).ConfigureAwait(false);
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
            throw new TargetRefusedException($"services.{desired.Name}.build: the image was built on this machine and Cloud Run cannot pull it; add a registry Cloud Run can pull from (Artifact Registry) to platform.yaml (registry: {{ url: … }}) so built images reach it by digest");
        }

        var id = CloudRunNames.Service(change.Project, change.Environment, desired.Name);
        var existing = await _observer.ServiceAsync(change.Project, change.Environment, id, cancellationToken).ConfigureAwait(false);
        var body = CloudRunServices.For(change, _options); // refuses plain secret values before anything changes
        var previous = existing is null ? null : CloudRunObserver.ServingName(existing);
        var crons = await PlanCronsAsync(change, body, cancellationToken).ConfigureAwait(false); // refuses names someone else holds before anything changes
        string? operation = null;
        await host.StepAsync(
            new JournaledStep(ApplyService, CloudRunNames.Instance(change.Project, change.Environment, desired.Name), InventoryChange.Adds)
            {
                Description = $"{(existing is null ? "create" : "update")} Cloud Run service {id} ({Bounds(body.Scaling!)} instance(s))",
            },
            async t => operation = await ApplyServiceObjectsAsync(change, id, body, existing, t).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        var rollout = new CloudRunRollout(this, change, host, id, operation, previous);
        return crons.Any ? new CronsAfterRollout(rollout, t => host.StepAsync(
            new JournaledStep(ApplyCrons, CloudRunNames.Instance(change.Project, change.Environment, desired.Name)) { Description = Describe(crons) },
            s => CloudRunErrors.Guard(() => WriteCronsAsync(change.Project, change.Environment, crons, s)),
            t)) : rollout;
    }

    /// <summary>Creates the service, or patches it whole (whatever was changed outside goes back); the operation's name.</summary>
    private async Task<string?> ApplyServiceObjectsAsync(ServiceChange change, string id, RunService body, RunService? existing, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            try
            {
                var created = await _client.CreateServiceAsync(id, body, cancellationToken).ConfigureAwait(false);
                Log.Applied(_log, id, "created");
                return created.Name;
            }
            catch (GoogleApiException e) when (e.Status == HttpStatusCode.Conflict && e.Code == "ALREADY_EXISTS")
            {
                // Made by an apply that died before it was journaled done (or by someone else: refused below).
                existing = await _observer.ServiceAsync(change.Project, change.Environment, id, cancellationToken).ConfigureAwait(false);
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            existing ??= await _observer.ServiceAsync(change.Project, change.Environment, id, cancellationToken).ConfigureAwait(false)
                ?? throw new TargetConflictException($"Cloud Run service {id} disappeared while it was being changed");
            try
            {
                var patched = await _client.UpdateServiceAsync(id, body with { Etag = existing.Etag }, cancellationToken).ConfigureAwait(false);
                Log.Applied(_log, id, "patched");
                return patched.Name;
            }
            catch (GoogleApiException e) when (e.Conflict && attempt < ConflictAttempts)
            {
                Log.StaleEtag(_log, id, attempt);
                existing = null; // someone changed it first: read it again
            }
        }
    }

    /// <summary>All traffic on one revision (a rollback), with the service's current etag.</summary>
    internal async Task PinTrafficAsync(string project, string environment, string id, string revision, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await _observer.ServiceAsync(project, environment, id, cancellationToken).ConfigureAwait(false)
                ?? throw new TargetConflictException($"Cloud Run service {id} disappeared during its rollback");
            try
            {
                var operation = await _client.UpdateServiceAsync(id, Writable(existing) with { Traffic = [new TrafficTarget(TrafficTarget.ToRevision, 100, revision)] }, cancellationToken).ConfigureAwait(false);
                await WaitAsync(operation.Name, cancellationToken).ConfigureAwait(false);
                Log.Pinned(_log, id, revision);
                return;
            }
            catch (GoogleApiException e) when (e.Conflict && attempt < ConflictAttempts)
            {
                Log.StaleEtag(_log, id, attempt);
            }
        }
    }

    /// <summary>The service, when it is the environment's; already gone is success.</summary>
    internal async Task DeleteServiceObjectsAsync(string project, string environment, string service, CancellationToken cancellationToken)
    {
        var id = CloudRunNames.Service(project, environment, service);
        var found = await _observer.ServiceAsync(project, environment, id, cancellationToken).ConfigureAwait(false);
        await DeleteCronsOfAsync(project, environment, service, found, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return;
        }

        if (await _client.DeleteServiceAsync(id, cancellationToken).ConfigureAwait(false) is { } operation)
        {
            await WaitAsync(operation.Name, cancellationToken).ConfigureAwait(false);
        }

        Log.Deleted(_log, id);
    }

    /// <summary>Polls an operation until it is done (its error, if any, thrown as a refusal).</summary>
    private async Task WaitAsync(string operation, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(_options.RolloutTimeoutSeconds);
        while (true)
        {
            var state = await _client.GetOperationAsync(operation, cancellationToken).ConfigureAwait(false);
            if (state.Done)
            {
                if (state.Error is { } error)
                {
                    throw new TargetRefusedException($"Cloud Run operation {operation} failed: {error.Message}");
                }

                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TargetUnavailableException($"Cloud Run operation {operation} did not finish in {_options.RolloutTimeoutSeconds} s");
            }

            await Task.Delay(_options.Poll.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The service without what only Cloud Run writes, to send back as it is.</summary>
    private static RunService Writable(RunService service) =>
        service with { Uri = null, LatestReadyRevision = null, LatestCreatedRevision = null, TerminalCondition = null, TrafficStatuses = null, Reconciling = null };

    private static string Bounds(ServiceScaling scaling) =>
        scaling.MinInstanceCount == scaling.MaxInstanceCount ? $"{scaling.MinInstanceCount}" : $"{scaling.MinInstanceCount}-{scaling.MaxInstanceCount}";

    private static partial class Log
    {
        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Cloud Run service {Service} {What}")]
        public static partial void Applied(ILogger logger, string service, string what);

        [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Cloud Run service {Service}: all traffic put back on revision {Revision}")]
        public static partial void Pinned(ILogger logger, string service, string revision);

        [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Cloud Run service {Service} deleted")]
        public static partial void Deleted(ILogger logger, string service);

        [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Cloud Run service {Service} changed under the platform (stale etag, attempt {Attempt}): reading it again")]
        public static partial void StaleEtag(ILogger logger, string service, int attempt);
    }
}
