using System.Globalization;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// Quantities in the canonical form the API server stores them in (1000m is stored as 1, 268435456
/// as 256Mi), so what the platform applied and what the cluster shows compare equal.
/// </summary>
public static class KubeQuantities
{
    public static string Cpu(int millicores) =>
        millicores % 1000 == 0 ? (millicores / 1000).ToString(CultureInfo.InvariantCulture) : $"{millicores.ToString(CultureInfo.InvariantCulture)}m";

    public static string Memory(long bytes)
    {
        string[] suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        var exponent = 0;
        while (bytes != 0 && bytes % 1024 == 0 && exponent < suffixes.Length - 1)
        {
            bytes /= 1024;
            exponent++;
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + suffixes[exponent];
    }
}
