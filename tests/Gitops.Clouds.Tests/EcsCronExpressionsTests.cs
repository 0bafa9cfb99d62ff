using Gitops.Providers.Aws;

namespace Gitops.Clouds.Tests;

/// <summary>Standard five-field crons in EventBridge Scheduler's six-field form, and what cannot be said in it.</summary>
public sealed class EcsCronExpressionsTests
{
    [Theory]
    [InlineData("0 2 * * *", "cron(0 2 * * ? *)")]
    [InlineData("@hourly", "cron(0 * * * ? *)")]
    [InlineData("@weekly", "cron(0 0 ? * 1 *)")]
    [InlineData("@monthly", "cron(0 0 1 * ? *)")]
    [InlineData("*/15 * * * *", "cron(0/15 * * * ? *)")]
    [InlineData("0 12 1-10/3 * *", "cron(0 12 1,4,7,10 * ? *)")]
    [InlineData("0 9 * * 1-5", "cron(0 9 ? * 2,3,4,5,6 *)")]
    [InlineData("0 9 * * MON-FRI", "cron(0 9 ? * 2,3,4,5,6 *)")]
    [InlineData("0 9 * * 0", "cron(0 9 ? * 1 *)")]
    [InlineData("0 9 * * 7", "cron(0 9 ? * 1 *)")]
    [InlineData("0 9 * * 5-7", "cron(0 9 ? * 1,6,7 *)")]
    [InlineData("0 9 * * */2", "cron(0 9 ? * 1,3,5,7 *)")]
    [InlineData("5,35 8-18 * 1,7 SAT", "cron(5,35 8-18 ? 1,7 7 *)")]
    public void A_standard_schedule_is_written_in_aws_six_fields_with_sunday_as_one(string schedule, string expected)
    {
        Assert.Equal(expected, EcsCronExpressions.For(schedule, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("0 0 1 * 1", "restricts both the day of the month and the day of the week")]
    [InlineData("0 0 L * *", "uses 'L'")]
    [InlineData("0 0 * * 1#2", "uses '1#2'")]
    public void A_schedule_aws_cannot_say_is_refused_with_the_reason(string schedule, string reason)
    {
        Assert.Null(EcsCronExpressions.For(schedule, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
