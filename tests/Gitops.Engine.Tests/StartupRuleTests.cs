using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>When a new replica counts as started: it must stay up, neither exiting nor restarting.</summary>
public sealed class StartupRuleTests
{
    private static readonly ReplicaState Up = new(Running: true, Restarting: false, ExitCode: 0, RestartCount: 0, StartedAt: "2026-12-01T04:00:00.1Z");

    [Fact]
    public void A_replica_still_up_since_its_start_has_not_broken()
    {
        Assert.Null(StartupRule.Broken(Up, Up, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void A_replica_that_exited_fails_with_its_exit_code()
    {
        var exited = Up with { Running = false, ExitCode = 137 };

        Assert.Equal("exited with code 137 within 1.2s", StartupRule.Broken(Up, exited, TimeSpan.FromSeconds(1.23)));
    }

    [Fact]
    public void A_replica_waiting_for_its_restart_counts_as_exited_though_the_engine_says_running()
    {
        var restarting = Up with { Restarting = true, ExitCode = 1 };

        Assert.Equal("exited with code 1 within 0.5s", StartupRule.Broken(Up, restarting, TimeSpan.FromSeconds(0.5)));
    }

    [Fact]
    public void A_replica_restarted_since_its_start_fails_with_the_count()
    {
        var restarted = Up with { RestartCount = 2, StartedAt = "2026-12-01T04:00:02.4Z" };

        Assert.Equal("restarted 2 times within 2.5s", StartupRule.Broken(Up, restarted, TimeSpan.FromSeconds(2.5)));
    }

    [Fact]
    public void A_new_start_time_is_a_restart_even_when_the_engine_did_not_count_it()
    {
        var restarted = Up with { StartedAt = "2026-12-01T04:00:01.9Z" };

        Assert.Equal("restarted 1 time within 2.0s", StartupRule.Broken(Up, restarted, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void A_replica_started_after_earlier_restarts_is_judged_from_its_start()
    {
        var earlier = Up with { RestartCount = 4 };

        Assert.Null(StartupRule.Broken(earlier, earlier, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void A_removed_replica_fails()
    {
        Assert.Equal("the container is gone within 0.0s", StartupRule.Broken(Up, null, TimeSpan.Zero));
    }

    [Fact]
    public void Without_a_health_check_a_replica_must_stay_up_for_the_platform_minimum_and_with_one_the_check_decides()
    {
        var spec = new ServiceSpec { Image = "busybox:1.36" };

        Assert.Equal(StartupRule.MinimumUptime, StartupRule.UptimeRequired(spec));
        Assert.True(StartupRule.MinimumUptime >= TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.Zero, StartupRule.UptimeRequired(spec with { Health = new HealthCheck() }));
    }
}
