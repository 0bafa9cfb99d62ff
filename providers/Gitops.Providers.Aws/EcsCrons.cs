using System.Globalization;
using System.Text.RegularExpressions;
using Gitops.Engine.Desired;
using Gitops.Engine.Planning;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws.Api;
using Gitops.Schema.Model;
using Schedule = Gitops.Providers.Aws.Api.Schedule;

namespace Gitops.Providers.Aws;

/// <summary>
/// A service's crons as EventBridge Scheduler runs them: per environment a schedule group (tagged
/// with the ownership tags: schedules cannot carry tags, their group does); per cron a task
/// definition family of its own (the service's revision with the cron's command, no port, no health
/// check) and a schedule in the group that runs one Fargate task of it (flexible window off, no
/// retries: a failed run waits for its next time, as on a crontab). A schedule's description names
/// its cron and service; the service's ECS tags keep a hash of each schedule as the platform set it
/// (<c>paas.cron.NAME</c>), so a schedule changed or deleted outside the platform is drift.
/// </summary>
internal sealed partial class EcsCrons(IEcsClient ecs, ISchedulerClient scheduler, EcsOptions options)
{
    /// <summary>The prefix of the service's tags that keep each cron's schedule as set.</summary>
    public const string TagPrefix = "paas.cron.";

    /// <summary>The crons one service can have: ECS keeps 50 tags on a service, and the platform's own (<see cref="EcsTags.Of"/>) come first.</summary>
    public static readonly int MostCrons = 50 - EcsTags.Of("p", "e", "s", "f", 1).Count;

    /// <summary>The tag that marks a task the platform first saw running without ECS's startedAt (moto sets none).</summary>
    public const string RunningSince = "paas.running-since";

    /// <summary>What ECS on EventBridge Scheduler cannot do as a cron asks it, each naming the field and the fix.</summary>
    public static IEnumerable<string> Refusals(DesiredService service, EcsOptions options)
    {
        if (service.Extras.Crons.Count > MostCrons)
        {
            yield return $"services.{service.Name}: {service.Extras.Crons.Count} crons run {service.Name}'s image, and an ecs target keeps each cron's schedule as one tag of the ECS service, which holds at most 50 tags ({50 - MostCrons} are the platform's own); give at most {MostCrons} crons to one service on an ecs target";
        }

        foreach (var cron in service.Extras.Crons)
        {
            if (EcsCronExpressions.For(cron.Schedule, out var problem) is null)
            {
                yield return $"crons.{cron.Name}.schedule: {problem}";
            }

            if (cron.Concurrency != CronConcurrency.Allow)
            {
                yield return $"crons.{cron.Name}.concurrency: an ecs target's crons are started by EventBridge Scheduler, which starts every due run even while the previous one still runs, so '{cron.Concurrency.ToString().ToLowerInvariant()}' cannot be kept; write concurrency: allow (or make the command skip a run itself)";
            }

            if (cron.TimeZone is { } zone && !(TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) && found.HasIanaId))
            {
                // The manifest's check also accepts Windows names (Romance Standard Time); EventBridge Scheduler reads IANA names only.
                yield return $"crons.{cron.Name}.timeZone: '{zone}' is not an IANA time zone name, the only kind EventBridge Scheduler reads; write one such as Europe/Paris, or leave it out for UTC";
            }

            if (string.IsNullOrWhiteSpace(options.SchedulerRole))
            {
                yield return $"crons.{cron.Name}: an ecs target runs crons with EventBridge Scheduler, which needs an IAM role to start their tasks; set schedulerRole: (the role's ARN) on the target in platform.yaml";
            }
        }
    }

    /// <summary>
    /// Each desired cron's revision and schedule (created, or updated when it differs), then the
    /// schedules of this service no longer desired are deleted with their families. Returns the
    /// service's cron tags (each schedule's hash as set).
    /// </summary>
    public async Task<Dictionary<string, string>> ApplyAsync(ServiceChange change, RegisterTaskDefinitionRequest service, Func<RegisterTaskDefinitionRequest, string, CancellationToken, Task<string>> revisionOf, CancellationToken cancellationToken)
    {
        var desired = change.Node.Desired!;
        var (project, environment) = (change.Project, change.Environment);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var group = EcsNames.ScheduleGroup(project, environment);
        if (desired.Extras.Crons.Count > 0)
        {
            await EnsureGroupAsync(project, environment, cancellationToken).ConfigureAwait(false);
        }
        else if (!await OwnsGroupAsync(project, environment, cancellationToken).ConfigureAwait(false))
        {
            return tags; // no crons, and never had any here
        }

        var cluster = await ecs.DescribeClusterAsync(options.Cluster!, cancellationToken).ConfigureAwait(false)
            ?? throw new TargetConflictException($"ECS cluster {options.Cluster} does not exist: the environment makes it before its crons");
        foreach (var cron in desired.Extras.Crons)
        {
            var request = Definition(change, service, cron);
            var revision = await revisionOf(request, EcsTags.Map(request.Tags)[Labels.Fingerprint], cancellationToken).ConfigureAwait(false);
            var wanted = ScheduleOf(project, environment, desired.Name, cron, revision, cluster.ClusterArn);
            var existing = await scheduler.GetScheduleAsync(group, wanted.Name, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                try
                {
                    await scheduler.CreateScheduleAsync(wanted, cancellationToken).ConfigureAwait(false);
                }
                catch (AwsApiException e) when (e.Code == "ConflictException")
                {
                    // A retried create whose first answer was lost: the schedule is there, so it is set as wanted.
                    await scheduler.UpdateScheduleAsync(wanted, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (Signature(existing) != Signature(wanted))
            {
                await scheduler.UpdateScheduleAsync(wanted, cancellationToken).ConfigureAwait(false); // whatever was changed outside goes back
            }

            tags[TagPrefix + cron.Name] = Hash(wanted);
        }

        var keep = desired.Extras.Crons.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        await DeleteAsync(project, environment, desired.Name, keep, cancellationToken).ConfigureAwait(false);
        return tags;
    }

    /// <summary>The schedules of a service (all, or those not in <paramref name="keep"/>), and their families' owned revisions.</summary>
    public async Task DeleteAsync(string project, string environment, string service, IReadOnlySet<string>? keep, CancellationToken cancellationToken)
    {
        if (!await OwnsGroupAsync(project, environment, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var group = EcsNames.ScheduleGroup(project, environment);
        foreach (var summary in await scheduler.ListSchedulesAsync(group, cancellationToken).ConfigureAwait(false))
        {
            var schedule = await scheduler.GetScheduleAsync(group, summary.Name, cancellationToken).ConfigureAwait(false);
            if (schedule is null || Marked(schedule.Description) is not var (cron, of) || of != service || keep?.Contains(cron) == true
                || schedule.Name != EcsNames.Schedule(project, environment, cron))
            {
                continue;
            }

            await scheduler.DeleteScheduleAsync(group, schedule.Name, cancellationToken).ConfigureAwait(false);
            var family = EcsNames.CronFamily(project, environment, cron);
            foreach (var revision in await ecs.ListTaskDefinitionsAsync(family, cancellationToken).ConfigureAwait(false))
            {
                if (EcsTags.Owned((await ecs.DescribeTaskDefinitionAsync(revision, cancellationToken).ConfigureAwait(false))?.Tags, project, environment))
                {
                    await ecs.DeregisterTaskDefinitionAsync(revision, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The service's schedules as they are before an apply, so a version that is rolled back takes its crons' changes with it.</summary>
    public async Task<IReadOnlyList<Schedule>> SnapshotAsync(string project, string environment, string service, CancellationToken cancellationToken)
    {
        if (!await OwnsGroupAsync(project, environment, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        var group = EcsNames.ScheduleGroup(project, environment);
        var schedules = new List<Schedule>();
        foreach (var summary in await scheduler.ListSchedulesAsync(group, cancellationToken).ConfigureAwait(false))
        {
            if (await scheduler.GetScheduleAsync(group, summary.Name, cancellationToken).ConfigureAwait(false) is { } schedule
                && Marked(schedule.Description) is var (cron, of) && of == service && schedule.Name == EcsNames.Schedule(project, environment, cron))
            {
                schedules.Add(schedule);
            }
        }

        return schedules;
    }

    /// <summary>
    /// Puts a service's schedules back as <paramref name="before"/> had them (each on the cron revision
    /// it ran, which stays registered): crons made since are deleted with their families. Returns the
    /// service's cron tags for them.
    /// </summary>
    public async Task<Dictionary<string, string>> RestoreAsync(string project, string environment, string service, IReadOnlyList<Schedule> before, CancellationToken cancellationToken)
    {
        var keep = before.Select(s => Marked(s.Description)!.Value.Cron).ToHashSet(StringComparer.Ordinal);
        await DeleteAsync(project, environment, service, keep, cancellationToken).ConfigureAwait(false);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var schedule in before)
        {
            var wanted = schedule with { Arn = null };
            if (await scheduler.GetScheduleAsync(wanted.GroupName!, wanted.Name, cancellationToken).ConfigureAwait(false) is null)
            {
                await scheduler.CreateScheduleAsync(wanted, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await scheduler.UpdateScheduleAsync(wanted, cancellationToken).ConfigureAwait(false);
            }

            tags[TagPrefix + Marked(schedule.Description)!.Value.Cron] = Hash(schedule);
        }

        return tags;
    }

    /// <summary>The environment's schedule group (and its schedules), when it is the environment's.</summary>
    public async Task RemoveGroupAsync(string project, string environment, CancellationToken cancellationToken)
    {
        if (await OwnsGroupAsync(project, environment, cancellationToken).ConfigureAwait(false))
        {
            await scheduler.DeleteScheduleGroupAsync(EcsNames.ScheduleGroup(project, environment), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Each cron the service's tags say the platform scheduled, whose schedule is gone or not as it was set.</summary>
    public async Task<List<FieldChange>> DriftAsync(string project, string environment, IReadOnlyDictionary<string, string> serviceTags, CancellationToken cancellationToken)
    {
        var drift = new List<FieldChange>();
        foreach (var (key, set) in serviceTags.Where(t => t.Key.StartsWith(TagPrefix, StringComparison.Ordinal)).OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var cron = key[TagPrefix.Length..];
            var name = EcsNames.Schedule(project, environment, cron);
            var live = await scheduler.GetScheduleAsync(EcsNames.ScheduleGroup(project, environment), name, cancellationToken).ConfigureAwait(false);
            if (live is null)
            {
                drift.Add(new FieldChange($"crons.{cron}", $"schedule {name} deleted in EventBridge Scheduler", $"schedule {name}"));
            }
            else if (Hash(live) != set)
            {
                drift.Add(new FieldChange($"crons.{cron}", $"schedule {name} changed outside the platform: {live.ScheduleExpression} {live.ScheduleExpressionTimezone} {live.State}", "as the platform set it"));
            }
        }

        return drift;
    }

    /// <summary>
    /// The runs of each cron past its timeout are stopped, with a reason naming the cron and its timeout.
    /// A run is timed from ECS's startedAt; one running without it (moto sets none) from when the
    /// platform first saw it running, kept as a tag on the task so a restarted server times it alike.
    /// </summary>
    public async Task<IReadOnlyList<StoppedJob>> StopOverdueAsync(string project, string environment, IReadOnlyList<DesiredCron> crons, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stopped = new List<StoppedJob>();
        foreach (var cron in crons)
        {
            var family = EcsNames.CronFamily(project, environment, cron.Name);
            var arns = await ecs.ListFamilyTasksAsync(options.Cluster!, family, cancellationToken).ConfigureAwait(false);
            var tasks = arns.Count == 0 ? [] : await ecs.DescribeTasksAsync(options.Cluster!, arns, cancellationToken).ConfigureAwait(false);
            foreach (var task in tasks.Where(t => t.DesiredStatus == "RUNNING" && t.LastStatus == "RUNNING" && EcsClient.FamilyOf(t.TaskDefinitionArn) == family))
            {
                if (!EcsTags.Owned((await ecs.DescribeTaskDefinitionAsync(task.TaskDefinitionArn, cancellationToken).ConfigureAwait(false))?.Tags, project, environment))
                {
                    continue; // a revision of that family that is not the environment's: never stopped
                }

                var since = await StartedAsync(task, now, cancellationToken).ConfigureAwait(false);
                if (now - since < cron.Timeout.Value)
                {
                    continue;
                }

                var reason = $"paas: cron {cron.Name} ran past its timeout of {cron.Timeout}";
                await ecs.StopTaskAsync(options.Cluster!, task.TaskArn, reason, cancellationToken).ConfigureAwait(false);
                stopped.Add(new StoppedJob(cron.Name, $"task {task.TaskArn[(task.TaskArn.LastIndexOf('/') + 1)..]} stopped: it ran past its timeout of {cron.Timeout}"));
            }
        }

        return stopped;
    }

    private async Task<DateTimeOffset> StartedAsync(EcsTask task, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (task.StartedAt is { } started)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(started * 1000));
        }

        if (EcsTags.Map(task.Tags).TryGetValue(RunningSince, out var seen) && long.TryParse(seen, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        await ecs.TagResourceAsync(task.TaskArn, [new Tag(RunningSince, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))], cancellationToken).ConfigureAwait(false);
        return now;
    }

    private async Task EnsureGroupAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var group = EcsNames.ScheduleGroup(project, environment);
        var tags = await scheduler.GetScheduleGroupTagsAsync(group, cancellationToken).ConfigureAwait(false);
        if (tags is null)
        {
            await scheduler.CreateScheduleGroupAsync(group, EcsTags.Of(project, environment), cancellationToken).ConfigureAwait(false);
        }
        else if (Ownership.Refusal("EventBridge Scheduler schedule group", group, EcsTags.Map(tags), project, environment) is { } refusal)
        {
            throw new TargetConflictException(refusal);
        }
    }

    private async Task<bool> OwnsGroupAsync(string project, string environment, CancellationToken cancellationToken) =>
        await scheduler.GetScheduleGroupTagsAsync(EcsNames.ScheduleGroup(project, environment), cancellationToken).ConfigureAwait(false) is { } tags
        && EcsTags.Owned(tags, project, environment);

    /// <summary>The service's revision as the cron's own family: its command, no port, no health check, logs under <c>cron-NAME</c>.</summary>
    private static RegisterTaskDefinitionRequest Definition(ServiceChange change, RegisterTaskDefinitionRequest service, DesiredCron cron)
    {
        var desired = change.Node.Desired!;
        var command = cron.Command ?? desired.Spec.Command;
        var fingerprint = Fingerprint.Hash($"{desired.Fingerprint}\n{string.Join('\0', command?.AsEnumerable() ?? [])}\n{command is null}");
        var container = service.ContainerDefinitions[0];
        var labels = new Dictionary<string, string>(container.DockerLabels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [Labels.Cron] = cron.Name,
            [Labels.Fingerprint] = fingerprint,
        };
        var tags = EcsTags.Of(change.Project, change.Environment, desired.Name, fingerprint);
        tags.Add(new Tag(Labels.Cron, cron.Name));
        var logs = container.LogConfiguration is { } log
            ? log with { Options = new Dictionary<string, string>(log.Options, StringComparer.Ordinal) { ["awslogs-stream-prefix"] = $"cron-{cron.Name}" } }
            : null;
        return service with
        {
            Family = EcsNames.CronFamily(change.Project, change.Environment, cron.Name),
            Tags = tags,
            ContainerDefinitions = [container with { Command = command?.ToList(), PortMappings = null, HealthCheck = null, DockerLabels = labels, LogConfiguration = logs }],
        };
    }

    private Schedule ScheduleOf(string project, string environment, string service, DesiredCron cron, string revision, string clusterArn) => new()
    {
        Name = EcsNames.Schedule(project, environment, cron.Name),
        GroupName = EcsNames.ScheduleGroup(project, environment),
        ScheduleExpression = EcsCronExpressions.For(cron.Schedule, out _)!,
        ScheduleExpressionTimezone = cron.TimeZone ?? "UTC",
        FlexibleTimeWindow = new FlexibleTimeWindow("OFF"),
        State = "ENABLED",
        Description = $"paas cron {cron.Name} of service {service} ({project}/{environment}); made by paas, changes here are put back",
        Target = new ScheduleTarget
        {
            Arn = clusterArn,
            RoleArn = options.SchedulerRole!,
            RetryPolicy = new RetryPolicy(0),
            EcsParameters = new EcsParameters
            {
                TaskDefinitionArn = revision,
                Group = EcsNames.CronTaskGroup(cron.Name),
                NetworkConfiguration = new SchedulerNetworkConfiguration(new SchedulerAwsVpcConfiguration(options.Subnets, options.SecurityGroups, options.AssignPublicIp ? "ENABLED" : "DISABLED")),
            },
        },
    };

    /// <summary>What the platform sets of a schedule, in one line: a live schedule compared with it shows a change made outside.</summary>
    private static string Signature(Schedule schedule)
    {
        var ecsParameters = schedule.Target?.EcsParameters;
        var network = ecsParameters?.NetworkConfiguration?.AwsvpcConfiguration;
        return string.Join('\n',
            schedule.ScheduleExpression,
            schedule.ScheduleExpressionTimezone ?? "UTC",
            schedule.FlexibleTimeWindow.Mode,
            schedule.State ?? "ENABLED",
            schedule.Description ?? "",
            schedule.Target?.Arn ?? "",
            schedule.Target?.RoleArn ?? "",
            schedule.Target?.RetryPolicy?.MaximumRetryAttempts.ToString(CultureInfo.InvariantCulture) ?? "",
            ecsParameters?.TaskDefinitionArn ?? "",
            ecsParameters?.TaskCount.ToString(CultureInfo.InvariantCulture) ?? "",
            ecsParameters?.LaunchType ?? "",
            ecsParameters?.Group ?? "",
            ecsParameters?.PropagateTags ?? "",
            string.Join(',', network?.Subnets ?? []),
            string.Join(',', network?.SecurityGroups ?? []),
            network?.AssignPublicIp ?? "");
    }

    private static string Hash(Schedule schedule) => Fingerprint.Hash(Signature(schedule))[..16];

    /// <summary>(cron, service) a schedule's description names.</summary>
    private static (string Cron, string Service)? Marked(string? description) =>
        description is not null && Mark().Match(description) is { Success: true } m ? (m.Groups[1].Value, m.Groups[2].Value) : null;

    [GeneratedRegex(@"^paas cron (\S+) of service (\S+) ")]
    private static partial Regex Mark();
}
