using Gitops.Engine.Observed;
using Gitops.Engine.Execution;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Reconcile;

/// <summary>One service as it runs: replicas of the applied spec that are up, out of those wanted.</summary>
public sealed record ServiceStatus(string Service, int Desired, int Running, string Health, string Image)
{
    /// <summary>Restarts the target did by itself, over the service's replicas.</summary>
    public int Restarts { get; init; }

    /// <summary>What happened to replicas that their running state hides ("replica 1 restarted 3 times, last killed for memory (OOM)"), or null.</summary>
    public string? Incidents { get; init; }

    /// <summary>For an autoscaled service: its bounds, the autoscaler's last change and reading.</summary>
    public Scaling.ScaleStatus? Autoscale { get; init; }

    /// <summary>The health check after the deploy's last conclusion (degraded since…, recovered…), or null when it never found the service failing.</summary>
    public Health.ServiceHealth? Checked { get; init; }

    /// <summary>Where people reach a public service: the ingress's address of each host name its route has (none for a private service, or without an ingress).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>The service against the manifest in a working directory (<c>in sync</c>, or <c>out of sync: why</c>): set by a local <c>paas status</c>, null from a server, which knows only the applied state.</summary>
    public string? Sync { get; init; }
}

/// <summary>What <c>paas status</c> shows for an environment the server manages.</summary>
public sealed record EnvironmentStatus(
    string Project,
    string Environment,
    string? Revision,
    long StateVersion,
    bool Suspended,
    SyncRecord? LastSync,
    IReadOnlyList<ServiceStatus> Services)
{
    /// <summary>Set while a rollback holds the environment away from its branch.</summary>
    public Pin? Pinned { get; init; }

    /// <summary>The crons the applied deployment declares, with their latest runs.</summary>
    public IReadOnlyList<CronInfo> Crons { get; init; } = [];

    /// <summary>The backups the applied deployment declares, with their last run and restore drill.</summary>
    public IReadOnlyList<Backups.BackupStatus> Backups { get; init; } = [];

    /// <summary>The last time the loop found the environment changed behind the platform's back and put it back; null when it never did.</summary>
    public DriftRecord? Drift { get; init; }
}

public static class EnvironmentStatusReader
{
    /// <summary>The applied state against what the engine reports now.</summary>
    /// <param name="ingress">The ingress the environment's public services go through, which says their addresses; null: none.</param>
    public static Task<EnvironmentStatus> ReadAsync(StateStore state, ITargetDriver? driver, Ingress.IIngress? ingress, string project, string environment, CancellationToken cancellationToken) =>
        ReadAsync(state, driver, ingress, project, environment, services: null, cancellationToken);

    /// <param name="services">The services to hold the target against, by name: the applied ones when null, or a manifest's not yet applied (a local <c>paas status</c> in a working directory).</param>
    public static async Task<EnvironmentStatus> ReadAsync(StateStore state, ITargetDriver? driver, Ingress.IIngress? ingress, string project, string environment, IEnumerable<KeyValuePair<string, RecordedService>>? services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var records = new EnvironmentRecords(state);
        var recorded = state.Recorded(project, environment);
        var routes = ingress is null ? null : Routes(state, project, environment);
        var observed = driver is null ? null : await driver.ObserveAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var conditions = driver is null ? [] : await driver.ConditionsAsync(project, environment, cancellationToken).ConfigureAwait(false);
        var scaling = new Scaling.ScaleRecords(state);
        var (decisions, readings) = (scaling.Decisions(project, environment), scaling.Readings(project, environment));
        var checkedHealth = new Health.HealthRecords(state).Of(project, environment);
        var read = (services ?? recorded.Services).Select(pair =>
        {
            var containers = observed?.Containers.Where(c => c.Service == pair.Key).ToList();
            var running = containers?.Count(c => c.Running && c.Fingerprint == pair.Value.Fingerprint) ?? 0;
            var health = containers is null ? "unknown (target unreachable)"
                : running == pair.Value.Replicas ? "healthy"
                : running > 0 ? "progressing"
                : containers.Count == 0 ? "missing" : "degraded";
            return new ServiceStatus(pair.Key, pair.Value.Replicas, running, health, pair.Value.Spec.Image)
            {
                Restarts = conditions.Where(c => c.Service == pair.Key).Sum(c => c.Restarts),
                Incidents = Incidents(conditions, pair.Key),
                Autoscale = pair.Value.Extras.Autoscale is { } autoscale
                    ? Scaling.ScaleStatus.Of(autoscale, decisions.GetValueOrDefault(pair.Key), readings.GetValueOrDefault(pair.Key))
                    : null,
                Checked = checkedHealth.GetValueOrDefault(pair.Key),
                Urls = UrlsOf(routes, ingress, pair.Key),
            };
        }).ToList();
        return new EnvironmentStatus(project, environment, recorded.Revision, recorded.Version, records.IsSuspended(project, environment), records.LastSync(project, environment), read)
        {
            Pinned = records.PinOf(project, environment),
            Crons = Crons(state, project, environment),
            Backups = Gitops.Engine.Backups.BackupStatus.Of(state, project, environment, DateTimeOffset.UtcNow),
            Drift = records.DriftOf(project, environment),
        };
    }

    /// <summary>The addresses of the host names the running deployment routes to the service (a wildcard name is no address to open).</summary>
    public static IReadOnlyList<string> UrlsOf(IEnumerable<Desired.DesiredRoute>? routes, Ingress.IIngress? ingress, string service) =>
        ingress is null || routes is null ? []
        : routes.Where(r => r.Service == service).SelectMany(r => r.Domains).Where(d => !d.Contains('*', StringComparison.Ordinal)).Select(ingress.UrlOf).ToList();

    /// <summary>The routes of the environment's last succeeded deployment, which <see cref="UrlsOf"/> reads addresses from; null before any.</summary>
    public static IReadOnlyList<Desired.DesiredRoute>? Routes(StateStore state, string project, string environment) =>
        state?.LastSucceeded(project, environment)?.Desired?.Routes;

    /// <summary>Each applied cron with when it is next due and its last five runs.</summary>
    public static IReadOnlyList<CronInfo> Crons(StateStore state, string project, string environment)
    {
        ArgumentNullException.ThrowIfNull(state);
        var recorded = state.Recorded(project, environment);
        var runs = new Crons.CronRuns(state);
        var now = DateTimeOffset.UtcNow;
        return recorded.Services
            .SelectMany(s => s.Value.Extras.Crons.Select(c => new CronInfo(c.Name, s.Key, c.Schedule)
            {
                TimeZone = c.TimeZone,
                Next = Gitops.Engine.Crons.CronSchedule.Of(c).Next(now),
                Runs = runs.History(project, environment, c.Name, 5),
            }))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The health check after the deploy's conclusion in one line: <c>degraded since 07:40:12Z: …</c> or <c>recovered 07:40:31Z: …</c>.</summary>
    public static string Describe(Health.ServiceHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        var at = health.Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return health.Healthy ? $"recovered {at}: {health.Detail}" : $"degraded since {at}: {health.Detail}";
    }

    /// <summary>The service's troubled replicas in one line, or null when none is.</summary>
    public static string? Incidents(IReadOnlyList<ReplicaCondition> conditions, string service)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var troubled = conditions.Where(c => c.Service == service && c.Troubled).Select(c => c.Describe()).ToList();
        return troubled.Count == 0 ? null : string.Join("; ", troubled);
    }
}
