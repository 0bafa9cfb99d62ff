using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws.Api;
using Microsoft.Extensions.Logging;

namespace Gitops.Providers.Aws;

/// <summary>
/// The driver for AWS ECS on Fargate: per paas service a task definition revision and an ECS
/// service (FARGATE, awsvpc, deployment circuit breaker with rollback, minimum healthy 100 %), a
/// target group and host-header rule on the target's ALB listener when public, an Application
/// Auto Scaling target and policy for <c>autoscale</c>; per environment a CloudWatch Logs group;
/// per cron a task definition family and an EventBridge Scheduler schedule (<see cref="EcsCrons"/>),
/// whose runs past their timeout the server's cron worker has stopped (<see cref="IScheduledJobTimeouts"/>).
/// ECS rolls a service out itself; the platform waits on it (<see cref="EcsRollout"/>).
/// </summary>
public sealed partial class EcsDriver : ITargetDriver, IScheduledJobTimeouts, IDisposable
{
    public const string KindName = "ecs";

    /// <summary>The journal's verbs, read back by <see cref="RecoverStepAsync"/>.</summary>
    public const string ApplyService = "apply-ecs-service";
    public const string DeleteService = "delete-ecs-service";

    /// <summary>
    /// ECS rolls out and the ALB routes; secrets are references ECS resolves (Secrets Manager, SSM);
    /// Application Auto Scaling scales. Not offered: volumes (no EFS support here), gVisor (Fargate
    /// chooses its own isolation), placement, allowFrom (security groups are the target's, not per
    /// service) and one-off jobs. Crons are scheduled by EventBridge Scheduler (ScheduledJobs), so the
    /// platform's own scheduler leaves them alone.
    /// </summary>
    public static readonly TargetCapabilities Ecs = new()
    {
        Rollout = RolloutOwner.Target,
        Traffic = TrafficOwner.Target,
        Secrets = true,
        UserNames = true,
        Autoscaling = true,
        ScalesItself = true,
        ScheduledJobs = true,
    };

    private readonly IEcsClient _ecs;
    private readonly IElbClient _elb;
    private readonly IScalingClient _scaling;
    private readonly ILogsClient _logs;
    private readonly EcsOptions _options;
    private readonly string _region;
    private readonly ILogger _log;
    private readonly IDisposable? _owned;
    private readonly EcsObserver _observer;
    private readonly EcsRouting _routing;
    private readonly EcsCrons _crons;

    public EcsDriver(IEcsClient ecs, IElbClient elb, IScalingClient scaling, ILogsClient logs, ISchedulerClient scheduler, EcsOptions options, string region, ILogger log, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_ecs, _elb, _scaling, _logs, _options, _region, _log, _owned) = (ecs, elb, scaling, logs, options, region, log, owned);
        _crons = new EcsCrons(ecs, scheduler, options);
        _observer = new EcsObserver(ecs, logs, options, _crons);
        _routing = new EcsRouting(elb, options);
        if (options.TrustsRunningTasks)
        {
            Log.TrustingRunningTasks(log, options.Cluster ?? "");
        }
    }

    public string Kind => KindName;

    public TargetCapabilities Capabilities => Ecs;

    public EcsOptions Options => _options;

    internal IEcsClient Ecs_ => _ecs;

    internal EcsObserver Observer => _observer;

    internal EcsRouting Routing => _routing;

    internal ILogger Logger => _log;

    /// <summary>What the kind can do but a manifest asks in a way ECS cannot: refused before anything changes.</summary>
    public Task<IReadOnlyList<string>> RefusalsAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var refusals = new List<string>();
        foreach (var service in desired.Services)
        {
            if (service.Extras.Autoscale is { } autoscale && (autoscale.P95Ms is not null || autoscale.Rps is not null))
            {
                refusals.Add($"services.{service.Name}.autoscale.{(autoscale.P95Ms is not null ? "p95Ms" : "rps")}: an ecs target scales with Application Auto Scaling on cpu and memory here; use autoscale.cpu or autoscale.memory");
            }

            if (desired.RouteOf(service.Name) is not null && _options.LoadBalancerListener is null)
            {
                refusals.Add($"services.{service.Name}.public: an ecs target routes public services through an Application Load Balancer listener, and this target has none; set loadBalancerListener: on the target in platform.yaml, or make the service private");
            }

            refusals.AddRange(EcsCrons.Refusals(service, _options));
            if (service.Spec.SecretFrom is { Count: > 0 })
            {
                refusals.Add($"services.{service.Name}: it receives secrets from a template service, which an ecs target cannot run; deploy template services to a docker, podman or kubernetes target");
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(refusals);
    }

    public async Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var cluster = await _ecs.DescribeClusterAsync(_options.Cluster!, cancellationToken).ConfigureAwait(false);
            return new TargetProbe(true, cluster is null
                ? $"ecs in {_region}: cluster {_options.Cluster} does not exist yet (made on the first apply)"
                : $"ecs in {_region}: cluster {cluster.ClusterName} ({cluster.Status})");
        }
        catch (Exception e) when (e is AwsApiException or HttpRequestException or TaskCanceledException)
        {
            return new TargetProbe(false, $"ecs in {_region}: {e.Message}");
        }
    }

    public Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        AwsErrors.Guard(() => _observer.ObserveAsync(project, environment, cancellationToken));

    /// <summary>The cluster (made when missing: CreateCluster is idempotent) and the environment's log group.</summary>
    public Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        AwsErrors.Guard(async () =>
        {
            if (await _ecs.DescribeClusterAsync(_options.Cluster!, cancellationToken).ConfigureAwait(false) is null)
            {
                await _ecs.CreateClusterAsync(_options.Cluster!, [new Tag(Labels.Managed, "true")], cancellationToken).ConfigureAwait(false);
            }

            var group = EcsNames.LogGroup(project, environment);
            var tags = await _logs.DescribeLogGroupTagsAsync(group, cancellationToken).ConfigureAwait(false);
            if (tags is not null && Ownership.Refusal("log group", group, tags.ToDictionary(), project, environment) is { } refusal)
            {
                throw new TargetConflictException(refusal);
            }

            await _logs.CreateLogGroupAsync(group, Labels.For(project, environment), _options.LogRetentionDays, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>The environment's log group, when it is the environment's (the cluster is the target's, shared).</summary>
    public Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken) =>
        AwsErrors.Guard(async () =>
        {
            if (EcsNames.ParseEnvironment(name) is not var (project, environment))
            {
                return;
            }

            await _crons.RemoveGroupAsync(project, environment, cancellationToken).ConfigureAwait(false);
            var group = EcsNames.LogGroup(project, environment);
            if (await _logs.DescribeLogGroupTagsAsync(group, cancellationToken).ConfigureAwait(false) is { } tags && Ownership.Owns(tags.ToDictionary(), project, environment))
            {
                await _logs.DeleteLogGroupAsync(group, cancellationToken).ConfigureAwait(false);
            }
        });

    public Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        throw new TargetRefusedException($"volume {name}: an ecs target keeps no volumes (Fargate's storage is the task's own); remove volumes: from the services of {project}/{environment}");

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IRollout> ApplyServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        AwsErrors.Guard(() => ApplyServiceCoreAsync(change, host, cancellationToken));

    public Task DeleteServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken) =>
        AwsErrors.Guard(() => ServiceInstances.DeleteEachAsync(change, host, DeleteService,
            service => $"delete ECS service {EcsNames.Service(change.Project, change.Environment, service)}, its task definitions, target group, scaling and cron schedules",
            (service, t) => DeleteServiceObjectsAsync(change.Project, change.Environment, service, t), cancellationToken));

    /// <summary>An interrupted deletion is finished; anything else is left to the next plan (ECS carries on with what it was told).</summary>
    public async Task<StepRecovery> RecoverStepAsync(JournalEntry step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Action != DeleteService || EcsNames.Parse(step.Target) is not var (project, environment, service))
        {
            return StepRecovery.Untouched;
        }

        await AwsErrors.Guard(() => DeleteServiceObjectsAsync(project, environment, service, cancellationToken)).ConfigureAwait(false);
        return StepRecovery.Finished;
    }

    public void Dispose() => _owned?.Dispose();

    /// <summary>
    /// A route made after its service (a service's first apply, or one made public later): the target
    /// group and rule, then the ECS service names the target group (UpdateService can change load
    /// balancers of a rolling service), so ECS registers its tasks there.
    /// </summary>
    internal async Task AttachRouteAsync(string project, string environment, string service, DesiredRoute route, CancellationToken cancellationToken)
    {
        var name = EcsNames.Service(project, environment, service);
        var existing = await _observer.ServiceAsync(project, environment, name, cancellationToken).ConfigureAwait(false)
            ?? throw new TargetConflictException($"ECS service {name} does not exist: its route is made after it");
        var (path, interval) = await HealthOfAsync(existing, cancellationToken).ConfigureAwait(false);
        var group = await _routing.EnsureAsync(project, environment, route, service, path, interval, cancellationToken).ConfigureAwait(false);
        if (!existing.LoadBalancers.Any(b => b.TargetGroupArn == group && b.ContainerPort == route.Port))
        {
            await _ecs.UpdateServiceAsync(new UpdateServiceRequest
            {
                Cluster = _options.Cluster!,
                Service = name,
                LoadBalancers = [new LoadBalancer(group, EcsTaskDefinitions.Container, route.Port)],
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The service stops naming its target group first (a target group in use cannot be deleted), then the rule and target group go.</summary>
    internal async Task DetachRouteAsync(string project, string environment, string service, CancellationToken cancellationToken)
    {
        var name = EcsNames.Service(project, environment, service);
        if (await _observer.ServiceAsync(project, environment, name, cancellationToken).ConfigureAwait(false) is { LoadBalancers.Count: > 0 })
        {
            await _ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = _options.Cluster!, Service = name, LoadBalancers = [] }, cancellationToken).ConfigureAwait(false);
        }

        await _routing.RemoveAsync(project, environment, service, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The health path and interval of the revision the service runs (its check probes http://127.0.0.1:PORT/PATH), for the target group's check.</summary>
    private async Task<(string? Path, int Interval)> HealthOfAsync(Service existing, CancellationToken cancellationToken)
    {
        var described = await _ecs.DescribeTaskDefinitionAsync(existing.TaskDefinition, cancellationToken).ConfigureAwait(false);
        var check = described?.TaskDefinition.ContainerDefinitions is [{ HealthCheck: { } given }, ..] ? given : null;
        var path = check?.Command is [.., var probe] && Uri.TryCreate(probe, UriKind.Absolute, out var uri) && uri.Scheme == "http" ? uri.AbsolutePath : null;
        return (path, check?.Interval ?? 30);
    }

    private async Task<IRollout> ApplyServiceCoreAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(host);
        var desired = change.Node.Desired ?? throw new ArgumentException($"{change.Node.Id} has no desired spec: delete it instead", nameof(change));
        if (desired.RunImage.StartsWith(Names.BuiltImagePrefix, StringComparison.Ordinal))
        {
            throw new TargetRefusedException($"services.{desired.Name}.build: the image was built on this machine and Fargate cannot pull it; add a registry Fargate can pull from (ECR) to platform.yaml (registry: {{ url: … }}) so built images reach it by digest");
        }

        var name = EcsNames.Service(change.Project, change.Environment, desired.Name);
        var existing = await _observer.ServiceAsync(change.Project, change.Environment, name, cancellationToken).ConfigureAwait(false);
        var request = EcsTaskDefinitions.For(change, _options, _region); // refuses plain secret values before anything changes
        var cronsBefore = existing is null ? [] : await _crons.SnapshotAsync(change.Project, change.Environment, desired.Name, cancellationToken).ConfigureAwait(false);
        string revision = "";
        await host.StepAsync(
            new JournaledStep(ApplyService, EcsNames.Instance(change.Project, change.Environment, desired.Name), InventoryChange.Adds)
            {
                Description = $"{(existing is null ? "create" : "update")} ECS service {name} ({desired.Replicas} task(s)) on a task definition revision of {request.Family}{CronObjects(change)}",
            },
            async t => revision = await ApplyServiceObjectsAsync(change, request, existing, t).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        Func<CancellationToken, Task>? restoreCrons = existing is not null && (cronsBefore.Count > 0 || desired.Extras.Crons.Count > 0)
            ? t => RestoreCronsAsync(change.Project, change.Environment, desired.Name, existing.ServiceArn, cronsBefore, t)
            : null;
        return new EcsRollout(this, change, host, name, revision, existing?.TaskDefinition, restoreCrons);
    }

    /// <summary>A rolled-back version's crons go back with it: the schedules as they were, and the service's cron tags for them (else they would read as drift).</summary>
    private async Task RestoreCronsAsync(string project, string environment, string service, string serviceArn, IReadOnlyList<Api.Schedule> before, CancellationToken cancellationToken)
    {
        var tags = await _crons.RestoreAsync(project, environment, service, before, cancellationToken).ConfigureAwait(false);
        var live = await _observer.ServiceAsync(project, environment, EcsNames.Service(project, environment, service), cancellationToken).ConfigureAwait(false);
        if (tags.Count > 0)
        {
            await _ecs.TagResourceAsync(serviceArn, [.. tags.Select(t => new Tag(t.Key, t.Value))], cancellationToken).ConfigureAwait(false);
        }

        var stale = live?.Tags.Select(t => t.Key).Where(k => k.StartsWith(EcsCrons.TagPrefix, StringComparison.Ordinal) && !tags.ContainsKey(k)).ToList() ?? [];
        if (stale.Count > 0)
        {
            await _ecs.UntagResourceAsync(serviceArn, stale, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The task definition revision (reused when the newest already has the fingerprint), the route, the service, its scaling.</summary>
    private async Task<string> ApplyServiceObjectsAsync(ServiceChange change, RegisterTaskDefinitionRequest request, Service? existing, CancellationToken cancellationToken)
    {
        var desired = change.Node.Desired!;
        var revision = await EnsureRevisionAsync(request, desired.Fingerprint, cancellationToken).ConfigureAwait(false);
        var balancers = change.Node.Route is { } route && desired.Spec.Port is { } port
            ? [new LoadBalancer(await _routing.EnsureAsync(change.Project, change.Environment, route, desired, cancellationToken).ConfigureAwait(false), EcsTaskDefinitions.Container, port)]
            : new List<LoadBalancer>();
        var autoscaled = desired.Extras.Autoscale is not null;
        var name = request.Family;
        var deployment = new DeploymentConfiguration(new DeploymentCircuitBreaker(Enable: true, Rollback: true), MaximumPercent: 200, MinimumHealthyPercent: 100);
        var network = new NetworkConfiguration(new AwsVpcConfiguration(_options.Subnets, _options.SecurityGroups, _options.AssignPublicIp ? "ENABLED" : "DISABLED"));
        var tags = EcsTags.Of(change.Project, change.Environment, desired.Name, desired.Fingerprint, autoscaled ? null : desired.Replicas);
        var cronTags = await _crons.ApplyAsync(change, request, EnsureRevisionAsync, cancellationToken).ConfigureAwait(false);
        tags.AddRange(cronTags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new Tag(t.Key, t.Value)));
        Service service;
        if (existing is null)
        {
            service = await _ecs.CreateServiceAsync(new CreateServiceRequest
            {
                Cluster = _options.Cluster!,
                ServiceName = name,
                TaskDefinition = revision,
                DesiredCount = desired.Extras.Autoscale?.Min ?? desired.Replicas,
                NetworkConfiguration = network,
                DeploymentConfiguration = deployment,
                LoadBalancers = balancers.Count > 0 ? balancers : null,
                HealthCheckGracePeriodSeconds = balancers.Count > 0 ? GracePeriod(desired) : null,
                ClientToken = Fingerprint.Hash($"{name}\n{revision}")[..32],
                Tags = tags,
            }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // The whole configuration is sent as the platform wants it: whatever was changed outside goes back.
            service = await _ecs.UpdateServiceAsync(new UpdateServiceRequest
            {
                Cluster = _options.Cluster!,
                Service = name,
                TaskDefinition = revision,
                DesiredCount = autoscaled ? null : desired.Replicas, // Application Auto Scaling owns an autoscaled count
                NetworkConfiguration = network,
                DeploymentConfiguration = deployment,
                LoadBalancers = balancers,
                HealthCheckGracePeriodSeconds = balancers.Count > 0 ? GracePeriod(desired) : null,
            }, cancellationToken).ConfigureAwait(false);
            await _ecs.TagResourceAsync(existing.ServiceArn, tags, cancellationToken).ConfigureAwait(false);
            var stale = existing.Tags.Select(t => t.Key).Where(k => k.StartsWith(EcsCrons.TagPrefix, StringComparison.Ordinal) && !cronTags.ContainsKey(k)).ToList();
            if (stale.Count > 0)
            {
                await _ecs.UntagResourceAsync(existing.ServiceArn, stale, cancellationToken).ConfigureAwait(false);
            }
        }

        var resource = EcsNames.ScalingResource(_options.Cluster!, name);
        if (desired.Extras.Autoscale is { } autoscale)
        {
            await _scaling.RegisterScalableTargetAsync(resource, autoscale.Min, autoscale.Max, cancellationToken).ConfigureAwait(false);
            if (autoscale.Cpu is { } cpu)
            {
                await _scaling.PutTargetTrackingPolicyAsync(resource, $"{name}-cpu", "ECSServiceAverageCPUUtilization", cpu, cancellationToken).ConfigureAwait(false);
            }

            if (autoscale.Memory is { } memory)
            {
                await _scaling.PutTargetTrackingPolicyAsync(resource, $"{name}-memory", "ECSServiceAverageMemoryUtilization", memory, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (change.Node.Changes.Any(c => c.Field == "autoscale"))
        {
            await _scaling.DeregisterScalableTargetAsync(resource, cancellationToken).ConfigureAwait(false);
        }

        if (change.Node.Route is null)
        {
            await _routing.RemoveAsync(change.Project, change.Environment, desired.Name, cancellationToken).ConfigureAwait(false);
        }

        Log.Applied(_log, service.ServiceName, revision);
        return revision;
    }

    /// <summary>
    /// The newest ACTIVE revision of the family when it is this fingerprint's and the environment's
    /// (an apply retried after a crash registers nothing twice); else a new revision.
    /// </summary>
    private async Task<string> EnsureRevisionAsync(RegisterTaskDefinitionRequest request, string fingerprint, CancellationToken cancellationToken)
    {
        var revisions = await _ecs.ListTaskDefinitionsAsync(request.Family, cancellationToken).ConfigureAwait(false);
        var newest = revisions.Count > 0 ? revisions[0] : null;
        if (newest is not null && await _ecs.DescribeTaskDefinitionAsync(newest, cancellationToken).ConfigureAwait(false) is { } described)
        {
            var tags = EcsTags.Map(described.Tags);
            var container = described.TaskDefinition.ContainerDefinitions.Count > 0 ? described.TaskDefinition.ContainerDefinitions[0] : null;
            if (tags.GetValueOrDefault(Labels.Fingerprint) == fingerprint && container?.Image == request.ContainerDefinitions[0].Image
                && request.Tags is { } wanted && EcsTags.Owned(described.Tags, EcsTags.Map(wanted)[Labels.Project], EcsTags.Map(wanted)[Labels.Environment]))
            {
                return described.TaskDefinition.TaskDefinitionArn;
            }
        }

        return (await _ecs.RegisterTaskDefinitionAsync(request, cancellationToken).ConfigureAwait(false)).TaskDefinitionArn;
    }

    /// <summary>The service (scaled to nothing, then deleted), its scaling, its route and every revision of its family.</summary>
    internal async Task DeleteServiceObjectsAsync(string project, string environment, string service, CancellationToken cancellationToken)
    {
        var name = EcsNames.Service(project, environment, service);
        var existing = await _observer.ServiceAsync(project, environment, name, cancellationToken).ConfigureAwait(false);
        await _scaling.DeregisterScalableTargetAsync(EcsNames.ScalingResource(_options.Cluster!, name), cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            await _ecs.DeleteServiceAsync(_options.Cluster!, name, cancellationToken).ConfigureAwait(false);
        }

        await _routing.RemoveAsync(project, environment, service, cancellationToken).ConfigureAwait(false);
        await _crons.DeleteAsync(project, environment, service, keep: null, cancellationToken).ConfigureAwait(false);
        foreach (var revision in await _ecs.ListTaskDefinitionsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            if (EcsTags.Owned((await _ecs.DescribeTaskDefinitionAsync(revision, cancellationToken).ConfigureAwait(false))?.Tags, project, environment))
            {
                await _ecs.DeregisterTaskDefinitionAsync(revision, cancellationToken).ConfigureAwait(false);
            }
        }

        Log.Deleted(_log, name);
    }

    public Task<IReadOnlyList<StoppedJob>> StopOverdueAsync(string project, string environment, IReadOnlyList<DesiredCron> crons, DateTimeOffset now, CancellationToken cancellationToken) =>
        AwsErrors.Guard(() => _crons.StopOverdueAsync(project, environment, crons, now, cancellationToken));

    /// <summary>The cron objects an apply writes, for its journaled step's description.</summary>
    private static string CronObjects(ServiceChange change)
    {
        var crons = change.Node.Desired!.Extras.Crons;
        var removed = change.Node.Changes.Where(c => c.Field.StartsWith("cron ", StringComparison.Ordinal) && c.After is null).Select(c => c.Field["cron ".Length..]).ToList();
        var written = crons.Count == 0
            ? ""
            : $"; crons {string.Join(", ", crons.Select(c => c.Name))}: EventBridge Scheduler schedules {string.Join(", ", crons.Select(c => EcsNames.Schedule(change.Project, change.Environment, c.Name)))} in group {EcsNames.ScheduleGroup(change.Project, change.Environment)}, each on a task definition revision of its own family";
        return removed.Count == 0 ? written : $"{written}; delete the schedules of crons {string.Join(", ", removed)} and their families";
    }

    /// <summary>Time the load balancer's failing checks are ignored after a task starts: the service's start period, at least its checks' worth.</summary>
    private static int GracePeriod(DesiredService desired) =>
        desired.Spec.Health is { } health ? (int)Math.Max(health.StartPeriod.Value.TotalSeconds, health.Interval.Value.TotalSeconds * (health.Retries + 1)) : 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "ecs target (cluster {Cluster}): settle is running-tasks-test-only, so a rollout counts as done once its tasks run, without ECS's own rolloutState; never use it against AWS")]
        public static partial void TrustingRunningTasks(ILogger logger, string cluster);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "ECS service {Service} now runs task definition {Revision}")]
        public static partial void Applied(ILogger logger, string service, string revision);

        [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "ECS service {Service} deleted")]
        public static partial void Deleted(ILogger logger, string service);
    }
}
