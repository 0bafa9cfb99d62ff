using System.Globalization;
using System.Text.Json;
using Gitops.Engine.Crons;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;
using Gitops.Schema.Model;

namespace Gitops.Providers.Gcp;

/// <summary>
/// A service's crons as Cloud Run sees them: per cron a Cloud Run job (the service's container, the
/// cron's command as its args, one task, no retry: a failed run waits for its next schedule, as on a
/// crontab) and a Cloud Scheduler job that POSTs the job's <c>:run</c> on the schedule, in the
/// cron's time zone, signed as the scheduler's service account. The Cloud Run job carries the
/// ownership labels (Cloud Scheduler jobs have none) and, in <c>paas/applied</c>, what the platform
/// set on both, which drift is measured against.
/// </summary>
public static class CloudRunCrons
{
    /// <summary>Cloud Run's longest task timeout (7 days).</summary>
    public static readonly TimeSpan MostTimeout = TimeSpan.FromDays(7);

    /// <summary>What Cloud Scheduler reads a cron without a time zone in.</summary>
    public const string Utc = "Etc/UTC";

    /// <summary>Each cron field Cloud Run cannot honour, as <c>crons.NAME.field: why; the fix</c>.</summary>
    public static IEnumerable<string> Refusals(DesiredCron cron)
    {
        ArgumentNullException.ThrowIfNull(cron);
        if (CronFields.Plain(cron.Schedule, out var problem) is null)
        {
            yield return $"crons.{cron.Name}.schedule: {problem}; Cloud Scheduler reads plain unix-cron fields, so write the schedule with those";
        }

        if (cron.TimeZone is { } zone && !Iana(zone))
        {
            yield return $"crons.{cron.Name}.timeZone: '{zone}' is not an IANA time zone name, the only kind Cloud Scheduler reads; write it as one (such as {(TimeZoneInfo.TryConvertWindowsIdToIanaId(zone, out var iana) ? iana : "Europe/Paris")})";
        }

        if (cron.Timeout.Value < TimeSpan.FromSeconds(1) || cron.Timeout.Value > MostTimeout)
        {
            yield return $"crons.{cron.Name}.timeout: a Cloud Run job's task runs between 1s and 168h (7 days), not {cron.Timeout}; give a timeout within that";
        }

        if (cron.Concurrency != CronConcurrency.Allow)
        {
            yield return $"crons.{cron.Name}.concurrency: Cloud Scheduler starts every due run of a Cloud Run job even while the previous one still runs, so concurrency: {cron.Concurrency.ToString().ToLowerInvariant()} cannot be kept on a cloudrun target; write concurrency: allow (and make the command safe to overlap)";
        }
    }

    /// <summary>The Cloud Run job of a cron: the service's container (image, env, secret references, limits) with the cron's command.</summary>
    public static RunJob Job(ServiceChange change, DesiredCron cron, RunContainer service, CloudRunOptions options, string runUri, string schedule)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(cron);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        var name = change.Node.Desired!.Name;
        var labels = CloudRunLabels.OfCron(change.Project, change.Environment, name, cron.Name);
        var container = new RunContainer
        {
            Name = CloudRunServices.Container,
            Image = service.Image,
            Args = cron.Command?.ToList() ?? service.Args, // none: the service's command, as on every target
            Env = service.Env,
            Resources = service.Resources,
        };
        var timeout = Timeout(cron);
        var applied = new CronApplied(container.Image, container.Args, Applied.Plain(container), timeout, schedule, cron.TimeZone ?? Utc, runUri);
        return new RunJob
        {
            Labels = labels,
            Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [CloudRunLabels.Applied] = JsonSerializer.Serialize(applied, CloudRunTransport.Json) },
            Template = new ExecutionTemplate
            {
                Labels = labels,
                TaskCount = 1,
                Parallelism = 1,
                Template = new TaskTemplate { Containers = [container], Timeout = timeout, MaxRetries = 0, ServiceAccount = options.ServiceAccount },
            },
        };
    }

    /// <summary>The Cloud Scheduler job that runs <paramref name="id"/> on the cron's schedule.</summary>
    public static SchedulerJob Schedule(ServiceChange change, DesiredCron cron, string id, string name, string schedule, string runUri, string caller)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(cron);
        return new SchedulerJob
        {
            Name = name,
            Description = $"paas: runs Cloud Run job {id} (cron {cron.Name} of {change.Project}/{change.Environment}/{change.Node.Desired!.Name})",
            Schedule = schedule,
            TimeZone = cron.TimeZone ?? Utc,
            HttpTarget = new HttpTarget(runUri, "POST", new OAuthToken(caller, GoogleAccessTokens.Scope)),
            RetryConfig = new RetryConfig(0),
        };
    }

    /// <summary>The five plain fields (refused before anything changes when there are none).</summary>
    public static string Plain(DesiredCron cron)
    {
        ArgumentNullException.ThrowIfNull(cron);
        return CronFields.Plain(cron.Schedule, out var problem)?.ToString() ?? throw new TargetRefusedException($"crons.{cron.Name}.schedule: {problem}");
    }

    /// <summary>A protobuf Duration's JSON: seconds with an <c>s</c> (<c>"3600s"</c>).</summary>
    public static string Timeout(DesiredCron cron)
    {
        ArgumentNullException.ThrowIfNull(cron);
        return cron.Timeout.Value.TotalSeconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
    }

    private static bool Iana(string zone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) && found.HasIanaId;
}

/// <summary>What the platform set on a cron's two jobs that someone could change in the console: compared by the observer (drift).</summary>
internal sealed record CronApplied(string Image, List<string>? Args, Dictionary<string, string> Env, string Timeout, string Schedule, string TimeZone, string Uri);
