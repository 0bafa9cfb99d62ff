using System.Globalization;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws.Api;

namespace Gitops.Providers.Aws;

/// <summary>
/// A service's spec as an ECS task definition revision: one essential container named
/// <see cref="Container"/> in awsvpc mode on Fargate, its logs in the environment's group,
/// secrets as <c>valueFrom</c> references, the fingerprint as a tag and a Docker label (what the
/// observer reads back from a task's revision).
/// </summary>
public static class EcsTaskDefinitions
{
    public const string Container = "app";

    public static RegisterTaskDefinitionRequest For(ServiceChange change, EcsOptions options, string region)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(options);
        var desired = change.Node.Desired!;
        var spec = desired.Spec;
        var size = FargateSize.For(spec.CpuMillicores, spec.MemoryBytes)
            ?? throw new TargetRefusedException($"services.{desired.Name}.resources: Fargate runs at most 16 vCPU and 120 GiB per task; ask for less");
        var labels = Labels.For(change.Project, change.Environment);
        labels[Labels.Service] = desired.Name;
        labels[Labels.Fingerprint] = desired.Fingerprint;
        return new RegisterTaskDefinitionRequest
        {
            Family = EcsNames.Service(change.Project, change.Environment, desired.Name),
            Cpu = size.Cpu,
            Memory = size.Memory,
            ExecutionRoleArn = options.ExecutionRole,
            TaskRoleArn = options.TaskRole,
            Tags = EcsTags.Of(change.Project, change.Environment, desired.Name, desired.Fingerprint),
            ContainerDefinitions =
            [
                new ContainerDefinition
                {
                    Name = Container,
                    Image = desired.RunImage,
                    Command = spec.Command?.ToList(),
                    User = spec.User,
                    Memory = MemoryLimit(spec.MemoryBytes),
                    ReadonlyRootFilesystem = spec.ReadOnly ? true : null,
                    PortMappings = spec.Port is { } port ? [new PortMapping(port)] : null,
                    Environment = spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new Api.KeyValuePair(e.Key, e.Value)).ToList(),
                    Secrets = References(desired, change),
                    HealthCheck = Health(desired),
                    LogConfiguration = new LogConfiguration("awslogs", new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["awslogs-group"] = EcsNames.LogGroup(change.Project, change.Environment),
                        ["awslogs-region"] = region,
                        ["awslogs-stream-prefix"] = desired.Name,
                    }),
                    DockerLabels = labels,
                },
            ],
        };
    }

    /// <summary>
    /// <c>resources.memory</c> is a limit on every target (Docker's --memory, a Kubernetes limit): the
    /// container's hard limit here too, in MiB (ECS's least is 6), while the task's Fargate size is
    /// the next one up. (moto also needs a container memory to run a task at all.)
    /// </summary>
    private static int MemoryLimit(long bytes) => Math.Max(6, (int)Math.Ceiling(bytes / (1024.0 * 1024.0)));

    /// <summary>
    /// ECS hands a task secrets by reference only (Secrets Manager or SSM Parameter Store ARNs,
    /// read by the execution role): the platform's stored value must be such an ARN. A plain value
    /// is refused (by name, never showing it) rather than written into the task definition, where
    /// anyone who may describe it would read it.
    /// </summary>
    private static List<Secret>? References(DesiredService desired, ServiceChange change)
    {
        if (desired.Spec.Secrets.Count == 0)
        {
            return null;
        }

        var values = (change.Secrets?.Reveal() ?? []).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var references = new List<Secret>();
        foreach (var name in desired.Spec.Secrets.Order(StringComparer.Ordinal))
        {
            if (!values.TryGetValue(name, out var value) || !IsReference(value))
            {
                throw new TargetRefusedException($"services.{desired.Name}.secrets.{name}: an ecs target gives secrets to tasks as references only; store the ARN of a Secrets Manager secret or an SSM parameter as its value (paas secrets set {name} arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), not the secret itself (the value was not shown or sent)");
            }

            references.Add(new Secret(name, value.Trim()));
        }

        return references;
    }

    public static bool IsReference(string value) =>
        value.Trim() is var v && (v.StartsWith("arn:aws", StringComparison.Ordinal) && (v.Contains(":secretsmanager:", StringComparison.Ordinal) || v.Contains(":ssm:", StringComparison.Ordinal)))
        && !v.Any(char.IsWhiteSpace);

    /// <summary>
    /// The container's health check, as a command without a shell: a <c>health.command</c> as it is;
    /// a path as <c>wget</c> of it on localhost (the image must have wget, else give health.command).
    /// ECS's limits apply: interval 5–300 s, timeout 2–60 s, retries 1–10, start period 0–300 s.
    /// </summary>
    private static HealthCheck? Health(DesiredService desired)
    {
        if (desired.Spec.Health is not { } health)
        {
            return null;
        }

        List<string> command = health.Command is { Count: > 0 } given
            ? ["CMD", .. given]
            : ["CMD", "wget", "-q", "-O", "/dev/null", $"http://127.0.0.1:{(health.Port ?? desired.Spec.Port ?? 80).ToString(CultureInfo.InvariantCulture)}{health.Path}"];
        return new HealthCheck(
            command,
            Clamp(health.Interval.Value, 5, 300),
            Clamp(health.Timeout.Value, 2, 60),
            Math.Clamp(health.Retries, 1, 10),
            Clamp(health.StartPeriod.Value, 0, 300));
    }

    private static int Clamp(TimeSpan value, int min, int max) => Math.Clamp((int)Math.Ceiling(value.TotalSeconds), min, max);
}
