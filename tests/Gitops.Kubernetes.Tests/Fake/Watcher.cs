using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// One open watch: its filter and the queue of events for it. A change that moves an object into the
/// filter is ADDED, out of it DELETED, as the real watch cache reports it.
/// </summary>
internal sealed class Watcher(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields)
{
    private readonly Channel<(string Type, JsonObject Object)> channel =
        Channel.CreateUnbounded<(string Type, JsonObject Object)>(new UnboundedChannelOptions { SingleReader = true });

    public ResourceType Type { get; } = type;

    public ChannelReader<(string Type, JsonObject Object)> Events => channel.Reader;

    public bool Matches(JsonObject value) =>
        (ns is null || value.Namespace() == ns) && labels.Matches(value.Labels("metadata")) && fields.Matches(value);

    public void Enqueue(string type, JsonObject value) => channel.Writer.TryWrite((type, value));

    /// <summary>Called under the store's lock; the clone is the watcher's own, safe to serialize later.</summary>
    public void Offer(StoredEvent change)
    {
        var now = change.EventType != "DELETED" && Matches(change.Object);
        var before = change.Old is not null && Matches(change.Old);
        var type = change.EventType switch
        {
            "DELETED" when before => "DELETED",
            "ADDED" when now => "ADDED",
            "MODIFIED" when now && before => "MODIFIED",
            "MODIFIED" when now => "ADDED",
            "MODIFIED" when before => "DELETED",
            _ => null,
        };
        if (type is not null)
        {
            Enqueue(type, change.Object.Clone());
        }
    }

    public void Complete() => channel.Writer.TryComplete();
}
