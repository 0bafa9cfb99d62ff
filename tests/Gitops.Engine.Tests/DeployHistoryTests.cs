using Gitops.Engine.Reconcile;
using Gitops.Engine.State;

namespace Gitops.Engine.Tests;

/// <summary>The dashboard's history chart: deployments per UTC day, failures, median and longest duration; quiet days as zeros.</summary>
public sealed class DeployHistoryTests : IDisposable
{
    private static readonly DateOnly Today = new(2026, 11, 27);
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-history-").FullName;

    [Fact]
    public void Each_day_counts_its_deployments_and_failures_and_the_durations_of_those_that_finished()
    {
        var deployments = new[]
        {
            At(Today, 9, DeploymentStatus.Succeeded, seconds: 10),
            At(Today, 10, DeploymentStatus.Failed, seconds: 40),
            At(Today, 11, DeploymentStatus.Succeeded, seconds: 20),
            At(Today, 12, DeploymentStatus.RolledBack, seconds: 30),
            At(Today, 13, DeploymentStatus.Running, seconds: null),
            At(Today.AddDays(-2), 23, DeploymentStatus.Interrupted, seconds: 5),
            At(Today.AddDays(-2), 8, DeploymentStatus.Succeeded, seconds: 7) with { Environment = "production" }, // another environment's
            At(Today.AddDays(-3), 8, DeploymentStatus.Succeeded, seconds: 7), // before the span
        };

        var history = DeployHistory.Of("shop", "dev", deployments, Today, 3);

        Assert.Equal([Today.AddDays(-2), Today.AddDays(-1), Today], history.Days.Select(d => d.Date));
        Assert.Equal(new DeployDay(Today.AddDays(-2), 1, 1, 5_000, 5_000), history.Days[0]);
        Assert.Equal(new DeployDay(Today.AddDays(-1), 0, 0, null, null), history.Days[1]);
        Assert.Equal(new DeployDay(Today, 5, 2, 25_000, 40_000), history.Days[2]); // median of 10, 20, 30, 40 s; the running one has no duration yet
        Assert.Equal(new DeployTotals(6, 3, 20_000, 40_000), history.Total); // median of 5, 10, 20, 30, 40 s
    }

    [Fact]
    public void The_store_reads_an_environments_deployments_since_a_time_newest_first()
    {
        using var store = StateStore.Open(_directory);
        var start = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        foreach (var (id, environment, hours) in new[] { ("d1", "dev", -30), ("d2", "dev", -2), ("d3", "dev", -1), ("d4", "production", -1) })
        {
            store.SaveDeployment(new Deployment { Id = id, Project = "shop", Environment = environment, Revision = "r", Trigger = "test", PlanText = "", StartedAt = start.AddHours(hours) });
        }

        Assert.Equal(["d3", "d2"], store.Since("shop", "dev", start.AddDays(-1), 100).Select(d => d.Id));
        Assert.Equal(["d3"], store.Since("shop", "dev", start.AddDays(-1), 1).Select(d => d.Id));
    }

    [Fact]
    public void A_deployment_recorded_before_commits_were_kept_still_loads_without_one()
    {
        var current = System.Text.Json.Nodes.JsonNode.Parse(StateJson.Write(new Deployment
        {
            Id = "d-old", Project = "shop", Environment = "dev", Revision = "r", Trigger = "git r", PlanText = "", StartedAt = DateTimeOffset.UnixEpoch,
            Commit = Sources.CommitInfo.Of("m", "a", DateTimeOffset.UnixEpoch),
        }))!.AsObject();
        var removed = current.Remove("Commit") | current.Remove("commit"); // what an older version wrote: no such field at all

        var old = StateJson.Read<Deployment>(current.ToJsonString());

        Assert.True(removed);
        Assert.Null(old.Commit);
        Assert.Equal("git r", old.Trigger);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Deployment At(DateOnly day, int hour, DeploymentStatus status, int? seconds)
    {
        var started = new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.Zero);
        return new Deployment
        {
            Id = $"d-{day:yyyyMMdd}-{hour:00}",
            Project = "shop",
            Environment = "dev",
            Revision = "r",
            Trigger = "test",
            PlanText = "",
            Status = status,
            StartedAt = started,
            FinishedAt = seconds is { } s ? started.AddSeconds(s) : null,
        };
    }
}
