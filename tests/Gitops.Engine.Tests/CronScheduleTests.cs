using Gitops.Engine.Crons;
using Gitops.Engine.Desired;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>When a cron is due: after downtime once for the newest missed time, and in its time zone across daylight-saving changes as Cronos documents.</summary>
public sealed class CronScheduleTests
{
    [Fact]
    public void Times_missed_while_nothing_looked_collapse_into_the_newest_one()
    {
        var every5 = Schedule("*/5 * * * *");
        var cursor = At(10, 0);

        Assert.Null(every5.LatestDue(cursor, At(10, 4, 59)));
        Assert.Equal(At(10, 5), every5.LatestDue(cursor, At(10, 5)));
        Assert.Equal(At(11, 55), every5.LatestDue(cursor, At(11, 58))); // 23 missed times: one run, for 11:55
        Assert.Null(every5.LatestDue(At(11, 55), At(11, 58))); // and not again
    }

    [Fact]
    public void A_daily_time_skipped_by_spring_forward_runs_once_at_the_change_and_one_repeated_by_fall_back_runs_once()
    {
        var paris = Schedule("30 2 * * *", "Europe/Paris");

        // 29 March 2026: Paris jumps from 02:00 to 03:00 (00:00 UTC to 01:00 UTC); 02:30 never happens.
        var spring = paris.Next(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), spring); // run at the change (03:00 local)
        // 25 October 2026: 02:00 to 03:00 local happens twice (00:00 to 02:00 UTC); the job runs in the first one only.
        var fall = paris.Next(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), fall);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero), paris.Next(fall)); // next day, not 01:30 UTC the same night
    }

    [Fact]
    public void Without_a_time_zone_the_schedule_is_read_in_utc()
    {
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero), Schedule("@daily").Next(At(10, 0)));
    }

    private static DateTimeOffset At(int hour, int minute, int second = 0) => new(2026, 12, 2, hour, minute, second, TimeSpan.Zero);

    private static CronSchedule Schedule(string expression, string? zone = null) =>
        CronSchedule.Of(new DesiredCron("job", expression, null, Duration.FromSeconds(60), CronConcurrency.Forbid) { TimeZone = zone });
}
