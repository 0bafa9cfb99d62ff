namespace Gitops.Providers.Aws.Api;

/// <summary>
/// The ELBv2 calls the driver makes, shaped like <c>Amazon.ElasticLoadBalancingV2.IAmazonElasticLoadBalancingV2</c>;
/// "not found" is null or empty, as the driver treats "gone" as success.
/// </summary>
public interface IElbClient
{
    /// <summary>The VPC of the load balancer a listener belongs to (target groups of type ip need it).</summary>
    Task<string> ListenerVpcAsync(string listenerArn, CancellationToken cancellationToken);

    Task<TargetGroup?> DescribeTargetGroupAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the group; one of that name and the same settings already there is the answer (the API's own idempotency).</summary>
    Task<TargetGroup> CreateTargetGroupAsync(CreateTargetGroupRequest request, CancellationToken cancellationToken);

    Task ModifyTargetGroupHealthAsync(string targetGroupArn, string path, int intervalSeconds, CancellationToken cancellationToken);

    Task DeleteTargetGroupAsync(string targetGroupArn, CancellationToken cancellationToken);

    Task<IReadOnlyList<Rule>> DescribeRulesAsync(string listenerArn, CancellationToken cancellationToken);

    Task<Rule> CreateRuleAsync(string listenerArn, int priority, IReadOnlyList<string> hosts, string targetGroupArn, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    Task ModifyRuleAsync(string ruleArn, IReadOnlyList<string> hosts, string targetGroupArn, CancellationToken cancellationToken);

    Task DeleteRuleAsync(string ruleArn, CancellationToken cancellationToken);

    /// <summary>Tags of each resource (target groups, rules), by ARN.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<Tag>>> DescribeTagsAsync(IReadOnlyList<string> resourceArns, CancellationToken cancellationToken);
}

public sealed record TargetGroup(string TargetGroupArn, string TargetGroupName, int Port, string? HealthCheckPath);

public sealed record CreateTargetGroupRequest(string Name, int Port, string VpcId, string HealthCheckPath, int HealthCheckIntervalSeconds, IReadOnlyList<Tag> Tags);

/// <param name="Hosts">The rule's host-header values; <paramref name="TargetGroupArn"/> where it forwards.</param>
public sealed record Rule(string RuleArn, string Priority, IReadOnlyList<string> Hosts, string? TargetGroupArn);
