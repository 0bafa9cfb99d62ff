namespace Gitops.Providers.Aws.Api;

// EventBridge Scheduler's shapes as the AWS SDK for .NET names them (Amazon.Scheduler.Model), with the
// members the platform sets. On the wire they are PascalCase JSON (the Scheduler API reference's names).

public sealed record SchedulerAwsVpcConfiguration(IReadOnlyList<string> Subnets, IReadOnlyList<string> SecurityGroups, string AssignPublicIp);

/// <summary>The one member the Scheduler API spells in camelCase (API_NetworkConfiguration: <c>awsvpcConfiguration</c>).</summary>
public sealed record SchedulerNetworkConfiguration([property: System.Text.Json.Serialization.JsonPropertyName("awsvpcConfiguration")] SchedulerAwsVpcConfiguration AwsvpcConfiguration);

/// <summary>The RunTask the schedule makes (API_EcsParameters).</summary>
public sealed record EcsParameters
{
    public required string TaskDefinitionArn { get; init; }

    public int TaskCount { get; init; } = 1;

    public string LaunchType { get; init; } = "FARGATE";

    public SchedulerNetworkConfiguration? NetworkConfiguration { get; init; }

    /// <summary>TASK_DEFINITION: each run task carries its revision's tags (the ownership tags).</summary>
    public string? PropagateTags { get; init; } = "TASK_DEFINITION";

    public bool? EnableECSManagedTags { get; init; } = true;

    /// <summary>The task group: <c>paas-cron:NAME</c>, so a run is told apart from a service's task.</summary>
    public string? Group { get; init; }
}

public sealed record RetryPolicy(int MaximumRetryAttempts, int? MaximumEventAgeInSeconds = null);

public sealed record ScheduleTarget
{
    public required string Arn { get; init; }

    public required string RoleArn { get; init; }

    public EcsParameters? EcsParameters { get; init; }

    public RetryPolicy? RetryPolicy { get; init; }
}

public sealed record FlexibleTimeWindow(string Mode, int? MaximumWindowInMinutes = null);

/// <summary>A schedule as CreateSchedule/UpdateSchedule take it and GetSchedule answers it.</summary>
public sealed record Schedule
{
    public string Name { get; init; } = "";

    public string? GroupName { get; init; }

    public string? Arn { get; init; }

    public string ScheduleExpression { get; init; } = "";

    public string? ScheduleExpressionTimezone { get; init; }

    public FlexibleTimeWindow FlexibleTimeWindow { get; init; } = new("OFF");

    public string? State { get; init; }

    public string? Description { get; init; }

    public ScheduleTarget? Target { get; init; }
}

/// <summary>A schedule as ListSchedules answers it (no target's parameters).</summary>
public sealed record ScheduleSummary(string Name, string? GroupName, string? State);
