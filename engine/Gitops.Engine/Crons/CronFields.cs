using System.Globalization;
using System.Text.RegularExpressions;

namespace Gitops.Engine.Crons;

/// <summary>
/// A cron's schedule as the five plain fields a cloud scheduler takes (Cloud Scheduler, Container
/// Apps jobs, and ECS's six-field form made from them): macros spelled out (<c>@daily</c> →
/// <c>0 0 * * *</c>), month and day names as numbers, <c>?</c> as <c>*</c>. Cronos, which the
/// manifest is checked with, also reads <c>L</c>, <c>W</c> and <c>#</c>; no cloud scheduler does, so
/// those are a problem the target's refusal names, never a schedule silently read another way.
/// </summary>
public sealed partial record CronFields(string Minute, string Hour, string DayOfMonth, string Month, string DayOfWeek)
{
    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
        ["@every_minute"] = "* * * * *",
    };

    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>Both day fields restrict: standard cron runs when either matches (some cloud schedulers cannot say that).</summary>
    public bool BothDaysRestricted => DayOfMonth != "*" && DayOfWeek != "*";

    /// <summary>The five fields, or null with <paramref name="problem"/> saying what a cloud scheduler cannot read.</summary>
    public static CronFields? Plain(string schedule, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var text = Macros.TryGetValue(schedule.Trim(), out var spelled) ? spelled : schedule.Trim();
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length != 5)
        {
            problem = $"'{schedule}' is not five fields or a macro (@hourly, @daily, @weekly, @monthly, @yearly)";
            return null;
        }

        fields[3] = Named(fields[3], Months, first: 1);
        fields[4] = Named(fields[4], Days, first: 0);
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = fields[i] == "?" ? "*" : fields[i];
            if (!PlainField().IsMatch(fields[i]))
            {
                problem = $"'{schedule}' uses '{fields[i]}', and cloud schedulers read only numbers, '*', ',', '-' and '/' (no L, W or #)";
                return null;
            }
        }

        problem = null;
        return new CronFields(fields[0], fields[1], fields[2], fields[3], fields[4]);
    }

    public override string ToString() => $"{Minute} {Hour} {DayOfMonth} {Month} {DayOfWeek}";

    private static string Named(string field, string[] names, int first)
    {
        var upper = field.ToUpperInvariant();
        for (var i = 0; i < names.Length; i++)
        {
            upper = upper.Replace(names[i], (i + first).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return upper;
    }

    [GeneratedRegex(@"^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?(,(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?)*$")]
    private static partial Regex PlainField();
}
