using System.Globalization;
using System.Text.RegularExpressions;

namespace Gitops.Schema.Model;

/// <summary>
/// A memory size in Kubernetes notation, normalized to bytes: <c>256Mi</c>, <c>1Gi</c> (binary),
/// <c>500M</c> (decimal) or a plain number of bytes.
/// </summary>
public readonly partial record struct ByteSize(long Bytes) : IScalarValue<ByteSize>
{
    public static string ErrorCode => Diagnostics.ErrorCodes.Quantity;

    public static string Pattern => @"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$";

    public static bool AcceptsNumber => true;

    public static ByteSize FromMebibytes(long mebibytes) => new(mebibytes * 1024 * 1024);

    public static bool TryParse(string text, out ByteSize value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = default;
        var match = Grammar().Match(text);
        if (text.Length > 32 || !match.Success)
        {
            error = $"'{text}' is not a memory size; write it like 256Mi or 1Gi (units: Ki, Mi, Gi, Ti, K, M, G, T)";
            return false;
        }

        var multiplier = match.Groups[2].Value switch
        {
            "Ki" => 1024m,
            "Mi" => 1024m * 1024,
            "Gi" => 1024m * 1024 * 1024,
            "Ti" => 1024m * 1024 * 1024 * 1024,
            "K" => 1000m,
            "M" => 1000m * 1000,
            "G" => 1000m * 1000 * 1000,
            "T" => 1000m * 1000 * 1000 * 1000,
            _ => 1m,
        };
        var bytes = decimal.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * multiplier;
        if (bytes > long.MaxValue / 2)
        {
            error = $"'{text}' is too large a memory size";
            return false;
        }

        value = new ByteSize((long)decimal.Round(bytes));
        error = "";
        return true;
    }

    public override string ToString()
    {
        const long Mi = 1024 * 1024;
        return Bytes % (1024 * Mi) == 0 && Bytes != 0 ? $"{Bytes / (1024 * Mi)}Gi"
            : Bytes % Mi == 0 && Bytes != 0 ? $"{Bytes / Mi}Mi"
            : Bytes % 1024 == 0 && Bytes != 0 ? $"{Bytes / 1024}Ki"
            : Bytes.ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$")]
    private static partial Regex Grammar();
}
