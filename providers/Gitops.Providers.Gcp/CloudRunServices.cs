using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Gcp.Api;

namespace Gitops.Providers.Gcp;

/// <summary>
/// A service's spec as a Cloud Run service: one container (the image, <c>command</c> as the
/// container's args, as Docker's CMD), plain env and Secret Manager references, the port, CPU and
/// memory limits, an HTTP startup and liveness probe from <c>health.path</c>; service-level scaling
/// (min = max = replicas, or autoscale's bounds: no new revision when only the count changes); all
/// traffic on the latest ready revision; ownership labels, and the whole fingerprint and what a
/// console edit could change as annotations.
/// </summary>
public static partial class CloudRunServices
{
    public const string Container = "app";

    /// <summary>The body of a create or patch; refuses plain secret values (never showing them) before anything is sent.</summary>
    public static RunService For(ServiceChange change, CloudRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(options);
        var desired = change.Node.Desired!;
        var spec = desired.Spec;
        var labels = CloudRunLabels.Of(change.Project, change.Environment, desired.Name, desired.Fingerprint);
        var scaling = ScalingOf(desired);
        var container = new RunContainer
        {
            Name = Container,
            Image = desired.RunImage,
            Args = spec.Command?.ToList(),
            Env = [.. spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new EnvVar(e.Key, e.Value)), .. References(desired, change)],
            Ports = spec.Port is { } port ? [new ContainerPortSpec(port)] : null,
            Resources = Limits(desired),
            StartupProbe = Probe(desired, startup: true),
            LivenessProbe = Probe(desired, startup: false),
        };
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CloudRunLabels.Fingerprint] = desired.Fingerprint,
            [CloudRunLabels.Applied] = JsonSerializer.Serialize(Applied.Of(container, scaling, desired.Extras.Crons), CloudRunTransport.Json),
        };
        return new RunService
        {
            Labels = labels,
            Annotations = annotations,
            Ingress = "INGRESS_TRAFFIC_ALL",
            Template = new RevisionTemplate
            {
                Labels = labels,
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [CloudRunLabels.Fingerprint] = desired.Fingerprint },
                Containers = [container],
                ServiceAccount = options.ServiceAccount,
            },
            Scaling = scaling,
            Traffic = [new TrafficTarget(TrafficTarget.Latest, 100)],
        };
    }

    /// <summary>Cloud Run keeps min instances warm and starts more up to max; a fixed count is min = max.</summary>
    public static ServiceScaling ScalingOf(DesiredService desired) =>
        desired.Extras.Autoscale is { } autoscale ? new ServiceScaling(autoscale.Min, autoscale.Max) : new ServiceScaling(desired.Replicas, desired.Replicas);

    /// <summary>
    /// Cloud Run resolves Secret Manager references when an instance starts (its service account
    /// needs <c>roles/secretmanager.secretAccessor</c>): the platform's stored value must be such a
    /// reference. A plain value is refused (by name, never showing it) rather than written into the
    /// service, where anyone who may read it would see it.
    /// </summary>
    private static List<EnvVar> References(DesiredService desired, ServiceChange change)
    {
        var values = (change.Secrets?.Reveal() ?? []).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var references = new List<EnvVar>();
        foreach (var name in desired.Spec.Secrets.Order(StringComparer.Ordinal))
        {
            var match = values.TryGetValue(name, out var value) ? SecretReference().Match(value.Trim()) : Match.Empty;
            if (!match.Success)
            {
                throw new TargetRefusedException($"services.{desired.Name}.secrets.{name}: a cloudrun target gives secrets to instances as Secret Manager references only; store the secret's resource name as its value (paas secrets set {name} projects/PROJECT/secrets/NAME[/versions/VERSION]), not the secret itself (the value was not shown or sent)");
            }

            var version = match.Groups["version"].Success ? match.Groups["version"].Value : "latest";
            references.Add(new EnvVar(name, ValueSource: new EnvVarSource(new SecretKeySelector(match.Groups["secret"].Value, version))));
        }

        return references;
    }

    public static bool IsReference(string value) => SecretReference().IsMatch(value.Trim());

    /// <summary>Cloud Run's CPU is whole vCPUs (up to 8) or millicores below one; memory in MiB (up to 32 GiB).</summary>
    private static ResourceRequirements? Limits(DesiredService desired)
    {
        var (cpu, memory) = (desired.Spec.CpuMillicores, desired.Spec.MemoryBytes);
        if (cpu > 8000 || memory > 32L * 1024 * 1024 * 1024)
        {
            throw new TargetRefusedException($"services.{desired.Name}.resources: a Cloud Run instance has at most 8 vCPU and 32 GiB; ask for less");
        }

        var limits = new Dictionary<string, string>(StringComparer.Ordinal);
        if (cpu > 0)
        {
            limits["cpu"] = cpu % 1000 == 0 ? (cpu / 1000).ToString(CultureInfo.InvariantCulture) : $"{cpu.ToString(CultureInfo.InvariantCulture)}m";
        }

        if (memory > 0)
        {
            limits["memory"] = $"{Math.Ceiling(memory / (1024.0 * 1024.0)).ToString(CultureInfo.InvariantCulture)}Mi";
        }

        return limits.Count == 0 ? null : new ResourceRequirements(limits);
    }

    /// <summary>
    /// An HTTP GET of <c>health.path</c>: the startup probe keeps traffic off a new revision until it
    /// answers (Cloud Run fails the revision when it never does), the liveness probe restarts an
    /// instance that stops answering. Cloud Run's limits: period 1–240 s, timeout at most the period.
    /// </summary>
    private static Probe? Probe(DesiredService desired, bool startup)
    {
        if (desired.Spec.Health is not { } health)
        {
            return null;
        }

        var period = Seconds(health.Interval.Value, 1, 240);
        return new Probe
        {
            HttpGet = new HttpGetAction(health.Path, health.Port is { } port && port != desired.Spec.Port ? port : null),
            InitialDelaySeconds = startup ? Seconds(health.StartPeriod.Value, 0, 240) : null,
            PeriodSeconds = period,
            TimeoutSeconds = Math.Min(Seconds(health.Timeout.Value, 1, 240), period),
            FailureThreshold = Math.Max(1, health.Retries),
        };
    }

    private static int Seconds(TimeSpan value, int min, int max) => Math.Clamp((int)Math.Ceiling(value.TotalSeconds), min, max);

    [GeneratedRegex("^(?<secret>projects/[^/\\s]+/secrets/[A-Za-z0-9_-]+)(/versions/(?<version>latest|[0-9]+))?$")]
    private static partial Regex SecretReference();
}

/// <summary>What the platform set that someone could change in the console: compared by the observer (drift).</summary>
/// <param name="Crons">The service's crons (null when none): the observer looks for their jobs.</param>
internal sealed record Applied(string Image, Dictionary<string, string> Env, int? Min, int? Max, List<string>? Crons = null)
{
    public static Applied Of(RunContainer container, ServiceScaling scaling, IReadOnlyCollection<DesiredCron> crons) =>
        new(container.Image, Plain(container), scaling.MinInstanceCount, scaling.MaxInstanceCount, crons.Count == 0 ? null : [.. crons.Select(c => c.Name).Order(StringComparer.Ordinal)]);

    /// <summary>The plain variables (secret references are names, not values).</summary>
    public static Dictionary<string, string> Plain(RunContainer container) =>
        (container.Env ?? []).Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value!, StringComparer.Ordinal);
}
