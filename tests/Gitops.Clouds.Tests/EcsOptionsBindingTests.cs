using Gitops.Engine.Targets;
using Gitops.Providers.Aws;

namespace Gitops.Clouds.Tests;

/// <summary>
/// An ecs target's options in platform.yaml: bound into <see cref="EcsOptions"/>, and each mistake
/// refused with its file:line:column and what to write instead, before anything is called.
/// </summary>
public sealed class EcsOptionsBindingTests
{
    private static readonly ProviderRegistry Providers = new([EcsProvider.Instance], []);

    private const string Valid = """
        targets:
          aws:
            kind: ecs
            region: eu-west-1
            cluster: paas
            subnets: [subnet-a, subnet-b]
            securityGroups: [sg-1]
            executionRole: arn:aws:iam::123456789012:role/ecsTaskExecutionRole

        """;

    [Fact]
    public void A_complete_ecs_target_binds_every_option()
    {
        var config = PlatformConfig.Parse(Valid.Replace("    kind: ecs\n", "    kind: ecs\n    loadBalancerListener: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/paas/1/2\n    baseDomain: apps.example.com\n    assignPublicIp: true\n    logRetentionDays: 7\n    rolloutTimeoutSeconds: 600\n    profile: deploy\n", StringComparison.Ordinal), "platform.yaml", Providers);

        var options = Assert.IsType<EcsOptions>(config.Targets["aws"].Options);
        Assert.Equal(("eu-west-1", "paas", "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"), (options.Region, options.Cluster, options.ExecutionRole));
        Assert.Equal(["subnet-a", "subnet-b"], options.Subnets);
        Assert.Equal(["sg-1"], options.SecurityGroups);
        Assert.Equal(("apps.example.com", true, 7, 600, "deploy"), (options.BaseDomain, options.AssignPublicIp, options.LogRetentionDays, options.RolloutTimeoutSeconds, options.Profile));
        Assert.Equal(EcsSettle.Deployment, options.Settle); // production's: ECS's own word on a rollout
        Assert.False(options.TrustsRunningTasks);
    }

    [Theory]
    [InlineData("    region: eu-west-1\n", "", "platform.yaml:3:5", "an ecs target needs region:")]
    [InlineData("    cluster: paas\n", "", "platform.yaml:3:5", "an ecs target needs cluster:")]
    [InlineData("    subnets: [subnet-a, subnet-b]\n", "", "platform.yaml:3:5", "an ecs target needs subnets:")]
    [InlineData("    executionRole: arn:aws:iam::123456789012:role/ecsTaskExecutionRole\n", "", "platform.yaml:3:5", "an ecs target needs executionRole:")]
    [InlineData("    cluster: paas\n", "    clustr: paas\n", "platform.yaml:4:5", "unknown key 'clustr'")]
    [InlineData("", "    settle: fast\n", "platform.yaml:9:13", "'fast' is not one of deployment, running-tasks-test-only")]
    [InlineData("", "    endpoint: ftp://127.0.0.1:5000\n", "platform.yaml:9:15", "is not an http(s) URL")]
    [InlineData("", "    loadBalancerListener: my-listener\n", "platform.yaml:9:27", "give the listener's ARN")]
    [InlineData("", "    logRetentionDays: a month\n", "platform.yaml:9:23", "expected a whole number")]
    public void A_wrong_or_missing_ecs_option_is_refused_with_its_line_and_column(string remove, string add, string place, string message)
    {
        // A removed option leaves the others in place; an added one goes after kind: (line 4), or last (line 9) when nothing is removed.
        var text = remove.Length == 0
            ? Valid + add
            : Valid.Replace(remove, "", StringComparison.Ordinal).Replace("    kind: ecs\n", "    kind: ecs\n" + add, StringComparison.Ordinal);

        var refused = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse(text, "platform.yaml", Providers));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Contains(place, refused.Message, StringComparison.Ordinal);
    }
}
