using Gitops.Engine.State;
using Gitops.Schema.Model;
using LiteDB;

namespace Gitops.Engine.Notifications;

/// <summary>
/// Per environment, the <c>notify</c> rules of the commit its branch holds (its overrides applied),
/// recorded by the loop at every pass: a rule changed in Git routes the next event, even when the
/// commit changes nothing else to deploy.
/// </summary>
public sealed class NotificationRules(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _rules = state.Collection("notify_rules");

    public void Record(string project, string environment, IReadOnlyList<NotifyRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules.Upsert(new BsonDocument { ["_id"] = $"{project}/{environment}", ["json"] = StateJson.Write(rules.ToList()) });
    }

    public IReadOnlyList<NotifyRule> Of(string project, string environment) =>
        _rules.FindById($"{project}/{environment}") is { } document ? StateJson.Read<List<NotifyRule>>(document["json"].AsString) : [];

    /// <summary>The channels an event goes to in its environment (each once, whatever number of rules name it).</summary>
    public IReadOnlyList<string> ChannelsFor(string project, string environment, string name) =>
        Of(project, environment).Where(r => r.On.Contains(name)).Select(r => r.Channel).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Rules naming a channel the platform does not define: refused before anything is deployed, by place.</summary>
    public static IReadOnlyList<string> Refusals(IReadOnlyList<NotifyRule> rules, NotificationsConfig config)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(config);
        var defined = config.Channels.Keys.Order(StringComparer.Ordinal).ToList();
        return rules.Select((rule, i) => (rule, i))
            .Where(r => !config.Channels.ContainsKey(r.rule.Channel))
            .Select(r => $"notify[{r.i}].channel: no channel '{r.rule.Channel}' on this platform ({(defined.Count == 0 ? "platform.yaml defines none under notifications.channels" : "channels: " + string.Join(", ", defined))})")
            .ToList();
    }
}
