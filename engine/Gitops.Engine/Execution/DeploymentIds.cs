using System.Globalization;
using System.Security.Cryptography;

namespace Gitops.Engine.Execution;

public static class DeploymentIds
{
    /// <summary>Sortable by time, unique across processes: <c>d-20261126-231500-3fa9c2</c>.</summary>
    public static string New() =>
        $"d-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}
