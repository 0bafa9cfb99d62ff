using System.Globalization;
using System.Text.RegularExpressions;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Azure.Api;

namespace Gitops.Providers.Azure;

/// <summary>
/// A service's spec as a container app: in the target's managed environment, one revision active at a
/// time (Single mode), ingress only for a service with a port (external only when public), secrets as
/// Key Vault references, one container (the image, <c>command</c> as its args, as Docker's CMD), the
/// smallest CPU/memory pair Container Apps allows that holds <c>resources</c>, HTTP probes from
/// <c>health.path</c>, scale bounds and rules, and the revision suffix the fingerprint names.
/// </summary>
public static partial class ContainerAppSpecs
{
    public const string Container = "app";

    /// <summary>The whole app as the platform wants it; refuses plain secret values (never showing them) before anything is sent.</summary>
    public static ContainerApp For(ServiceChange change, ContainerAppsOptions options, bool external)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(options);
        var desired = change.Node.Desired!;
        var spec = desired.Spec;
        var secrets = Secrets(desired, change, options);
        var env = spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new AppEnv(e.Key, e.Value))
            .Concat(secrets.Select(s => new AppEnv(Unmangle(s.Name, desired), SecretRef: s.Name)))
            .ToList();
        var scale = ScaleOf(desired);
        var resources = Resources(desired);
        var tags = ContainerAppsTags.Of(change.Project, change.Environment, desired.Name, desired.Fingerprint, desired.RunImage, spec.Env, scale.MinReplicas, scale.MaxReplicas);
        if (ContainerAppsTags.CronsText(desired.Extras.Crons.Select(c => c.Name)) is { } crons)
        {
            tags[ContainerAppsTags.Crons] = crons; // which jobs should exist: one deleted in the portal is drift
        }

        return new ContainerApp
        {
            Location = options.Location,
            Tags = tags,
            Identity = secrets.Count == 0 ? null
                : options.KeyVaultIdentity == ContainerAppsOptions.SystemIdentity ? new ManagedIdentity("SystemAssigned")
                : new ManagedIdentity("UserAssigned", new Dictionary<string, object>(StringComparer.Ordinal) { [options.KeyVaultIdentity] = new Dictionary<string, string>() }),
            Properties = new AppProperties
            {
                EnvironmentId = options.EnvironmentId,
                Configuration = new AppConfiguration
                {
                    ActiveRevisionsMode = "Single",
                    Ingress = spec.Port is { } port
                        ? new AppIngress { External = external, TargetPort = port, Transport = "auto", Traffic = [new TrafficWeight(100, LatestRevision: true)] }
                        : null,
                    Secrets = secrets.Count == 0 ? null : secrets,
                },
                Template = new AppTemplate
                {
                    RevisionSuffix = ContainerAppsNames.RevisionSuffix(desired.Fingerprint),
                    Containers =
                    [
                        new AppContainer
                        {
                            Name = Container,
                            Image = desired.RunImage,
                            Args = spec.Command?.ToList(),
                            Env = env.Count == 0 ? null : env,
                            Resources = resources,
                            Probes = Probes(desired),
                        },
                    ],
                    Scale = scale,
                },
            },
        };
    }

    /// <summary>A fixed count is min = max; autoscale's bounds with an http rule (rps as concurrent requests) and cpu/memory utilisation rules.</summary>
    public static AppScale ScaleOf(DesiredService desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.Extras.Autoscale is not { } autoscale)
        {
            return new AppScale { MinReplicas = desired.Replicas, MaxReplicas = desired.Replicas };
        }

        var rules = new List<ScaleRule>();
        if (autoscale.Rps is { } rps)
        {
            rules.Add(new ScaleRule("http", Http: new HttpScaleRule(new Dictionary<string, string>(StringComparer.Ordinal) { ["concurrentRequests"] = Text(rps) })));
        }

        if (autoscale.Cpu is { } cpu)
        {
            rules.Add(new ScaleRule("cpu", Custom: Utilization("cpu", cpu)));
        }

        if (autoscale.Memory is { } memory)
        {
            rules.Add(new ScaleRule("memory", Custom: Utilization("memory", memory)));
        }

        return new AppScale { MinReplicas = autoscale.Min, MaxReplicas = autoscale.Max, Rules = rules.Count == 0 ? null : rules };
    }

    /// <summary>
    /// Container Apps runs CPU and memory in fixed pairs (0.25 vCPU with 0.5Gi, 0.5 with 1Gi, … 4 with
    /// 8Gi on the consumption plan): the smallest pair that holds what was asked.
    /// </summary>
    public static AppResources? ResourcesFor(int cpuMillicores, long memoryBytes)
    {
        for (var quarters = 1; quarters <= 16; quarters++)
        {
            if (quarters * 250 >= cpuMillicores && quarters * 512L * 1024 * 1024 >= memoryBytes)
            {
                return new AppResources(quarters / 4.0, $"{(quarters / 2.0).ToString(CultureInfo.InvariantCulture)}Gi");
            }
        }

        return null;
    }

    public static bool IsReference(string value) => KeyVaultSecret().IsMatch(value.Trim());

    private static AppResources Resources(DesiredService desired) =>
        ResourcesFor(desired.Spec.CpuMillicores, desired.Spec.MemoryBytes)
        ?? throw new TargetRefusedException($"services.{desired.Name}.resources: a container app's replica has at most 4 vCPU and 8Gi on the consumption plan; ask for less");

    private static CustomScaleRule Utilization(string type, int percent) =>
        new(type, new Dictionary<string, string>(StringComparer.Ordinal) { ["type"] = "Utilization", ["value"] = Text(percent) });

    /// <summary>
    /// Container Apps reads a Key Vault reference with the app's identity when a revision starts: the
    /// platform's stored value must be a Key Vault secret's URL. A plain value is refused (by name, never
    /// showing it) rather than written into the app, where anyone who may read it would see it.
    /// </summary>
    private static List<AppSecret> Secrets(DesiredService desired, ServiceChange change, ContainerAppsOptions options)
    {
        var values = (change.Secrets?.Reveal() ?? []).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var secrets = new List<AppSecret>();
        foreach (var name in desired.Spec.Secrets.Order(StringComparer.Ordinal))
        {
            if (!values.TryGetValue(name, out var value) || !IsReference(value))
            {
                throw new TargetRefusedException($"services.{desired.Name}.secrets.{name}: a containerapps target gives secrets to apps as Key Vault references only; store the secret's URL as its value (paas secrets set {name} https://VAULT.vault.azure.net/secrets/NAME), not the secret itself (the value was not shown or sent)");
            }

            secrets.Add(new AppSecret(SecretName(name), value.Trim(), options.KeyVaultIdentity));
        }

        return secrets;
    }

    /// <summary>A Container Apps secret's name is lowercase letters, digits and '-': the variable's name, so made.</summary>
    public static string SecretName(string variable) => variable.ToLowerInvariant().Replace('_', '-');

    private static string Unmangle(string secretName, DesiredService desired) =>
        desired.Spec.Secrets.First(s => SecretName(s) == secretName);

    /// <summary>
    /// HTTP GETs of <c>health.path</c>: the startup probe keeps traffic off a new revision until it
    /// answers (the revision fails when it never does), readiness and liveness keep checking.
    /// Container Apps' limits: period 1–240 s, timeout 1–240 s, failure threshold 1–10.
    /// </summary>
    private static List<AppProbe>? Probes(DesiredService desired)
    {
        if (desired.Spec.Health is not { } health)
        {
            return null;
        }

        var get = new ProbeHttpGet(health.Path, health.Port ?? desired.Spec.Port ?? 80);
        var (period, timeout, failures) = (Seconds(health.Interval.Value, 1, 240), Seconds(health.Timeout.Value, 1, 240), Math.Clamp(health.Retries, 1, 10));
        AppProbe Probe(string type) => new() { Type = type, HttpGet = get, PeriodSeconds = period, TimeoutSeconds = timeout, FailureThreshold = failures };
        return
        [
            Probe("Startup") with { InitialDelaySeconds = Seconds(health.StartPeriod.Value, 0, 60) },
            Probe("Readiness"),
            Probe("Liveness"),
        ];
    }

    private static int Seconds(TimeSpan value, int min, int max) => Math.Clamp((int)Math.Ceiling(value.TotalSeconds), min, max);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^https://[a-z0-9-]{3,24}\\.vault\\.(azure\\.net|azure\\.cn|usgovcloudapi\\.net)/secrets/[A-Za-z0-9-]{1,127}(/[0-9a-f]{32})?$")]
    private static partial Regex KeyVaultSecret();
}
