using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Desired;

namespace Gitops.Providers.Azure;

/// <summary>
/// Container Apps names in the platform's one naming shape. An app's name is at most 32 lowercase
/// letters, digits and '-', starting with a letter, ending with neither '-' nor "--" inside.
/// Project and environment names may hold '-', so every name ends with a hash of the exact (project,
/// environment, service): <c>x-app</c>/<c>dev</c>/<c>web</c> and <c>x</c>/<c>app-dev</c>/<c>web</c> never
/// share one. Ownership tags, not names, decide what is the platform's.
/// </summary>
public static partial class ContainerAppsNames
{
    public const int MaxAppName = 32;

    /// <summary>The container app: <c>paas-shop-prod-web-1a2b3c</c>.</summary>
    public static string App(string project, string environment, string service)
    {
        var name = Collapse($"paas-{project}-{environment}-{service}".ToLowerInvariant().Replace('_', '-'));
        var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{project}\n{environment}\n{service}")))[..6];
        return name.Length + suffix.Length + 1 <= MaxAppName ? $"{name}-{suffix}" : $"{Collapse(name[..(MaxAppName - suffix.Length - 1)]).TrimEnd('-')}-{suffix}";
    }

    /// <summary>
    /// A cron's Container Apps job: <c>paas-shop-prod-web-nightly-1a2b3c</c>, in the app's naming shape
    /// (at most 32 characters, the hash of the exact project, environment, service and cron).
    /// </summary>
    public static string Job(string project, string environment, string service, string cron)
    {
        var name = Collapse(NotNameCharacters().Replace($"paas-{project}-{environment}-{service}-{cron}".ToLowerInvariant(), "-"));
        var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{project}\n{environment}\n{service}\n{cron}")))[..6];
        return name.Length + suffix.Length + 1 <= MaxAppName ? $"{name}-{suffix}" : $"{Collapse(name[..(MaxAppName - suffix.Length - 1)]).TrimEnd('-')}-{suffix}";
    }

    /// <summary>
    /// The revision suffix of a fingerprint: a template the platform makes always carries the same
    /// suffix, so the revision it names is the fingerprint's (and putting a template back finds it).
    /// </summary>
    public static string RevisionSuffix(string fingerprint) => "p" + fingerprint[..12];

    /// <summary>The fingerprint prefix a revision's name carries, when the platform named it.</summary>
    public static string? FingerprintPrefixOf(string revision) =>
        revision.LastIndexOf("--p", StringComparison.Ordinal) is var at and >= 0 && revision.Length - at - 3 == 12 ? revision[(at + 3)..] : null;

    /// <summary>The instance name the platform records (inventory, plan): <c>paas_project_env_service</c>.</summary>
    public static string Instance(string project, string environment, string service) =>
        $"{Names.Network(project, environment)}{Names.Separator}{service}";

    /// <summary>(project, environment, service) of an instance name; null for a name of another shape.</summary>
    public static (string Project, string Environment, string Service)? Parse(string instance) =>
        instance.Split(Names.Separator) is ["paas", var project, var environment, var service] ? (project, environment, service) : null;

    [System.Text.RegularExpressions.GeneratedRegex("[^a-z0-9-]")]
    private static partial System.Text.RegularExpressions.Regex NotNameCharacters();

    /// <summary>"--" is the revision separator: never inside an app's name.</summary>
    private static string Collapse(string name)
    {
        while (name.Contains("--", StringComparison.Ordinal))
        {
            name = name.Replace("--", "-", StringComparison.Ordinal);
        }

        return name;
    }
}

/// <summary>
/// The ownership tags on every container app the platform makes (<see cref="Labels"/>, as they are),
/// and what it set that a console edit could change: the image, a hash of the plain variables and the
/// replica bounds (Azure tag values hold 256 characters, so not the whole spec). A live value different
/// from them is drift.
/// </summary>
public static class ContainerAppsTags
{
    public const string Image = "paas.applied.image";
    public const string Env = "paas.applied.env";
    public const string Scale = "paas.applied.scale";

    public static Dictionary<string, string> Of(string project, string environment, string service, string fingerprint, string image, IReadOnlyDictionary<string, string> env, int? min, int? max)
    {
        var tags = Labels.For(project, environment);
        tags[Labels.Service] = service;
        tags[Labels.Fingerprint] = fingerprint;
        tags[Image] = image;
        tags[Env] = EnvHash(env);
        tags[Scale] = ScaleText(min, max);
        return tags;
    }

    /// <summary>On an app with crons: their names (comma-separated), or a hash of them when that is longer than a tag holds.</summary>
    public const string Crons = "paas.applied.crons";

    /// <summary>On a cron's job: a hash of what the platform set (<see cref="ContainerAppJobSpecs.Hash"/>).</summary>
    public const string Job = "paas.applied.job";

    /// <summary>An Azure tag value holds 256 characters.</summary>
    private const int MaxTagValue = 256;

    /// <summary>A cron's job's tags: the service's ownership tags, the cron's name and the hash of its spec.</summary>
    public static Dictionary<string, string> OfJob(string project, string environment, string service, string cron, string fingerprint, string hash)
    {
        var tags = Labels.For(project, environment);
        tags[Labels.Service] = service;
        tags[Labels.Cron] = cron;
        tags[Labels.Fingerprint] = fingerprint;
        tags[Job] = hash;
        return tags;
    }

    /// <summary>The <see cref="Crons"/> tag's value for these cron names; null for none.</summary>
    public static string? CronsText(IEnumerable<string> crons)
    {
        var names = string.Join(",", crons.Order(StringComparer.Ordinal));
        return names.Length == 0 ? null : names.Length <= MaxTagValue ? names : "sha256:" + Fingerprint.Hash(names)[..16];
    }

    /// <summary>A job of the environment's, made for a cron.</summary>
    public static bool OwnedJob(IReadOnlyDictionary<string, string>? tags, string project, string environment) =>
        Owned(tags, project, environment) && tags!.ContainsKey(Labels.Cron);

    public static bool Owned(IReadOnlyDictionary<string, string>? tags, string project, string environment) =>
        tags is not null && Ownership.Owns(tags.ToDictionary(), project, environment) && tags.ContainsKey(Labels.Service);

    public static string EnvHash(IReadOnlyDictionary<string, string> env) =>
        Fingerprint.Hash(string.Join("\n", env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")))[..16];

    public static string ScaleText(int? min, int? max) =>
        $"{min?.ToString(CultureInfo.InvariantCulture) ?? "-"}..{max?.ToString(CultureInfo.InvariantCulture) ?? "-"}";
}
