using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Aws.Api;

namespace Gitops.Providers.Aws;

/// <summary>
/// A public service's way in on the target's ALB listener: a target group of type ip (ECS
/// registers the tasks' addresses in it) health checked on the service's path, and a listener rule
/// forwarding the route's host names to it. Both carry the ownership tags; one of that name that is
/// not the environment's is refused, never adopted.
/// </summary>
internal sealed class EcsRouting(IElbClient elb, EcsOptions options)
{
    private string? _vpc;

    /// <summary>Makes the target group and the rule what the route says; the target group's ARN.</summary>
    public Task<string> EnsureAsync(string project, string environment, DesiredRoute route, DesiredService service, CancellationToken cancellationToken) =>
        EnsureAsync(project, environment, route, service.Name, service.Spec.Health?.Path, (int)(service.Spec.Health?.Interval.Value.TotalSeconds ?? 30), cancellationToken);

    /// <param name="path">The path the target group's health check asks (the service's health path; "/" without one).</param>
    public async Task<string> EnsureAsync(string project, string environment, DesiredRoute route, string service, string? path, int intervalSeconds, CancellationToken cancellationToken)
    {
        var listener = options.LoadBalancerListener
            ?? throw new TargetRefusedException($"services.{service}.public: this ecs target has no loadBalancerListener to route it through");
        var name = EcsNames.TargetGroup(project, environment, service);
        path ??= "/";
        var interval = Math.Clamp(intervalSeconds, 5, 300);
        var group = await elb.DescribeTargetGroupAsync(name, cancellationToken).ConfigureAwait(false);
        if (group is not null)
        {
            var tags = (await elb.DescribeTagsAsync([group.TargetGroupArn], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(group.TargetGroupArn);
            if (Ownership.Refusal("target group", name, EcsTags.Map(tags), project, environment) is { } refusal)
            {
                throw new TargetConflictException(refusal);
            }

            if (group.Port != route.Port)
            {
                // A target group's port cannot change: a new one is made (the service moves to it in the same update).
                await elb.DeleteTargetGroupAsync(group.TargetGroupArn, cancellationToken).ConfigureAwait(false);
                group = null;
            }
            else if (group.HealthCheckPath != path)
            {
                await elb.ModifyTargetGroupHealthAsync(group.TargetGroupArn, path, interval, cancellationToken).ConfigureAwait(false);
            }
        }

        _vpc ??= await elb.ListenerVpcAsync(listener, cancellationToken).ConfigureAwait(false);
        group ??= await elb.CreateTargetGroupAsync(new CreateTargetGroupRequest(name, route.Port, _vpc, path, interval, EcsTags.Of(project, environment, service)), cancellationToken).ConfigureAwait(false);

        var rules = await OwnedRulesAsync(project, environment, service, cancellationToken).ConfigureAwait(false);
        var hosts = route.Domains.ToList();
        if (rules.FirstOrDefault() is { } rule)
        {
            if (!rule.Hosts.Order(StringComparer.Ordinal).SequenceEqual(hosts.Order(StringComparer.Ordinal), StringComparer.Ordinal) || rule.TargetGroupArn != group.TargetGroupArn)
            {
                await elb.ModifyRuleAsync(rule.RuleArn, hosts, group.TargetGroupArn, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var taken = (await elb.DescribeRulesAsync(listener, cancellationToken).ConfigureAwait(false))
                .Select(r => int.TryParse(r.Priority, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : 0).ToHashSet();
            var priority = Enumerable.Range(1, 50_000).First(p => !taken.Contains(p));
            await elb.CreateRuleAsync(listener, priority, hosts, group.TargetGroupArn, EcsTags.Of(project, environment, service), cancellationToken).ConfigureAwait(false);
        }

        return group.TargetGroupArn;
    }

    /// <summary>The service's rule and target group, when they are the environment's; already gone is success.</summary>
    public async Task RemoveAsync(string project, string environment, string service, CancellationToken cancellationToken)
    {
        if (options.LoadBalancerListener is null)
        {
            return;
        }

        foreach (var rule in await OwnedRulesAsync(project, environment, service, cancellationToken).ConfigureAwait(false))
        {
            await elb.DeleteRuleAsync(rule.RuleArn, cancellationToken).ConfigureAwait(false);
        }

        var name = EcsNames.TargetGroup(project, environment, service);
        if (await elb.DescribeTargetGroupAsync(name, cancellationToken).ConfigureAwait(false) is { } group
            && EcsTags.Owned((await elb.DescribeTagsAsync([group.TargetGroupArn], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(group.TargetGroupArn), project, environment))
        {
            await elb.DeleteTargetGroupAsync(group.TargetGroupArn, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The listener's rules tagged as this service's (the default rule has no ARN tags and is never touched).</summary>
    public async Task<List<Rule>> OwnedRulesAsync(string project, string environment, string service, CancellationToken cancellationToken) =>
        (await RulesOfAsync(project, environment, service, cancellationToken).ConfigureAwait(false)).Select(r => r.Rule).ToList();

    /// <summary>The listener's rules tagged as the environment's, each with its service; of one service only when <paramref name="service"/> is given.</summary>
    public async Task<List<(string Service, Rule Rule)>> RulesOfAsync(string project, string environment, string? service, CancellationToken cancellationToken)
    {
        var rules = (await elb.DescribeRulesAsync(options.LoadBalancerListener!, cancellationToken).ConfigureAwait(false)).Where(r => r.Priority != "default").ToList();
        if (rules.Count == 0)
        {
            return [];
        }

        var tags = await elb.DescribeTagsAsync(rules.Select(r => r.RuleArn).ToList(), cancellationToken).ConfigureAwait(false);
        return rules
            .Select(r => (Tags: tags.GetValueOrDefault(r.RuleArn), Rule: r))
            .Where(r => r.Tags is not null && EcsTags.Owned(r.Tags, project, environment) && EcsTags.Map(r.Tags).GetValueOrDefault(Labels.Service) is { } s && (service is null || s == service))
            .Select(r => (EcsTags.Map(r.Tags)[Labels.Service], r.Rule))
            .ToList();
    }
}
