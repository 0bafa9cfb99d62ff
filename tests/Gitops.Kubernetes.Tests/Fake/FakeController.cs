using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// The fake's kube-controller-manager, scheduler and kubelet in one loop: every 50 ms, under the
/// store's lock, pods progress as the kubelet function decides, ReplicaSets converge their pods, and
/// Deployments roll out their ReplicaSets. Writes go through the store like any client's, so watches
/// and managedFields see them.
/// </summary>
internal sealed partial class FakeController(ObjectStore store, Func<JsonObject, PodOutcome> kubelet)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, PodRuntime> pods = new(StringComparer.Ordinal);
    private int podAddresses;

    /// <summary>The last exception a pass threw (the loop keeps going); tests can show it when something hangs.</summary>
    public Exception? LastError { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                lock (store.Gate)
                {
                    RunOnce(DateTimeOffset.UtcNow);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private void RunOnce(DateTimeOffset now)
    {
        Each(ResourceTypes.Pod, pod => RunPod(pod, now));
        Each(ResourceTypes.ReplicaSet, rs => SyncReplicaSet(rs, now));
        Each(ResourceTypes.HorizontalPodAutoscaler, SyncAutoscaler);
        Each(ResourceTypes.Deployment, deployment => SyncDeployment(deployment, now));
        var live = store.Items(ResourceTypes.Pod).Select(p => p.Uid()).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in pods.Keys.Where(uid => !live.Contains(uid)).ToList())
        {
            pods.Remove(gone);
        }
    }

    private void Each(ResourceType type, Action<JsonObject> sync)
    {
        foreach (var item in store.Items(type).ToList())
        {
            // The object may have gone with an earlier one's cascade in this pass.
            if (store.Find(type, item.Namespace(), item.Name()) is not { } current)
            {
                continue;
            }

            try
            {
                sync(current);
            }
            catch (Exception e)
            {
                LastError = e;
            }
        }
    }

    /// <summary>Writes a changed copy; the store drops it when nothing changed.</summary>
    private JsonObject Write(ResourceType type, JsonObject current, Action<JsonObject> change, WriteContext write)
    {
        var next = current.Clone();
        change(next);
        return store.CommitCore(type, current, next, write);
    }

    private static JsonObject Condition(string type, string status, string now, string? reason = null, string? message = null)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status, ["lastProbeTime"] = null, ["lastTransitionTime"] = now };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        if (message is not null)
        {
            condition["message"] = message;
        }

        return condition;
    }

    private static bool IsReady(JsonObject pod) =>
        pod.Array("status", "conditions").Objects().Any(c => c.String("type") == "Ready" && c.String("status") == "True");

    /// <summary>Ready for at least minReadySeconds, as the ReplicaSet controller counts availability.</summary>
    private static bool IsAvailable(JsonObject pod, long minReadySeconds, DateTimeOffset now)
    {
        var ready = pod.Array("status", "conditions").Objects().FirstOrDefault(c => c.String("type") == "Ready" && c.String("status") == "True");
        return ready is not null && (minReadySeconds == 0 || Json.ParseTime(ready.String("lastTransitionTime")) is { } since && since.AddSeconds(minReadySeconds) <= now);
    }

    private sealed class PodRuntime(DateTimeOffset seen, PodOutcome outcome, int address)
    {
        public DateTimeOffset Seen { get; } = seen;

        public PodOutcome Outcome { get; } = outcome;

        public int Address { get; } = address;

        public DateTimeOffset? Started { get; set; }

        public int Restarts { get; set; }

        public DateTimeOffset LastRestart { get; set; }
    }
}
