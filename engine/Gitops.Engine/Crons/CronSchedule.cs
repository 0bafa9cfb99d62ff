using Cronos;
using Gitops.Engine.Desired;

namespace Gitops.Engine.Crons;

/// <summary>
/// A cron's schedule in its time zone (Cronos; 5 fields or <c>@daily</c>). Across a daylight-saving
/// change Cronos runs a time skipped by the clock once at the change, and a repeated hour's time
/// once, as its documentation describes.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone) => (_expression, Zone) = (expression, zone);

    public TimeZoneInfo Zone { get; }

    public static CronSchedule Of(DesiredCron cron)
    {
        ArgumentNullException.ThrowIfNull(cron);
        var zone = cron.TimeZone is { } id ? TimeZoneInfo.FindSystemTimeZoneById(id) : TimeZoneInfo.Utc;
        return new CronSchedule(CronExpression.Parse(cron.Schedule, CronFormat.Standard), zone);
    }

    /// <summary>The first time due after <paramref name="after"/>, or null when the expression never comes again.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone);

    /// <summary>
    /// The newest time due in (<paramref name="after"/>, <paramref name="now"/>], or null. Times missed
    /// while the platform was down collapse into this one: a run after downtime, not one per tick.
    /// </summary>
    public DateTimeOffset? LatestDue(DateTimeOffset after, DateTimeOffset now)
    {
        if (now <= after)
        {
            return null;
        }

        DateTimeOffset? latest = null;
        foreach (var due in _expression.GetOccurrences(after, now, Zone, fromInclusive: false, toInclusive: true))
        {
            latest = due;
        }

        return latest;
    }
}
