using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Desired;

namespace Gitops.Providers.Swarm;

/// <summary>
/// Swarm object names, in the platform's one naming shape (<see cref="Names"/>: parts joined by a
/// separator the name grammar forbids, so two projects never share a name). Swarm allows 63
/// characters for a service and 64 for a secret; a longer name keeps its start and ends with a
/// hash of the whole, still unambiguous. Ownership labels, not names, decide what is ours.
/// </summary>
public static class SwarmNames
{
    private const int MaxLength = 63;

    /// <summary>The Swarm service of a paas service: <c>paas_project_env_service</c>.</summary>
    public static string Service(string project, string environment, string service) =>
        Fit($"{Names.Network(project, environment)}{Names.Separator}{service}");

    /// <summary>
    /// A Swarm secret holds one value of one secret of one environment. Swarm secrets cannot change,
    /// so a new value (its store version, never the value) gives a new name.
    /// </summary>
    public static string Secret(string project, string environment, string secret, string version) =>
        Fit($"{Names.Network(project, environment)}{Names.Separator}{secret}{Names.Separator}{Hash(version)[..12]}");

    private static string Fit(string name) => name.Length <= MaxLength ? name : $"{name[..(MaxLength - 17)]}{Names.Separator}{Hash(name)[..16]}";

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
