using System.Globalization;

namespace Gitops.Engine.Desired;

/// <summary>
/// Deterministic object names: the same manifest always names the same objects, so a rerun after
/// a crash finds what the first run made. Every part comes from the name grammar (DNS labels),
/// so names need no quoting anywhere.
/// </summary>
public static class Names
{
    public static string Network(string project, string environment) => $"paas-{project}-{environment}";

    public static string Volume(string project, string environment, string volume) => $"paas-{project}-{environment}-{volume}";

    /// <summary>A replica: the fingerprint is in the name, so old and new versions can run side by side.</summary>
    public static string Replica(string project, string environment, string service, string fingerprint, int index) =>
        $"paas-{project}-{environment}-{service}-{fingerprint[..8]}-{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The local image built for a service; the tag is the hash of its build inputs.</summary>
    public static string BuiltImage(string project, string service, string inputsHash) =>
        $"localhost/paas-{project}-{service}:{inputsHash[..16]}";
}
