using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// The fake's horizontal-pod-autoscaler controller, without metrics (the fake runs no workload to
/// measure): it keeps the target Deployment's replica count within minReplicas..maxReplicas, which
/// is what the real controller does first, writing through the scale subresource as it does.
/// </summary>
internal sealed partial class FakeController
{
    private static readonly WriteContext Autoscaler = new("horizontal-pod-autoscaler", "scale");

    private void SyncAutoscaler(JsonObject autoscaler)
    {
        var target = autoscaler.Object("spec", "scaleTargetRef");
        if (target?.String("kind") != "Deployment" || target.String("name") is not { } name
            || store.Find(ResourceTypes.Deployment, autoscaler.Namespace(), name) is not { } deployment)
        {
            return;
        }

        var min = autoscaler.Long("spec", "minReplicas") ?? 1;
        var max = autoscaler.Long("spec", "maxReplicas") ?? min;
        var replicas = deployment.Long("spec", "replicas") ?? 1;
        var wanted = Math.Clamp(replicas, min, max);
        if (wanted != replicas)
        {
            Write(ResourceTypes.Deployment, deployment, d => d.Ensure("spec")["replicas"] = wanted, Autoscaler);
        }
    }
}
