using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gitops.Schema.Model;

/// <summary>A duration written like Go and Compose write them: <c>250ms</c>, <c>30s</c>, <c>1h30m</c>, <c>2d</c>.</summary>
public readonly partial record struct Duration(TimeSpan Value) : IScalarValue<Duration>
{
    public static string ErrorCode => Diagnostics.ErrorCodes.Duration;

    public static string Pattern => @"^([0-9]+(ms|s|m|h|d))+$";

    public static bool AcceptsNumber => false;

    public static Duration FromSeconds(double seconds) => new(TimeSpan.FromSeconds(seconds));

    public static bool TryParse(string text, out Duration value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = default;
        if (text.Length > 64 || !Grammar().IsMatch(text))
        {
            error = $"'{text}' is not a duration; write a number with a unit, like 30s, 5m, 1h30m (units: ms, s, m, h, d)";
            return false;
        }

        var total = TimeSpan.Zero;
        foreach (Match part in Part().Matches(text))
        {
            if (!long.TryParse(part.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000_000)
            {
                error = $"'{text}' is too long a duration";
                return false;
            }

            total += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        value = new Duration(total);
        error = "";
        return true;
    }

    /// <summary>The canonical spelling, e.g. <c>1h30m</c>; parsing it gives the same value back.</summary>
    public override string ToString()
    {
        if (Value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        Append(text, Value.Days, "d");
        Append(text, Value.Hours, "h");
        Append(text, Value.Minutes, "m");
        Append(text, Value.Seconds, "s");
        Append(text, Value.Milliseconds, "ms");
        return text.ToString();

        static void Append(StringBuilder text, int amount, string unit)
        {
            if (amount != 0)
            {
                text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }
    }

    [GeneratedRegex(@"^([0-9]+(ms|s|m|h|d))+$")]
    private static partial Regex Grammar();

    [GeneratedRegex(@"([0-9]+)(ms|s|m|h|d)")]
    private static partial Regex Part();
}
