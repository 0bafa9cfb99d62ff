using Gitops.Engine.Crons;

namespace Gitops.Engine.Tests;

/// <summary>A schedule as the five plain fields cloud schedulers read, and what they cannot read named rather than read another way.</summary>
public sealed class CronFieldsTests
{
    [Theory]
    [InlineData("@daily", "0 0 * * *")]
    [InlineData("@HOURLY", "0 * * * *")]
    [InlineData("@weekly", "0 0 * * 0")]
    [InlineData("*/15 9-17 * * MON-FRI", "*/15 9-17 * * 1-5")]
    [InlineData("0 3 1 jan,jul ?", "0 3 1 1,7 *")]
    [InlineData("  5  4 * * sun ", "5 4 * * 0")]
    public void Macros_names_and_question_marks_become_plain_fields(string schedule, string plain)
    {
        var fields = CronFields.Plain(schedule, out var problem);

        Assert.Null(problem);
        Assert.Equal(plain, fields!.ToString());
    }

    [Theory]
    [InlineData("0 0 L * *", "'L'")]
    [InlineData("0 0 * * 5#3", "'5#3'")]
    [InlineData("0 0 15W * *", "'15W'")]
    [InlineData("0 0 * *", "not five fields")]
    [InlineData("@reboot", "not five fields")]
    public void What_no_cloud_scheduler_reads_is_a_problem_naming_it(string schedule, string named)
    {
        Assert.Null(CronFields.Plain(schedule, out var problem));
        Assert.Contains(named, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_day_fields_restricting_is_told_apart_from_one()
    {
        Assert.True(CronFields.Plain("0 0 1 * 1", out _)!.BothDaysRestricted);
        Assert.False(CronFields.Plain("0 0 1 * *", out _)!.BothDaysRestricted);
        Assert.False(CronFields.Plain("0 0 * * 1", out _)!.BothDaysRestricted);
    }
}
