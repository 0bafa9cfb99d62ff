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
    public async Task<string> EnsureAsync(string project, string environment, DesiredRoute route, DesiredService service, CancellationToken cancellationToken)
    {
        var listener = options.LoadBalancerListener
            ?? throw new TargetRefusedException($"services.{service.Name}.public: this ecs target has no loadBalancerListener to route it through");
        var name = EcsNames.TargetGroup(project, environment, service.Name);
        var path = service.Spec.Health?.Path ?? "/";
        var interval = Math.Clamp((int)(service.Spec.Health?.Interval.Value.TotalSeconds ?? 30), 5, 300);
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
        group ??= await elb.CreateTargetGroupAsync(new CreateTargetGroupRequest(name, route.Port, _vpc, path, interval, EcsTags.Of(project, environment, service.Name)), cancellationToken).ConfigureAwait(false);

        var rules = await OwnedRulesAsync(project, environment, service.Name, cancellationToken).ConfigureAwait(false);
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
            await elb.CreateRuleAsync(listener, priority, hosts, group.TargetGroupArn, EcsTags.Of(project, environment, service.Name), cancellationToken).ConfigureAwait(false);
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
    public async Task<List<Rule>> OwnedRulesAsync(string project, string environment, string service, CancellationToken cancellationToken)
    {
        var rules = (await elb.DescribeRulesAsync(options.LoadBalancerListener!, cancellationToken).ConfigureAwait(false)).Where(r => r.Priority != "default").ToList();
        if (rules.Count == 0)
        {
            return [];
        }

        var tags = await elb.DescribeTagsAsync(rules.Select(r => r.RuleArn).ToList(), cancellationToken).ConfigureAwait(false);
        return rules.Where(r => tags.GetValueOrDefault(r.RuleArn) is { } t && EcsTags.Owned(t, project, environment) && EcsTags.Map(t).GetValueOrDefault(Labels.Service) == service).ToList();
    }
}
