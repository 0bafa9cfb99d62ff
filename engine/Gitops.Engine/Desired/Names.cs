using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gitops.Engine.Desired;

/// <summary>
/// Deterministic object names: the same manifest always names the same objects, so a rerun after
/// a crash finds what the first run made. Parts are joined with <c>_</c>, which the name grammar
/// forbids inside a part, so two different (project, environment, …) tuples never share a name
/// (with <c>-</c>, project <c>x-app</c> env <c>dev-pg</c> and project <c>x-app-dev</c> env <c>pg</c> did).
/// Docker and Podman accept <c>_</c> in container, network and volume names; services find each
/// other by their network alias (the service name), never by these names.
/// </summary>
public static class Names
{
    /// <summary>The separator: not in the name grammar (<c>^[a-z][a-z0-9-]{0,62}$</c>).</summary>
    public const char Separator = '_';

    public static string Network(string project, string environment) => Join("paas", project, environment);

    public static string Volume(string project, string environment, string volume) => Join("paas", project, environment, volume);

    /// <summary>
    /// The network of its own a service with <c>allowFrom</c> gets on the container family: only it and
    /// the services it lists join it (five parts: never an environment's network or a volume's name).
    /// </summary>
    public static string Door(string project, string environment, string service) => Join("paas", project, environment, service, "door");

    /// <summary>A replica: the fingerprint is in the name, so old and new versions can run side by side.</summary>
    public static string Replica(string project, string environment, string service, string fingerprint, int index) =>
        Join("paas", project, environment, service, fingerprint[..8], index.ToString(CultureInfo.InvariantCulture));

    /// <summary>A one-off job (a cron's run): six parts, never a replica's, a network's or a volume's name.</summary>
    public static string Job(string project, string environment, string service, string run) => Join("paas", project, environment, service, "job", run);

    /// <summary>
    /// A restore drill's scratch objects (its container, its network, and its volumes with a
    /// <c>_N</c> suffix): six parts with <c>drill</c> in fifth place, never a job's or a replica's.
    /// </summary>
    public static string Drill(string project, string environment, string service, string drill) => Join("paas", project, environment, service, "drill", drill);

    /// <summary>
    /// The environment a drill's objects are labelled with: the real one's name and <c>.drill</c>,
    /// which no environment can be called (the grammar has no dot), so no reconcile of the real
    /// environment ever sees, adopts or removes them.
    /// </summary>
    public static string DrillScope(string environment) => $"{environment}.drill";

    /// <summary>
    /// The local image built for a service; the tag is the hash of its build inputs. An image
    /// repository cannot use <c>_</c> after a part ending in <c>-</c> (the grammar allows <c>web-</c>),
    /// so the readable parts are joined with <c>-</c> and a hash of the exact (project, service)
    /// pair makes the name unique; the image's ownership labels are checked before it is reused too.
    /// </summary>
    public static string BuiltImage(string project, string service, string inputsHash) =>
        $"{BuiltImagePrefix}{project}-{service}-{PairHash(project, service)}:{inputsHash[..16]}";

    /// <summary>Where built images live: <c>image:</c> and <c>FROM</c> may never name it.</summary>
    public const string BuiltImagePrefix = "localhost/paas-";

    /// <summary>The names an environment had before names were unambiguous; found again only by their labels.</summary>
    public static class Legacy
    {
        public static string Network(string project, string environment) => $"paas-{project}-{environment}";

        public static string Volume(string project, string environment, string volume) => $"paas-{project}-{environment}-{volume}";
    }

    private static string Join(params string[] parts) => string.Join(Separator, parts);

    private static string PairHash(string project, string service) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{project}\n{service}")))[..16];
}
