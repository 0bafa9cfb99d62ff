using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Engine.Targets.Replicas;

namespace Gitops.Engine.Tests;

/// <summary>
/// A fake engine in memory for the executor's unit tests: it records every call with the plan
/// node it belongs to and when it began and ended (one global counter), and every call yields,
/// so nodes the walk runs side by side really interleave.
/// </summary>
internal sealed class RecordingFakeDriver : IReplicaDriver
{
    private readonly Lock _gate = new();
    private readonly List<Call> _calls = [];
    private long _clock;

    public string Kind => "recording-fake";

    public TargetCapabilities Capabilities { get; } = new() { Volumes = true };

    /// <summary>The calls made for one node (a replica or container counts for its service), in order.</summary>
    public IReadOnlyList<string> CallsFor(string node)
    {
        lock (_gate)
        {
            return _calls.Where(c => c.Node == node).OrderBy(c => c.Begin).Select(c => c.Verb).ToList();
        }
    }

    public long FirstBegin(string node)
    {
        lock (_gate)
        {
            return _calls.Where(c => c.Node == node).Min(c => c.Begin);
        }
    }

    public long LastEnd(string node)
    {
        lock (_gate)
        {
            return _calls.Where(c => c.Node == node).Max(c => c.End);
        }
    }

    public Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken) => Task.FromResult(new TargetProbe(true, "fake"));

    public Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        Task.FromResult(ObservedState.Nothing);

    public Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        RecordAsync("ensure-network", name);

    public Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken) =>
        RecordAsync("ensure-volume", name);

    public Task StartReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        RecordAsync("start-replica", request.Service.Name);

    public async Task<HealthResult> WaitHealthyAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        await RecordAsync("wait-healthy", request.Service.Name);
        return new HealthResult(true, "running");
    }

    public Task<HealthResult> CheckReplicaAsync(ReplicaRequest request, CancellationToken cancellationToken) => Task.FromResult(new HealthResult(true, "running"));

    /// <summary>The tests name a service's old containers <c>{service}-old</c>.</summary>
    public Task RemoveReplicaAsync(string name, TimeSpan stopTimeout, CancellationToken cancellationToken) =>
        RecordAsync("remove-container", name.EndsWith("-old", StringComparison.Ordinal) ? name[..^"-old".Length] : name);

    public Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken) => RecordAsync("remove-network", name);

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) => RecordAsync("remove-volume", name);

    private async Task RecordAsync(string verb, string node)
    {
        var begin = Interlocked.Increment(ref _clock);
        await Task.Yield();
        var end = Interlocked.Increment(ref _clock);
        lock (_gate)
        {
            _calls.Add(new Call(verb, node, begin, end));
        }
    }

    private sealed record Call(string Verb, string Node, long Begin, long End);
}
