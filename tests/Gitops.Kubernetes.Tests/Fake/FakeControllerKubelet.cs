using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>The scheduler and kubelet half: bind each pod, then start it as the kubelet function decides.</summary>
internal sealed partial class FakeController
{
    private const string NodeName = "fake-node";
    private const string HostIp = "10.0.0.10";

    private void RunPod(JsonObject pod, DateTimeOffset now)
    {
        if (pod.String("status", "phase") is "Succeeded" or "Failed")
        {
            return;
        }

        if (!pods.TryGetValue(pod.Uid(), out var runtime))
        {
            runtime = new PodRuntime(now, kubelet(pod.Clone()), ++podAddresses);
            pods[pod.Uid()] = runtime;
        }

        if (pod.String("spec", "nodeName") is null)
        {
            pod = Write(ResourceTypes.Pod, pod, p => p.Ensure("spec")["nodeName"] = NodeName, new WriteContext("kube-scheduler"));
        }

        var started = now - runtime.Seen >= runtime.Outcome.StartAfter && runtime.Outcome.Fate != PodFate.Pending;
        if (started && runtime.Started is null)
        {
            runtime.Started = now;
            runtime.LastRestart = now;
        }

        if (runtime.Outcome is { Fate: PodFate.NotReady, LivenessFails: true } && runtime.Started is not null && now - runtime.LastRestart >= TimeSpan.FromSeconds(1))
        {
            runtime.Restarts++;
            runtime.LastRestart = now;
        }

        Write(ResourceTypes.Pod, pod, p => p["status"] = PodStatus(p, runtime, now), WriteContext.KubeletStatus);
    }

    private static JsonObject PodStatus(JsonObject pod, PodRuntime runtime, DateTimeOffset now)
    {
        var created = pod.String("metadata", "creationTimestamp")!;
        var scheduled = Condition("PodScheduled", "True", created);
        if (runtime.Started is not { } startedAt)
        {
            var waiting = runtime.Outcome.Fate == PodFate.Pending
                ? new JsonArray(scheduled, Condition("Ready", "False", created, "ContainersNotReady", runtime.Outcome.Message))
                : new JsonArray(scheduled);
            return new JsonObject { ["phase"] = "Pending", ["conditions"] = waiting, ["hostIP"] = HostIp, ["qosClass"] = "BestEffort" };
        }

        var started = Json.Time(startedAt);
        var names = pod.Array("spec", "containers").Objects().Select(c => c.String("name") ?? "").ToList();
        var ready = runtime.Outcome.Fate == PodFate.Ready;
        var pulling = runtime.Outcome.Fate == PodFate.ImagePullFailure;
        var notReady = $"containers with unready status: [{string.Join(" ", names)}]";
        var address = $"10.244.{runtime.Address / 250}.{(runtime.Address % 250) + 1}";
        var status = new JsonObject
        {
            ["phase"] = pulling ? "Pending" : "Running",
            ["conditions"] = new JsonArray(
                Condition("PodReadyToStartContainers", "True", started),
                Condition("Initialized", "True", created),
                ready ? Condition("Ready", "True", started) : Condition("Ready", "False", started, "ContainersNotReady", notReady),
                ready ? Condition("ContainersReady", "True", started) : Condition("ContainersReady", "False", started, "ContainersNotReady", notReady),
                scheduled),
            ["hostIP"] = HostIp,
            ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = HostIp }),
            ["podIP"] = address,
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = address }),
            ["startTime"] = started,
            ["containerStatuses"] = new JsonArray([.. pod.Array("spec", "containers").Objects().Select(c => (JsonNode)ContainerStatus(c, runtime, now))]),
            ["qosClass"] = "BestEffort",
        };
        return status;
    }

    private static JsonObject ContainerStatus(JsonObject container, PodRuntime runtime, DateTimeOffset now)
    {
        var image = container.String("image") ?? "";
        var name = container.String("name") ?? "";
        var status = new JsonObject { ["name"] = name };
        if (runtime.Outcome.Fate == PodFate.ImagePullFailure)
        {
            var backOff = now - runtime.Started!.Value > TimeSpan.FromMilliseconds(300);
            status["state"] = new JsonObject
            {
                ["waiting"] = new JsonObject
                {
                    ["reason"] = backOff ? "ImagePullBackOff" : "ErrImagePull",
                    ["message"] = backOff ? $"Back-off pulling image \"{image}\"" : runtime.Outcome.Message ?? $"failed to pull image \"{image}\"",
                },
            };
            status["lastState"] = new JsonObject();
            status["ready"] = false;
            status["restartCount"] = 0;
            status["image"] = image;
            status["imageID"] = "";
            status["started"] = false;
            return status;
        }

        status["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Json.Time(runtime.LastRestart) } };
        status["lastState"] = runtime.Restarts == 0
            ? new JsonObject()
            : new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = 137,
                    ["reason"] = "Error",
                    ["startedAt"] = Json.Time(runtime.Started!.Value),
                    ["finishedAt"] = Json.Time(runtime.LastRestart),
                },
            };
        status["ready"] = runtime.Outcome.Fate == PodFate.Ready;
        status["restartCount"] = runtime.Restarts;
        status["image"] = image;
        status["imageID"] = $"docker.io/library/{image.Split('@')[0].Split(':')[0]}@sha256:{Digest(image)}";
        status["containerID"] = $"containerd://{Digest(name + runtime.Address.ToString(CultureInfo.InvariantCulture))}";
        status["started"] = true;
        return status;
    }

    private static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
