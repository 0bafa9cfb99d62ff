using System.Globalization;
using System.Text.RegularExpressions;

namespace Gitops.Engine.Operations;

/// <summary><c>--since</c>: an age (<c>90s</c>, <c>10m</c>, <c>2h</c>, <c>7d</c>) or an RFC 3339 time, as docker logs takes it.</summary>
public static partial class LogSince
{
    /// <summary>The time the value names, or null with <paramref name="error"/> saying what is wrong with it.</summary>
    public static DateTimeOffset? Parse(string value, DateTimeOffset now, out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        error = null;
        if (Age().Match(value.Trim()) is { Success: true } age)
        {
            var amount = long.Parse(age.Groups[1].Value, CultureInfo.InvariantCulture);
            return amount > 100_000 ? Bad(value, out error) : now - (age.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            });
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : Bad(value, out error);
    }

    private static DateTimeOffset? Bad(string value, out string? error)
    {
        error = $"--since '{value}' is neither an age (90s, 10m, 2h, 7d) nor a time (2026-12-02T07:00:00Z)";
        return null;
    }

    [GeneratedRegex(@"^(\d{1,9})([smhd])$")]
    private static partial Regex Age();
}
