using System.Globalization;
using System.Text.Json;
using Gitops.Engine.Crons;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure.Api;

namespace Gitops.Providers.Azure;

/// <summary>
/// A service's crons as Container Apps jobs with a schedule trigger: each runs the container the
/// service's app runs (the same image reference, plain variables, Key Vault secret references with the
/// same identity, CPU/memory), without probes, with the cron's command (the service's when it names
/// none, as on every target), one replica per run (parallelism 1, one completion), stopped after the
/// cron's timeout (<c>replicaTimeout</c>), never retried (a failed run waits for its next schedule, as
/// on a crontab). The schedule is CronFields' five plain fields, which Container Apps reads in UTC.
/// </summary>
public static class ContainerAppJobSpecs
{
    public const string Container = "cron";

    /// <summary>The service's jobs by name, from the app body it is written with (<see cref="ContainerAppSpecs.For"/>).</summary>
    public static IReadOnlyDictionary<string, (DesiredCron Cron, ContainerAppJob Job)> For(ServiceChange change, ContainerApp app, ContainerAppsOptions options)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var desired = change.Node.Desired!;
        var jobs = new SortedDictionary<string, (DesiredCron, ContainerAppJob)>(StringComparer.Ordinal);
        foreach (var cron in desired.Extras.Crons)
        {
            jobs[ContainerAppsNames.Job(change.Project, change.Environment, desired.Name, cron.Name)] = (cron, Job(change.Project, change.Environment, desired, cron, app, options));
        }

        return jobs;
    }

    public static ContainerAppJob Job(string project, string environment, DesiredService desired, DesiredCron cron, ContainerApp app, ContainerAppsOptions options)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(cron);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var fields = CronFields.Plain(cron.Schedule, out var problem)
            ?? throw new TargetRefusedException($"crons.{cron.Name}.schedule: {problem}"); // RefusalsAsync said so first
        var container = app.Properties.Template!.Containers[0];
        var job = new ContainerAppJob
        {
            Location = options.Location,
            Identity = app.Identity,
            Properties = new JobProperties
            {
                EnvironmentId = options.EnvironmentId,
                Configuration = new JobConfiguration
                {
                    TriggerType = "Schedule",
                    ReplicaTimeout = Seconds(cron.Timeout.Value),
                    ReplicaRetryLimit = 0,
                    ScheduleTriggerConfig = new ScheduleTriggerConfig(fields.ToString(), Parallelism: 1, ReplicaCompletionCount: 1),
                    Secrets = app.Properties.Configuration?.Secrets,
                },
                Template = new JobTemplate
                {
                    Containers = [container with { Name = Container, Args = (cron.Command ?? desired.Spec.Command)?.ToList(), Probes = null }],
                },
            },
        };
        return job with { Tags = ContainerAppsTags.OfJob(project, environment, desired.Name, cron.Name, desired.Fingerprint, Hash(job)) };
    }

    /// <summary>
    /// A hash of what the platform sets on a job and the portal could change (trigger, schedule,
    /// timeout, retries, the container, secrets, environment): the same for the body sent and for the
    /// job read back, whatever else Container Apps adds to its answer.
    /// </summary>
    public static string Hash(ContainerAppJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var configuration = job.Properties.Configuration;
        var schedule = configuration?.ScheduleTriggerConfig;
        var containers = (job.Properties.Template?.Containers ?? []).Select(c => new
        {
            c.Name,
            c.Image,
            c.Command,
            c.Args,
            Env = c.Env?.Select(e => $"{e.Name}={e.Value}|{e.SecretRef}"),
            Resources = c.Resources is { } r ? $"{r.Cpu.ToString(CultureInfo.InvariantCulture)}/{r.Memory}" : null,
        });
        var text = JsonSerializer.Serialize(new
        {
            job.Properties.EnvironmentId,
            configuration?.TriggerType,
            configuration?.ReplicaTimeout,
            configuration?.ReplicaRetryLimit,
            schedule?.CronExpression,
            schedule?.Parallelism,
            schedule?.ReplicaCompletionCount,
            Secrets = configuration?.Secrets?.Select(s => $"{s.Name}={s.KeyVaultUrl}|{s.Identity}"),
            Containers = containers,
        });
        return Fingerprint.Hash(text)[..16];
    }

    /// <summary>The job without what only Container Apps writes, to send back as it is (a rollback's previous job).</summary>
    public static ContainerAppJob Writable(ContainerAppJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job with { Id = null, Name = null, Properties = job.Properties with { ProvisioningState = null } };
    }

    /// <summary>What a job runs, for a step's description: <c>nightly: 0 2 * * * UTC</c>.</summary>
    public static string Describe(DesiredCron cron, ContainerAppJob job) =>
        $"cron {cron.Name}: {job.Properties.Configuration?.ScheduleTriggerConfig?.CronExpression} UTC";

    private static int Seconds(TimeSpan value) => Math.Max(1, (int)Math.Ceiling(value.TotalSeconds));
}
