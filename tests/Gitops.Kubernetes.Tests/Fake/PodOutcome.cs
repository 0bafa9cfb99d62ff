using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>What becomes of a pod's containers once the fake kubelet starts it.</summary>
public enum PodFate
{
    /// <summary>Running, and Ready once started.</summary>
    Ready,

    /// <summary>Running, never Ready (a failing readiness probe); restarts when <see cref="PodOutcome.LivenessFails"/>.</summary>
    NotReady,

    /// <summary>Pending with the container waiting in ErrImagePull, then ImagePullBackOff.</summary>
    ImagePullFailure,

    /// <summary>Scheduled but never started.</summary>
    Pending,
}

/// <summary>The fake kubelet's verdict on one pod, from <see cref="FakeKubernetesApiServer.Kubelet"/>.</summary>
public sealed record PodOutcome(PodFate Fate)
{
    /// <summary>How long after creation the containers start (the real kubelet needs a moment too).</summary>
    public TimeSpan StartAfter { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A failing liveness probe: the container is restarted about once a second.</summary>
    public bool LivenessFails { get; init; }

    /// <summary>The waiting message for <see cref="PodFate.ImagePullFailure"/> and <see cref="PodFate.Pending"/>.</summary>
    public string? Message { get; init; }

    public static PodOutcome Ready(TimeSpan? after = null) => new(PodFate.Ready) { StartAfter = after ?? TimeSpan.FromMilliseconds(100) };

    public static PodOutcome NeverReady(bool livenessFails = false) => new(PodFate.NotReady) { LivenessFails = livenessFails };

    public static PodOutcome ImagePullFails(string? message = null) => new(PodFate.ImagePullFailure) { Message = message };

    public static PodOutcome StaysPending(string message) => new(PodFate.Pending) { Message = message };
}

/// <summary>The default kubelet: the contract of the test image the driver tests deploy.</summary>
public static class FakeKubelet
{
    /// <summary>
    /// An image named <c>does-not-exist:*</c> cannot be pulled; an httpGet liveness or readiness probe
    /// on a path starting with <c>/missing</c> fails (liveness failures restart the container);
    /// anything else is Ready after 100 ms.
    /// </summary>
    public static PodOutcome TestImageContract(JsonObject pod)
    {
        var containers = pod.Array("spec", "containers").Objects().ToList();
        var unpullable = containers.Select(c => c.String("image") ?? "").FirstOrDefault(i => i.StartsWith("does-not-exist:", StringComparison.Ordinal) || i == "does-not-exist");
        if (unpullable is not null)
        {
            return PodOutcome.ImagePullFails($"failed to pull and unpack image \"docker.io/library/{unpullable}\": failed to resolve reference \"docker.io/library/{unpullable}\": docker.io/library/{unpullable}: not found");
        }

        if (containers.Any(c => Missing(c, "livenessProbe")))
        {
            return PodOutcome.NeverReady(livenessFails: true);
        }

        return containers.Any(c => Missing(c, "readinessProbe")) ? PodOutcome.NeverReady() : PodOutcome.Ready();
    }

    private static bool Missing(JsonObject container, string probe) =>
        container.String(probe, "httpGet", "path")?.StartsWith("/missing", StringComparison.Ordinal) == true;
}
