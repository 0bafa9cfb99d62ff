using System.Globalization;
using Gitops.Engine.Crons;

namespace Gitops.Providers.Aws;

/// <summary>
/// A cron's schedule in EventBridge Scheduler's six-field form, <c>cron(min hour dom month dow year)</c>:
/// the year is <c>*</c>; exactly one of the day fields is <c>?</c>; day-of-week counts 1–7 from
/// Sunday, where standard cron counts 0–6 (and 7) from Sunday, so its days are written out as a list
/// of AWS's numbers; a step (<c>*/15</c>) starts at the field's first value (<c>0/15</c>), and a step
/// over a range is written out too. Both day fields restricted cannot be said (standard cron runs when
/// either matches, AWS cannot OR them): refused with the reason.
/// </summary>
public static class EcsCronExpressions
{
    /// <summary>The expression, or null with <paramref name="problem"/> saying what cannot be scheduled.</summary>
    public static string? For(string schedule, out string? problem)
    {
        if (CronFields.Plain(schedule, out problem) is not { } fields)
        {
            return null;
        }

        if (fields.BothDaysRestricted)
        {
            problem = $"'{schedule}' restricts both the day of the month and the day of the week (standard cron runs on either), and EventBridge Scheduler can restrict only one of them; split it into two crons, one per day field";
            return null;
        }

        var minute = Field(fields.Minute, 0, 59);
        var hour = Field(fields.Hour, 0, 23);
        var month = Field(fields.Month, 1, 12);
        if (fields.DayOfWeek == "*")
        {
            return $"cron({minute} {hour} {Field(fields.DayOfMonth, 1, 31)} {month} ? *)";
        }

        var days = Values(fields.DayOfWeek, 0, 7).Select(d => d % 7 + 1).Distinct().Order();
        return $"cron({minute} {hour} ? {month} {string.Join(',', days.Select(d => d.ToString(CultureInfo.InvariantCulture)))} *)";
    }

    /// <summary>A field AWS reads as standard cron does, but for steps: <c>*/n</c> from the first value, other steps written out.</summary>
    private static string Field(string field, int min, int max) =>
        !field.Contains('/', StringComparison.Ordinal) ? field
        : field.StartsWith("*/", StringComparison.Ordinal) && !field.Contains(',', StringComparison.Ordinal) ? $"{min.ToString(CultureInfo.InvariantCulture)}{field[1..]}"
        : string.Join(',', Values(field, min, max).Order().Select(v => v.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Every value a plain field (numbers, '*', ',', '-', '/') names.</summary>
    private static SortedSet<int> Values(string field, int min, int max)
    {
        var values = new SortedSet<int>();
        foreach (var part in field.Split(','))
        {
            var (range, step) = part.Split('/') is [var r, var s] ? (r, int.Parse(s, CultureInfo.InvariantCulture)) : (part, 1);
            var (from, to) = range == "*" ? (min, max)
                : range.Split('-') is [var a, var b] ? (int.Parse(a, CultureInfo.InvariantCulture), int.Parse(b, CultureInfo.InvariantCulture))
                : (int.Parse(range, CultureInfo.InvariantCulture), part.Contains('/', StringComparison.Ordinal) ? max : int.Parse(range, CultureInfo.InvariantCulture));
            for (var v = from; v <= to; v += Math.Max(step, 1))
            {
                values.Add(v);
            }
        }

        return values;
    }
}
