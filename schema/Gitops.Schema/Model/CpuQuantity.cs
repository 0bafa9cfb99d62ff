using System.Globalization;
using System.Text.RegularExpressions;

namespace Gitops.Schema.Model;

/// <summary>CPU in cores (<c>0.5</c>, <c>2</c>) or millicores (<c>500m</c>), normalized to millicores.</summary>
public readonly partial record struct CpuQuantity(int Millicores) : IScalarValue<CpuQuantity>
{
    public static string ErrorCode => Diagnostics.ErrorCodes.Quantity;

    public static string Pattern => @"^([0-9]+(\.[0-9]{1,3})?|[0-9]+m)$";

    public static bool AcceptsNumber => true;

    public static bool TryParse(string text, out CpuQuantity value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = default;
        var match = Grammar().Match(text);
        if (text.Length > 16 || !match.Success)
        {
            error = $"'{text}' is not a CPU amount; write cores like 0.5 or 2, or millicores like 500m";
            return false;
        }

        var millicores = match.Groups[1].Success
            ? decimal.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : decimal.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) * 1000;
        if (millicores > 1_000_000)
        {
            error = $"'{text}' is more CPU than any machine has";
            return false;
        }

        value = new CpuQuantity((int)millicores);
        error = "";
        return true;
    }

    public override string ToString() =>
        Millicores % 1000 == 0 ? (Millicores / 1000).ToString(CultureInfo.InvariantCulture) : $"{Millicores}m";

    [GeneratedRegex(@"^(?:([0-9]+)m|([0-9]+(?:\.[0-9]{1,3})?))$")]
    private static partial Regex Grammar();
}
