using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Desired;

namespace Gitops.Providers.Aws;

/// <summary>
/// AWS names in the platform's one naming shape. ECS names allow letters, digits, '-' and '_'
/// (255); a target group's at most 32 of letters, digits and '-'. '_' is the platform's separator,
/// but project and environment names may hold '-', so every name ends with a hash of the exact
/// (project, environment, service): <c>x-app</c>/<c>dev</c>/<c>web</c> and <c>x</c>/<c>app-dev</c>/<c>web</c>
/// never share one. Ownership tags, not names, decide what is the platform's.
/// </summary>
public static class EcsNames
{
    /// <summary>The ECS service and its task definition family: <c>paas-shop-production-web-1a2b3c</c>.</summary>
    public static string Service(string project, string environment, string service) =>
        Fit($"paas-{project}-{environment}-{service}", Hash(project, environment, service), 255);

    /// <summary>A public service's target group (32 characters at most): <c>paas-web-1a2b3c4d5e</c>.</summary>
    public static string TargetGroup(string project, string environment, string service) =>
        Fit($"paas-{service}", Hash(project, environment, service)[..10], 32, hashLength: 10);

    /// <summary>
    /// A cron's task definition family: <c>paas-shop-production-cron-nightly-1a2b3c</c>. Its hash is of
    /// <c>crons.NAME</c>, which no service name can be ('.' is not allowed in one), so it never meets a service's family.
    /// </summary>
    public static string CronFamily(string project, string environment, string cron) =>
        Fit($"paas-{project}-{environment}-cron-{cron}", Hash(project, environment, $"crons.{cron}"), 255);

    /// <summary>The environment's EventBridge Scheduler group (64 characters at most): <c>paas-shop-production-1a2b3c</c>.</summary>
    public static string ScheduleGroup(string project, string environment) =>
        Fit($"paas-{project}-{environment}", Hash(project, environment, ""), 64);

    /// <summary>A cron's schedule in its environment's group (64 characters at most): <c>paas-nightly-1a2b3c</c>.</summary>
    public static string Schedule(string project, string environment, string cron) =>
        Fit($"paas-{cron}", Hash(project, environment, $"crons.{cron}"), 64);

    /// <summary>The ECS task group of a cron's runs.</summary>
    public static string CronTaskGroup(string cron) => $"paas-cron:{cron}";

    /// <summary>The environment's CloudWatch Logs group: '/' cannot occur in names, so it is unambiguous as it is.</summary>
    public static string LogGroup(string project, string environment) => $"/paas/{project}/{environment}";

    /// <summary>Application Auto Scaling's id of a service's desired count.</summary>
    public static string ScalingResource(string cluster, string serviceName) => $"service/{cluster}/{serviceName}";

    /// <summary>The instance name the platform records (inventory, plan): <c>paas_project_env_service</c>.</summary>
    public static string Instance(string project, string environment, string service) => Engine.Targets.ServiceInstances.Of(project, environment, service);

    /// <summary>(project, environment, service) of an instance name; null for a name of another shape.</summary>
    public static (string Project, string Environment, string Service)? Parse(string instance) => Engine.Targets.ServiceInstances.Parse(instance);

    /// <summary>(project, environment) of an environment's space (<c>paas_project_env</c>).</summary>
    public static (string Project, string Environment)? ParseEnvironment(string name) =>
        name.Split(Names.Separator) is ["paas", var project, var environment] ? (project, environment) : null;

    private static string Fit(string name, string hash, int max, int hashLength = 6)
    {
        var suffix = hash[..hashLength];
        return name.Length + hashLength + 1 <= max ? $"{name}-{suffix}" : $"{name[..(max - hashLength - 1)].TrimEnd('-')}-{suffix}";
    }

    private static string Hash(string project, string environment, string service) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{project}\n{environment}\n{service}")));
}

/// <summary>The ownership tags on everything the platform creates on AWS (<see cref="Labels"/>), and how they are read.</summary>
public static class EcsTags
{
    /// <summary>The replica count the platform set: a different live desired count is drift.</summary>
    public const string Replicas = "paas.replicas";

    public static List<Api.Tag> Of(string project, string environment, string? service = null, string? fingerprint = null, int? replicas = null)
    {
        var tags = Labels.For(project, environment).Select(l => new Api.Tag(l.Key, l.Value)).ToList();
        if (service is not null)
        {
            tags.Add(new Api.Tag(Labels.Service, service));
        }

        if (fingerprint is not null)
        {
            tags.Add(new Api.Tag(Labels.Fingerprint, fingerprint));
        }

        if (replicas is not null)
        {
            tags.Add(new Api.Tag(Replicas, replicas.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return tags;
    }

    public static Dictionary<string, string> Map(IEnumerable<Api.Tag>? tags) =>
        (tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    public static bool Owned(IEnumerable<Api.Tag>? tags, string project, string environment) => Ownership.Owns(Map(tags), project, environment);
}
