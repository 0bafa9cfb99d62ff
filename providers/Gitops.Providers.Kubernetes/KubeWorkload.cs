using Gitops.Engine.Desired;
using Gitops.Schema.Model;
using k8s.Models;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// A paas service as a Kubernetes Deployment: the cluster rolls it out (never below the running
/// capacity: <c>maxUnavailable: 0</c>), gated on the readiness probe, with the same defaults as the
/// container family (all capabilities dropped but five, no privilege escalation, memory limit,
/// read-only root on request). Pure: the same service always gives the same object.
/// </summary>
public static class KubeWorkload
{
    /// <summary>The capabilities a container keeps, as the container family's policy allows them.</summary>
    public static readonly IReadOnlyList<string> KeptCapabilities = ["CHOWN", "KILL", "NET_BIND_SERVICE", "SETGID", "SETUID"];

    public const string ContainerName = "app";
    public const string SandboxRuntimeClass = "gvisor";

    public static V1Deployment Deployment(KubeScope scope, DesiredService service, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        var name = KubeNames.Object(scope, service.Name);
        var labels = KubeLabels.Service(scope.Project, scope.Environment, service.Name);
        var podLabels = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        if (service.Extras.AllowFrom.Count > 0)
        {
            podLabels[KubeLabels.Restricted] = "true";
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = scope.Namespace, Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = service.Extras.Autoscale is null ? service.Replicas : null, // the autoscaler owns the count
                Selector = new V1LabelSelector { MatchLabels = KubeLabels.Selector(scope.Project, scope.Environment, service.Name) },
                Strategy = service.Strategy == DeployStrategy.Recreate
                    ? new V1DeploymentStrategy { Type = "Recreate" }
                    : new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = service.MaxSurge ?? 1 } },
                ProgressDeadlineSeconds = options.ProgressDeadlineSeconds,
                RevisionHistoryLimit = 5,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = podLabels,
                        Annotations = new Dictionary<string, string> { [KubeLabels.Fingerprint] = service.Fingerprint },
                    },
                    Spec = PodSpec(scope, service, service.Spec.Command, probes: true),
                },
            },
        };
    }

    /// <summary>
    /// A cron as a CronJob: the service's pod (image, env, secrets, volumes, limits, policy) with the
    /// cron's command, no probes and no port, stopped after its timeout, on its schedule in its time zone (UTC by default).
    /// </summary>
    public static V1CronJob CronJob(KubeScope scope, DesiredService service, DesiredCron cron)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(cron);
        var labels = KubeLabels.Service(scope.Project, scope.Environment, service.Name);
        var podLabels = KubeLabels.Environment(scope.Project, scope.Environment);
        podLabels[KubeLabels.Cron] = cron.Name;
        podLabels[KubeLabels.Name] = cron.Name;
        var pod = PodSpec(scope, service, cron.Command ?? service.Spec.Command, probes: false);
        pod.RestartPolicy = "Never";
        return new V1CronJob
        {
            ApiVersion = "batch/v1",
            Kind = "CronJob",
            Metadata = new V1ObjectMeta { Name = KubeNames.Object(scope, "cron-" + cron.Name), NamespaceProperty = scope.Namespace, Labels = labels },
            Spec = new V1CronJobSpec
            {
                Schedule = cron.Schedule,
                TimeZone = cron.TimeZone ?? "Etc/UTC",
                ConcurrencyPolicy = cron.Concurrency.ToString(),
                SuccessfulJobsHistoryLimit = 3,
                FailedJobsHistoryLimit = 3,
                JobTemplate = new V1JobTemplateSpec
                {
                    Spec = new V1JobSpec
                    {
                        ActiveDeadlineSeconds = Seconds(cron.Timeout),
                        BackoffLimit = 0, // a failed run waits for its next schedule, as on a crontab
                        Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = podLabels }, Spec = pod },
                    },
                },
            },
        };
    }

    /// <summary>
    /// <c>autoscale:</c> as a HorizontalPodAutoscaler (autoscaling/v2) of the Deployment, on the
    /// average CPU and memory use of the pods as a share of their requests (80 % CPU when the
    /// manifest names neither, the autoscaler's own default).
    /// </summary>
    public static V2HorizontalPodAutoscaler Autoscaler(KubeScope scope, DesiredService service)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(service);
        var autoscale = service.Extras.Autoscale ?? throw new ArgumentException($"{service.Name} does not autoscale", nameof(service));
        var metrics = new List<V2MetricSpec>();
        if (autoscale.Cpu is not null || autoscale.Memory is null)
        {
            metrics.Add(Utilization("cpu", autoscale.Cpu ?? 80));
        }

        if (autoscale.Memory is { } memory)
        {
            metrics.Add(Utilization("memory", memory));
        }

        var name = KubeNames.Object(scope, service.Name);
        return new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = scope.Namespace, Labels = KubeLabels.Service(scope.Project, scope.Environment, service.Name) },
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
                MinReplicas = autoscale.Min,
                MaxReplicas = autoscale.Max,
                Metrics = metrics,
            },
        };

        static V2MetricSpec Utilization(string resource, int percent) => new()
        {
            Type = "Resource",
            Resource = new V2ResourceMetricSource { Name = resource, Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = percent } },
        };
    }

    private static V1PodSpec PodSpec(KubeScope scope, DesiredService service, IReadOnlyList<string>? command, bool probes)
    {
        var spec = service.Spec;
        var mounts = spec.Mounts.OrderBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => (Volume: KubeNames.VolumeKey(m.Key), Claim: KubeNames.Claim(scope, KubeNames.VolumeKey(m.Key)), Path: m.Value))
            .ToList();
        var volumes = mounts.Select(m => new V1Volume { Name = m.Volume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = m.Claim } }).ToList();
        var volumeMounts = mounts.Select(m => new V1VolumeMount { Name = m.Volume, MountPath = m.Path }).ToList();
        if (spec.ReadOnly)
        {
            // As on Docker: a read-only root still gets a small writable /tmp.
            volumes.Add(new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("64Mi") } });
            volumeMounts.Add(new V1VolumeMount { Name = "tmp", MountPath = "/tmp" });
        }

        return new V1PodSpec
        {
            Containers = [Container(scope, service, command, probes, volumeMounts)],
            Volumes = volumes.Count > 0 ? volumes : null,
            RuntimeClassName = spec.Sandbox == SandboxKind.Gvisor ? SandboxRuntimeClass : null,
            // An app has no business with the cluster's API, nor with every other service's address in its env.
            AutomountServiceAccountToken = false,
            EnableServiceLinks = false,
            TerminationGracePeriodSeconds = (long)Math.Ceiling(service.Drain.Value.TotalSeconds) + 10,
            SecurityContext = new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
        };
    }

    private static V1Container Container(KubeScope scope, DesiredService service, IReadOnlyList<string>? command, bool probes, List<V1VolumeMount> mounts)
    {
        var spec = service.Spec;
        var env = spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })
            .Concat(spec.Secrets.Order(StringComparer.Ordinal).Select(s => new V1EnvVar
            {
                Name = s,
                ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = KubeNames.Secret(scope, service), Key = s } },
            }))
            .ToList();
        var limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(KubeQuantities.Memory(spec.MemoryBytes)) };
        if (spec.CpuMillicores > 0)
        {
            limits["cpu"] = new ResourceQuantity(KubeQuantities.Cpu(spec.CpuMillicores));
        }

        return new V1Container
        {
            Name = ContainerName,
            Image = service.RunImage,
            Args = command?.ToList(), // as on Docker: replaces the image's command, keeps its entrypoint
            Env = env.Count > 0 ? env : null,
            Ports = probes && spec.Port is { } port ? [new V1ContainerPort { Name = "http", ContainerPort = port, Protocol = "TCP" }] : null,
            ReadinessProbe = probes ? Probe(spec, readiness: true) : null,
            LivenessProbe = probes ? Probe(spec, readiness: false) : null,
            Resources = new V1ResourceRequirements { Limits = limits, Requests = new Dictionary<string, ResourceQuantity>(limits) },
            VolumeMounts = mounts.Count > 0 ? mounts : null,
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                Privileged = false,
                RunAsUser = spec.User is { } user ? long.Parse(user.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture) : null, // a name is refused before (CapabilityCheck)
                RunAsGroup = spec.User is { } withGroup && withGroup.Contains(':', StringComparison.Ordinal) ? long.Parse(withGroup.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) : null,
                ReadOnlyRootFilesystem = spec.ReadOnly,
                Capabilities = new V1Capabilities { Drop = ["ALL"], Add = [.. KeptCapabilities] },
            },
        };
    }

    /// <summary>
    /// The health check as probes: readiness gates traffic and the rollout; liveness restarts a
    /// replica that stops answering, after the start period and the same number of failures.
    /// </summary>
    private static V1Probe? Probe(ServiceSpec spec, bool readiness)
    {
        if (spec.Health is not { } health || (health.Command is null && (health.Port ?? spec.Port) is null))
        {
            return null;
        }

        return new V1Probe
        {
            HttpGet = health.Command is null ? new V1HTTPGetAction { Path = health.Path, Port = (health.Port ?? spec.Port)!.Value, Scheme = "HTTP" } : null,
            Exec = health.Command is { } command ? new V1ExecAction { Command = [.. command] } : null,
            InitialDelaySeconds = readiness ? null : Seconds(health.StartPeriod),
            PeriodSeconds = Math.Max(1, Seconds(health.Interval)),
            TimeoutSeconds = Math.Max(1, Seconds(health.Timeout)),
            FailureThreshold = Math.Max(1, health.Retries),
            SuccessThreshold = 1,
        };
    }

    private static int Seconds(Duration duration) => (int)Math.Ceiling(duration.Value.TotalSeconds);
}
