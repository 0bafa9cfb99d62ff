using Gitops.Engine.State;

namespace Gitops.Engine.Reconcile;

/// <summary>One UTC day of an environment's deployments: how many started, how many ended badly, and how long the finished ones took.</summary>
/// <param name="Failures">Failed, rolled back or interrupted.</param>
/// <param name="MedianMs">Of the deployments that finished that day's start; null when none did.</param>
public sealed record DeployDay(DateOnly Date, int Deploys, int Failures, long? MedianMs, long? MaxMs);

/// <summary>An environment's deployments per day, oldest day first (the dashboard's history chart).</summary>
public sealed record DeployHistory(string Project, string Environment, IReadOnlyList<DeployDay> Days)
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
        var byDay = deployments
            .Where(d => d.Project == project && d.Environment == environment)
            .GroupBy(d => DateOnly.FromDateTime(d.StartedAt.UtcDateTime))
            .ToDictionary(g => g.Key, g => g.ToList());
        var result = new List<DeployDay>(days);
        for (var date = first; date <= today; date = date.AddDays(1))
        {
            var of = byDay.GetValueOrDefault(date) ?? [];
            var durations = of.Where(d => d.FinishedAt is not null && d.Status != DeploymentStatus.Running)
                .Select(d => (long)Math.Max(0, (d.FinishedAt!.Value - d.StartedAt).TotalMilliseconds))
                .Order()
                .ToList();
            result.Add(new DeployDay(date, of.Count, of.Count(Failed), Median(durations), durations.Count == 0 ? null : durations[^1]));
        }

        return new DeployHistory(project, environment, result);
    }

    private static bool Failed(Deployment deployment) =>
        deployment.Status is DeploymentStatus.Failed or DeploymentStatus.RolledBack or DeploymentStatus.Interrupted;

    /// <summary>The middle of the sorted values; of an even count, the mean of the two middle ones.</summary>
    private static long? Median(List<long> sorted) =>
        sorted.Count == 0 ? null
        : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
        : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
