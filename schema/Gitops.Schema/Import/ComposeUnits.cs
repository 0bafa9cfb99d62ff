using System.Globalization;
using System.Text.RegularExpressions;
using Gitops.Schema.Model;

namespace Gitops.Schema.Import;

/// <summary>Compose's spellings of durations, sizes, CPUs and booleans, read into the manifest's types.</summary>
public static partial class ComposeUnits
{
    /// <summary>A Go duration (<c>1m30s</c>, <c>1.5s</c>, <c>500ms</c>), rounded to milliseconds.</summary>
    public static Duration? Duration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text == "0")
        {
            return Model.Duration.FromSeconds(0);
        }

        if (text.Length > 64 || !GoDuration().IsMatch(text))
        {
            return null;
        }

        var total = 0m;
        foreach (Match part in GoDurationPart().Matches(text))
        {
            var amount = decimal.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += amount * part.Groups[2].Value switch
            {
                "ns" => 0.000001m,
                "us" or "µs" => 0.001m,
                "ms" => 1m,
                "s" => 1000m,
                "m" => 60_000m,
                _ => 3_600_000m,
            };
        }

        // A positive duration below a millisecond stays positive.
        var milliseconds = total > 0 && total < 1 ? 1 : decimal.Round(total);
        return milliseconds > 100_000_000_000m ? null : new Duration(TimeSpan.FromMilliseconds((double)milliseconds));
    }

    /// <summary>A Docker memory size (<c>512m</c>, <c>1g</c>, <c>1.5GB</c>, a number of bytes): its units are binary.</summary>
    public static ByteSize? Bytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = DockerBytes().Match(text.Trim());
        if (text.Length > 32 || !match.Success)
        {
            return null;
        }

        var multiplier = char.ToLowerInvariant(match.Groups[2].Success && match.Groups[2].Length > 0 ? match.Groups[2].Value[0] : 'b') switch
        {
            'k' => 1024m,
            'm' => 1024m * 1024,
            'g' => 1024m * 1024 * 1024,
            't' => 1024m * 1024 * 1024 * 1024,
            'p' => 1024m * 1024 * 1024 * 1024 * 1024,
            _ => 1m,
        };
        var bytes = decimal.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * multiplier;
        return bytes is < 1 or > long.MaxValue / 4 ? null : new ByteSize((long)decimal.Round(bytes));
    }

    /// <summary>CPUs as Compose writes them (<c>0.5</c>, <c>"2"</c>), in millicores.</summary>
    public static CpuQuantity? Cpus(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 16 || !decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cores) || cores <= 0 || cores > 1000)
        {
            return null;
        }

        return new CpuQuantity((int)decimal.Round(cores * 1000));
    }

    /// <summary>YAML booleans, as Compose files write them (YAML 1.1 words included).</summary>
    public static bool? Boolean(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "y" => true,
        "false" or "no" or "off" or "n" => false,
        _ => null,
    };

    /// <summary>A whole number within <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static int? Integer(string text, int min, int max) =>
        int.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null;

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex GoDurationPart();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP]?)[iI]?[bB]?$")]
    private static partial Regex DockerBytes();
}
