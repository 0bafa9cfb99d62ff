using System.Globalization;
using System.Xml.Linq;

namespace Gitops.Providers.Aws.Api;

/// <summary>
/// <see cref="IElbClient"/> over the ELBv2 Query API (version 2015-12-01,
/// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/): form-encoded
/// <c>Action=…</c> with <c>member.N</c> lists, answered in XML.
/// </summary>
public sealed class ElbClient(AwsTransport transport) : IElbClient
{
    private const string Service = "elasticloadbalancing";
    private const string Version = "2015-12-01";

    public async Task<string> ListenerVpcAsync(string listenerArn, CancellationToken cancellationToken)
    {
        var listeners = await CallAsync("DescribeListeners", [new("ListenerArns.member.1", listenerArn)], cancellationToken).ConfigureAwait(false);
        var balancer = Value(Members(listeners, "Listeners").FirstOrDefault(), "LoadBalancerArn")
            ?? throw new AwsApiException(Service, "DescribeListeners", System.Net.HttpStatusCode.NotFound, "ListenerNotFound", $"listener {listenerArn} not found");
        var balancers = await CallAsync("DescribeLoadBalancers", [new("LoadBalancerArns.member.1", balancer)], cancellationToken).ConfigureAwait(false);
        return Value(Members(balancers, "LoadBalancers").FirstOrDefault(), "VpcId") ?? "";
    }

    public async Task<TargetGroup?> DescribeTargetGroupAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await CallAsync("DescribeTargetGroups", [new("Names.member.1", name)], cancellationToken).ConfigureAwait(false);
            return Members(answer, "TargetGroups").Select(Group).FirstOrDefault();
        }
        catch (AwsApiException e) when (e.Code == "TargetGroupNotFound")
        {
            return null;
        }
    }

    public async Task<TargetGroup> CreateTargetGroupAsync(CreateTargetGroupRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("Name", request.Name),
            new("Protocol", "HTTP"),
            new("Port", Text(request.Port)),
            new("VpcId", request.VpcId),
            new("TargetType", "ip"), // awsvpc tasks register by their interface's address
            new("HealthCheckProtocol", "HTTP"),
            new("HealthCheckPath", request.HealthCheckPath),
            new("HealthCheckIntervalSeconds", Text(request.HealthCheckIntervalSeconds)),
        };
        parameters.AddRange(TagParameters(request.Tags));
        var answer = await CallAsync("CreateTargetGroup", parameters, cancellationToken).ConfigureAwait(false);
        return Members(answer, "TargetGroups").Select(Group).First();
    }

    public Task ModifyTargetGroupHealthAsync(string targetGroupArn, string path, int intervalSeconds, CancellationToken cancellationToken) =>
        CallAsync("ModifyTargetGroup", [new("TargetGroupArn", targetGroupArn), new("HealthCheckPath", path), new("HealthCheckIntervalSeconds", Text(intervalSeconds))], cancellationToken);

    public async Task DeleteTargetGroupAsync(string targetGroupArn, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("DeleteTargetGroup", [new("TargetGroupArn", targetGroupArn)], cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "TargetGroupNotFound")
        {
            // Already gone.
        }
    }

    public async Task<IReadOnlyList<Rule>> DescribeRulesAsync(string listenerArn, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("DescribeRules", [new("ListenerArn", listenerArn)], cancellationToken).ConfigureAwait(false);
        return Members(answer, "Rules").Select(r => new Rule(
            Value(r, "RuleArn") ?? "",
            Value(r, "Priority") ?? "",
            Members(r, "Conditions").Where(c => Value(c, "Field") == "host-header")
                .SelectMany(c => Members(c, "Values").Concat(Child(c, "HostHeaderConfig") is { } config ? Members(config, "Values") : []))
                .Select(v => v.Value).Distinct(StringComparer.Ordinal).ToList(),
            Members(r, "Actions").Select(a => Value(a, "TargetGroupArn")).FirstOrDefault(a => a is not null))).ToList();
    }

    public async Task<Rule> CreateRuleAsync(string listenerArn, int priority, IReadOnlyList<string> hosts, string targetGroupArn, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("ListenerArn", listenerArn), new("Priority", Text(priority)) };
        parameters.AddRange(RuleParameters(hosts, targetGroupArn));
        parameters.AddRange(TagParameters(tags));
        var answer = await CallAsync("CreateRule", parameters, cancellationToken).ConfigureAwait(false);
        var rule = Members(answer, "Rules").First();
        return new Rule(Value(rule, "RuleArn") ?? "", Text(priority), hosts, targetGroupArn);
    }

    public Task ModifyRuleAsync(string ruleArn, IReadOnlyList<string> hosts, string targetGroupArn, CancellationToken cancellationToken) =>
        CallAsync("ModifyRule", [new("RuleArn", ruleArn), .. RuleParameters(hosts, targetGroupArn)], cancellationToken);

    public async Task DeleteRuleAsync(string ruleArn, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("DeleteRule", [new("RuleArn", ruleArn)], cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "RuleNotFound")
        {
            // Already gone.
        }
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Tag>>> DescribeTagsAsync(IReadOnlyList<string> resourceArns, CancellationToken cancellationToken)
    {
        var tags = new Dictionary<string, IReadOnlyList<Tag>>(StringComparer.Ordinal);
        foreach (var batch in resourceArns.Chunk(20)) // the API's limit per call
        {
            var answer = await CallAsync("DescribeTags", batch.Select((arn, i) => new KeyValuePair<string, string>($"ResourceArns.member.{Text(i + 1)}", arn)).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var description in Members(answer, "TagDescriptions"))
            {
                tags[Value(description, "ResourceArn") ?? ""] = Members(description, "Tags").Select(t => new Tag(Value(t, "Key") ?? "", Value(t, "Value") ?? "")).ToList();
            }
        }

        return tags;
    }

    private static IEnumerable<KeyValuePair<string, string>> RuleParameters(IReadOnlyList<string> hosts, string targetGroupArn)
    {
        yield return new("Conditions.member.1.Field", "host-header");
        for (var i = 0; i < hosts.Count; i++)
        {
            yield return new($"Conditions.member.1.HostHeaderConfig.Values.member.{Text(i + 1)}", hosts[i]);
        }

        yield return new("Actions.member.1.Type", "forward");
        yield return new("Actions.member.1.TargetGroupArn", targetGroupArn);
    }

    private static IEnumerable<KeyValuePair<string, string>> TagParameters(IReadOnlyList<Tag> tags) =>
        tags.SelectMany((t, i) => new KeyValuePair<string, string>[] { new($"Tags.member.{Text(i + 1)}.Key", t.Key), new($"Tags.member.{Text(i + 1)}.Value", t.Value) });

    private Task<XElement> CallAsync(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken) =>
        transport.QueryAsync(Service, Version, action, parameters, cancellationToken);

    private static TargetGroup Group(XElement group) => new(
        Value(group, "TargetGroupArn") ?? "",
        Value(group, "TargetGroupName") ?? "",
        int.TryParse(Value(group, "Port"), CultureInfo.InvariantCulture, out var port) ? port : 0,
        Value(group, "HealthCheckPath"));

    /// <summary>The <c>member</c> elements of the first descendant named <paramref name="list"/> (the answer's result wraps them).</summary>
    private static IEnumerable<XElement> Members(XElement? parent, string list) =>
        parent?.Descendants().FirstOrDefault(e => e.Name.LocalName == list)?.Elements().Where(e => e.Name.LocalName == "member") ?? [];

    private static XElement? Child(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static string? Value(XElement? parent, string name) => Child(parent, name)?.Value;

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
