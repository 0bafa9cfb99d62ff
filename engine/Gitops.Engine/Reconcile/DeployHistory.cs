using Gitops.Engine.State;

namespace Gitops.Engine.Reconcile;

/// <summary>One UTC day of an environment's deployments: how many started, how many ended badly, and how long the finished ones took.</summary>
/// <param name="Failures">Failed, rolled back or interrupted.</param>
/// <param name="MedianMs">Of the deployments that finished that day's start; null when none did.</param>
public sealed record DeployDay(DateOnly Date, int Deploys, int Failures, long? MedianMs, long? MaxMs);

/// <summary>The whole span at once: a chart's text alternative says these (a median of daily medians would not be the median).</summary>
public sealed record DeployTotals(int Deploys, int Failures, long? MedianMs, long? MaxMs);

/// <summary>An environment's deployments per day, oldest day first, and over the whole span (the dashboard's history chart).</summary>
public sealed record DeployHistory(string Project, string Environment, IReadOnlyList<DeployDay> Days, DeployTotals Total)
{
    /// <summary>The longest history asked for: the chart shows at most a quarter.</summary>
    public const int MaxDays = 90;

    /// <summary>
    /// Each of the <paramref name="days"/> days up to <paramref name="today"/> (UTC), days without a
    /// deployment included, so a chart's bars are evenly spaced and a quiet day reads as zero.
    /// </summary>
    public static DeployHistory Of(string project, string environment, IEnumerable<Deployment> deployments, DateOnly today, int days)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var first = today.AddDays(1 - days);
        var inSpan = deployments
            .Where(d => d.Project == project && d.Environment == environment)
            .Select(d => (Day: DateOnly.FromDateTime(d.StartedAt.UtcDateTime), Deployment: d))
            .Where(d => d.Day >= first && d.Day <= today)
            .ToList();
        var byDay = inSpan.GroupBy(d => d.Day).ToDictionary(g => g.Key, g => g.Select(d => d.Deployment).ToList());
        var result = new List<DeployDay>(days);
        for (var date = first; date <= today; date = date.AddDays(1))
        {
            var of = byDay.GetValueOrDefault(date) ?? [];
            var durations = Durations(of);
            result.Add(new DeployDay(date, of.Count, of.Count(Failed), Median(durations), durations.Count == 0 ? null : durations[^1]));
        }

        var all = Durations(inSpan.Select(d => d.Deployment));
        var total = new DeployTotals(inSpan.Count, inSpan.Count(d => Failed(d.Deployment)), Median(all), all.Count == 0 ? null : all[^1]);
        return new DeployHistory(project, environment, result, total);
    }

    /// <summary>How long each finished one took, shortest first.</summary>
    private static List<long> Durations(IEnumerable<Deployment> deployments) => deployments
        .Where(d => d.FinishedAt is not null && d.Status != DeploymentStatus.Running)
        .Select(d => (long)Math.Max(0, (d.FinishedAt!.Value - d.StartedAt).TotalMilliseconds))
        .Order()
        .ToList();

    private static bool Failed(Deployment deployment) =>
        deployment.Status is DeploymentStatus.Failed or DeploymentStatus.RolledBack or DeploymentStatus.Interrupted;

    /// <summary>The middle of the sorted values; of an even count, the mean of the two middle ones.</summary>
    private static long? Median(List<long> sorted) =>
        sorted.Count == 0 ? null
        : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
        : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
