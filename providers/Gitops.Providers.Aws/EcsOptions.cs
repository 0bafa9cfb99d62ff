using System.ComponentModel;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.Providers.Aws;

/// <summary>An ecs target's options in platform.yaml (after <c>kind: ecs</c>).</summary>
public sealed record EcsOptions
{
    [Description("AWS region of the cluster, e.g. eu-west-1. Required.")]
    public string? Region { get; init; }

    [Description("Name of the ECS cluster the services run in (created when missing). Required.")]
    public string? Cluster { get; init; }

    [Description("Subnet ids the tasks get their network interfaces in (awsvpc). Required.")]
    public ValueList<string> Subnets { get; init; } = ValueList<string>.Empty;

    [Description("Security group ids of the tasks' network interfaces. Required.")]
    public ValueList<string> SecurityGroups { get; init; } = ValueList<string>.Empty;

    [Description("Give tasks a public IP (needed in public subnets without a NAT gateway to pull images). Default: false.")]
    public bool AssignPublicIp { get; init; }

    [Description("ARN of an Application Load Balancer listener: each public service gets a target group and a host-header rule on it. Without it, public services are refused.")]
    public string? LoadBalancerListener { get; init; }

    [Description("Domain under which public services without domains are named: <service>-<env>-<project>.<baseDomain> (point a wildcard record at the load balancer).")]
    public string? BaseDomain { get; init; }

    [Description("ARN of the task execution role (pulls images, writes logs, reads secrets' valueFrom). Required.")]
    public string? ExecutionRole { get; init; }

    [Description("ARN of the role the tasks' own code runs as. Default: none.")]
    public string? TaskRole { get; init; }

    [Description("ARN of the IAM role EventBridge Scheduler assumes to start the crons' tasks (its trust: scheduler.amazonaws.com; its rights: ecs:RunTask on the crons' task definitions, iam:PassRole on the execution and task roles). Required when the environment has crons.")]
    public string? SchedulerRole { get; init; }

    [Description("Named profile of ~/.aws/credentials to sign with. Default: the standard AWS chain (environment, profile, instance or task role).")]
    public string? Profile { get; init; }

    [Description("Base URL every AWS API call goes to instead of AWS's regional endpoints: for moto (a local AWS stand-in) in tests only, e.g. http://127.0.0.1:5000.")]
    public string? Endpoint { get; init; }

    [Description("When a rollout counts as done: deployment (default: ECS's own rolloutState COMPLETED) or running-tasks-test-only (moto never completes a deployment: its service's RUNNING tasks of the new revision, and no others, settle it; never use it against AWS).")]
    public string Settle { get; init; } = EcsSettle.Deployment;

    [Description("Days CloudWatch Logs keeps the services' logs. Default: 30.")]
    public int LogRetentionDays { get; init; } = 30;

    [Description("Seconds a rollout may take before the platform gives up and puts the previous task definition back. Default: 900.")]
    public int RolloutTimeoutSeconds { get; init; } = 900;

    [Description("Unix socket of the Docker engine that builds images for this target (they reach Fargate through the platform's registry). Default: /var/run/docker.sock.")]
    public string? BuilderSocket { get; init; }

    /// <summary>How often a rollout is polled; shorter in tests (not a platform.yaml key: the binder reads public properties only).</summary>
    internal TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The engine that builds and pushes images for Fargate.</summary>
    public EngineEndpoint Builder => new() { Kind = EngineKind.Docker, Socket = BuilderSocket };

    public bool TrustsRunningTasks => Settle == EcsSettle.RunningTasksTestOnly;
}

/// <summary>The values of <see cref="EcsOptions.Settle"/>.</summary>
public static class EcsSettle
{
    public const string Deployment = "deployment";

    /// <summary>Named so nobody mistakes it for a production setting: moto leaves every deployment IN_PROGRESS.</summary>
    public const string RunningTasksTestOnly = "running-tasks-test-only";

    public static readonly IReadOnlyList<string> All = [Deployment, RunningTasksTestOnly];
}
