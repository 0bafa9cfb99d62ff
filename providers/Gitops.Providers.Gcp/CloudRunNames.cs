using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Gcp;

/// <summary>
/// Cloud Run names in the platform's one naming shape. A service id is at most 49 lowercase letters,
/// digits and '-', starting with a letter and not ending with '-'. Project and environment names may
/// hold '-', so every name ends with a hash of the exact (project, environment, service):
/// <c>x-app</c>/<c>dev</c>/<c>web</c> and <c>x</c>/<c>app-dev</c>/<c>web</c> never share one. Ownership
/// labels, not names, decide what is the platform's.
/// </summary>
public static class CloudRunNames
{
    public const int MaxServiceId = 49;

    /// <summary>The Cloud Run service: <c>paas-shop-production-web-1a2b3c</c>.</summary>
    public static string Service(string project, string environment, string service)
    {
        var name = $"paas-{project}-{environment}-{service}".ToLowerInvariant().Replace('_', '-');
        var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{project}\n{environment}\n{service}")))[..6];
        return name.Length + suffix.Length + 1 <= MaxServiceId ? $"{name}-{suffix}" : $"{name[..(MaxServiceId - suffix.Length - 1)].TrimEnd('-')}-{suffix}";
    }

    /// <summary>
    /// A cron's Cloud Run job and the Cloud Scheduler job that runs it (one id for both, in the service
    /// id's shape and length, which fits both APIs): <c>paas-shop-production-web-nightly-4d5e6f</c>.
    /// </summary>
    public static string Cron(string project, string environment, string service, string cron)
    {
        var name = $"paas-{project}-{environment}-{service}-{cron}".ToLowerInvariant().Replace('_', '-');
        var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{project}\n{environment}\n{service}\n{cron}")))[..6];
        return name.Length + suffix.Length + 1 <= MaxServiceId ? $"{name}-{suffix}" : $"{name[..(MaxServiceId - suffix.Length - 1)].TrimEnd('-')}-{suffix}";
    }

    /// <summary>The instance name the platform records (inventory, plan): <c>paas_project_env_service</c>.</summary>
    public static string Instance(string project, string environment, string service) => ServiceInstances.Of(project, environment, service);

    /// <summary>(project, environment, service) of an instance name; null for a name of another shape.</summary>
    public static (string Project, string Environment, string Service)? Parse(string instance) => ServiceInstances.Parse(instance);
}

/// <summary>
/// The ownership labels on every Cloud Run service the platform makes. GCP label keys allow only
/// lowercase letters, digits, '_' and '-', so the platform's <c>paas.project</c> is <c>paas-project</c>
/// there; values are at most 63 characters, so the 64-character fingerprint is kept whole in an
/// annotation (<see cref="Fingerprint"/>) and its first 16 characters in the label people filter by.
/// </summary>
public static class CloudRunLabels
{
    /// <summary>The service's and revision template's annotation with the whole fingerprint.</summary>
    public const string Fingerprint = "paas/fingerprint";

    /// <summary>What the platform set that a console edit may change (image, env, scaling), as JSON: drift is a difference from it.</summary>
    public const string Applied = "paas/applied";

    public static Dictionary<string, string> Of(string project, string environment, string service, string fingerprint)
    {
        var labels = Labels.For(project, environment);
        labels[Labels.Service] = service;
        labels[Labels.Fingerprint] = fingerprint[..16];
        return labels.ToDictionary(l => Key(l.Key), l => l.Value, StringComparer.Ordinal);
    }

    /// <summary>Cloud Run's labels under the platform's keys (<c>paas-project</c> → <c>paas.project</c>), for <see cref="Ownership"/>.</summary>
    /// <summary>A cron's Cloud Run job: the environment's ownership labels, its service and its cron name.</summary>
    public static Dictionary<string, string> OfCron(string project, string environment, string service, string cron)
    {
        var labels = Labels.For(project, environment);
        labels[Labels.Service] = service;
        labels[Labels.Cron] = cron;
        return labels.ToDictionary(l => Key(l.Key), l => l.Value, StringComparer.Ordinal);
    }

    public static Dictionary<string, string> Platform(IReadOnlyDictionary<string, string>? labels) =>
        (labels ?? new Dictionary<string, string>()).ToDictionary(l => l.Key.StartsWith("paas-", StringComparison.Ordinal) ? "paas." + l.Key[5..] : l.Key, l => l.Value, StringComparer.Ordinal);

    public static bool Owned(IReadOnlyDictionary<string, string>? labels, string project, string environment) =>
        Ownership.Owns(Platform(labels), project, environment) && Platform(labels).ContainsKey(Labels.Service);

    public static string Key(string platformKey) => platformKey.Replace('.', '-');
}
