namespace Gitops.Providers.Aws.Api;

// The ECS API's shapes as the AWS SDK for .NET names them (Amazon.ECS.Model), with the members the
// platform uses: swapping in AWSSDK.ECS later changes the client, not the driver. On the wire they
// are camelCase JSON (the ECS API reference's names).

public sealed record Tag(string Key, string Value);

public sealed record KeyValuePair(string Name, string Value);

public sealed record Secret(string Name, string ValueFrom);

public sealed record PortMapping(int ContainerPort, string Protocol = "tcp");

public sealed record HealthCheck(IReadOnlyList<string> Command, int Interval, int Timeout, int Retries, int StartPeriod);

public sealed record LogConfiguration(string LogDriver, IReadOnlyDictionary<string, string> Options);

public sealed record ContainerDefinition
{
    public required string Name { get; init; }

    public required string Image { get; init; }

    public bool Essential { get; init; } = true;

    public IReadOnlyList<string>? Command { get; init; }

    public string? User { get; init; }

    /// <summary>The container's hard memory limit in MiB (at most the task's memory).</summary>
    public int? Memory { get; init; }

    public bool? ReadonlyRootFilesystem { get; init; }

    public IReadOnlyList<PortMapping>? PortMappings { get; init; }

    public IReadOnlyList<KeyValuePair>? Environment { get; init; }

    public IReadOnlyList<Secret>? Secrets { get; init; }

    public HealthCheck? HealthCheck { get; init; }

    public LogConfiguration? LogConfiguration { get; init; }

    public IReadOnlyDictionary<string, string>? DockerLabels { get; init; }
}

public sealed record RegisterTaskDefinitionRequest
{
    public required string Family { get; init; }

    public required IReadOnlyList<ContainerDefinition> ContainerDefinitions { get; init; }

    public string NetworkMode { get; init; } = "awsvpc";

    public IReadOnlyList<string> RequiresCompatibilities { get; init; } = ["FARGATE"];

    public required string Cpu { get; init; }

    public required string Memory { get; init; }

    public string? ExecutionRoleArn { get; init; }

    public string? TaskRoleArn { get; init; }

    public IReadOnlyList<Tag>? Tags { get; init; }
}

public sealed record TaskDefinition
{
    public string TaskDefinitionArn { get; init; } = "";

    public string Family { get; init; } = "";

    public int Revision { get; init; }

    public string? Status { get; init; }

    public IReadOnlyList<ContainerDefinition> ContainerDefinitions { get; init; } = [];
}

/// <param name="Tags">The revision's tags (asked with include TAGS).</param>
public sealed record DescribeTaskDefinitionResponse(TaskDefinition TaskDefinition, IReadOnlyList<Tag>? Tags);

public sealed record AwsVpcConfiguration(IReadOnlyList<string> Subnets, IReadOnlyList<string> SecurityGroups, string AssignPublicIp);

public sealed record NetworkConfiguration(AwsVpcConfiguration AwsvpcConfiguration);

public sealed record DeploymentCircuitBreaker(bool Enable, bool Rollback);

public sealed record DeploymentConfiguration(DeploymentCircuitBreaker? DeploymentCircuitBreaker, int? MaximumPercent, int? MinimumHealthyPercent);

public sealed record LoadBalancer(string TargetGroupArn, string ContainerName, int ContainerPort);

public sealed record CreateServiceRequest
{
    public required string Cluster { get; init; }

    public required string ServiceName { get; init; }

    public required string TaskDefinition { get; init; }

    public int DesiredCount { get; init; }

    public string LaunchType { get; init; } = "FARGATE";

    public required NetworkConfiguration NetworkConfiguration { get; init; }

    public required DeploymentConfiguration DeploymentConfiguration { get; init; }

    public IReadOnlyList<LoadBalancer>? LoadBalancers { get; init; }

    public int? HealthCheckGracePeriodSeconds { get; init; }

    public string PropagateTags { get; init; } = "SERVICE";

    public bool EnableECSManagedTags { get; init; } = true;

    /// <summary>ECS's idempotency token: a retried create with the same token and parameters returns the same service.</summary>
    public string? ClientToken { get; init; }

    public IReadOnlyList<Tag>? Tags { get; init; }
}

public sealed record UpdateServiceRequest
{
    public required string Cluster { get; init; }

    public required string Service { get; init; }

    public string? TaskDefinition { get; init; }

    /// <summary>Null leaves the count alone (Application Auto Scaling owns it for an autoscaled service).</summary>
    public int? DesiredCount { get; init; }

    public NetworkConfiguration? NetworkConfiguration { get; init; }

    public DeploymentConfiguration? DeploymentConfiguration { get; init; }

    public IReadOnlyList<LoadBalancer>? LoadBalancers { get; init; }

    public int? HealthCheckGracePeriodSeconds { get; init; }
}

public sealed record Deployment
{
    public string Id { get; init; } = "";

    public string Status { get; init; } = "";

    public string TaskDefinition { get; init; } = "";

    public int DesiredCount { get; init; }

    public int RunningCount { get; init; }

    public int FailedTasks { get; init; }

    public string? RolloutState { get; init; }

    public string? RolloutStateReason { get; init; }
}

public sealed record ServiceEvent(string? Id, string? Message);

public sealed record Service
{
    public string ServiceArn { get; init; } = "";

    public string ServiceName { get; init; } = "";

    public string Status { get; init; } = "";

    public string TaskDefinition { get; init; } = "";

    public int DesiredCount { get; init; }

    public int RunningCount { get; init; }

    public IReadOnlyList<Deployment> Deployments { get; init; } = [];

    public IReadOnlyList<LoadBalancer> LoadBalancers { get; init; } = [];

    public DeploymentConfiguration? DeploymentConfiguration { get; init; }

    public IReadOnlyList<ServiceEvent> Events { get; init; } = [];

    public IReadOnlyList<Tag> Tags { get; init; } = [];
}

public sealed record Attachment(IReadOnlyList<KeyValuePair>? Details);

public sealed record EcsTask
{
    public string TaskArn { get; init; } = "";

    public string TaskDefinitionArn { get; init; } = "";

    public string? LastStatus { get; init; }

    public string? DesiredStatus { get; init; }

    public string? HealthStatus { get; init; }

    /// <summary><c>service:NAME</c> for a service's tasks.</summary>
    public string? Group { get; init; }

    public double? CreatedAt { get; init; }

    /// <summary>When the task began running (seconds since the epoch); none before it runs.</summary>
    public double? StartedAt { get; init; }

    /// <summary>The task's tags (asked with include TAGS).</summary>
    public IReadOnlyList<Tag> Tags { get; init; } = [];

    public string? StoppedReason { get; init; }

    public IReadOnlyList<Attachment> Attachments { get; init; } = [];
}

public sealed record Cluster(string ClusterName, string ClusterArn, string Status);
