using Gitops.Engine.Desired;
using Gitops.Schema.Model;

namespace Gitops.Engine.State;

/// <summary>
/// What the last apply recorded for an environment: the specs it applied (so a plan can say
/// which field changed) and the inventory of objects it owns.
/// </summary>
public sealed record RecordedState(
    long Version,
    string? Revision,
    ValueMap<RecordedService> Services,
    ValueList<string> Inventory)
{
    public static readonly RecordedState Empty = new(0, null, ValueMap<RecordedService>.Empty, ValueList<string>.Empty);
}

public sealed record RecordedService(string Fingerprint, int Replicas, ServiceSpec Spec)
{
    /// <summary>What was applied in place beside the replicas (none in states recorded before it existed).</summary>
    public ServiceExtras Extras { get; init; } = ServiceExtras.None;
}
