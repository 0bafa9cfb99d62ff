using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>The ReplicaSet controller: as many pods as spec.replicas, newest and least ready removed first.</summary>
internal sealed partial class FakeController
{
    private static readonly TimeSpan FailedCreateBackOff = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, (DateTimeOffset RetryAt, string Message)> failedCreates = new(StringComparer.Ordinal);

    private void SyncReplicaSet(JsonObject rs, DateTimeOffset now)
    {
        var uid = rs.Uid();
        var owned = OwnedPods(rs);
        var wanted = (int)(rs.Long("spec", "replicas") ?? 1);
        if (owned.Count < wanted && (!failedCreates.TryGetValue(uid, out var failed) || failed.RetryAt <= now))
        {
            failedCreates.Remove(uid);
            for (var i = owned.Count; i < wanted; i++)
            {
                try
                {
                    store.CreateCore(ResourceTypes.Pod, rs.Namespace(), PodFor(rs), WriteContext.ControllerManager);
                }
                catch (FakeApiException e)
                {
                    failedCreates[uid] = (now + FailedCreateBackOff, e.Message);
                    break;
                }
            }
        }
        else if (owned.Count > wanted)
        {
            // Not-ready before ready, then the newest first (controller.ActivePodsWithRanks, simplified).
            foreach (var doomed in owned.OrderBy(IsReady).ThenByDescending(p => p.String("metadata", "creationTimestamp"), StringComparer.Ordinal)
                         .ThenByDescending(p => pods.TryGetValue(p.Uid(), out var r) ? r.Seen : DateTimeOffset.MaxValue).Take(owned.Count - wanted))
            {
                store.DeleteCore(ResourceTypes.Pod, doomed, null);
            }
        }

        owned = OwnedPods(rs);
        var minReady = rs.Long("spec", "minReadySeconds") ?? 0;
        var timestamp = Json.Time(now);
        Write(ResourceTypes.ReplicaSet, rs, next =>
        {
            var old = next["status"] as JsonObject;
            var status = new JsonObject
            {
                ["replicas"] = owned.Count,
                ["fullyLabeledReplicas"] = owned.Count,
                ["readyReplicas"] = owned.Count(IsReady),
                ["availableReplicas"] = owned.Count(p => IsAvailable(p, minReady, now)),
                ["observedGeneration"] = next.Long("metadata", "generation") ?? 1,
            };
            var conditions = old.Array("conditions").Objects().Where(c => c.String("type") != "ReplicaFailure").Select(c => (JsonNode)c.Clone()).ToList();
            if (failedCreates.TryGetValue(uid, out var failure))
            {
                var previous = old.Array("conditions").Objects().FirstOrDefault(c => c.String("type") == "ReplicaFailure");
                conditions.Add(new JsonObject
                {
                    ["type"] = "ReplicaFailure",
                    ["status"] = "True",
                    ["lastTransitionTime"] = previous?.String("lastTransitionTime") ?? timestamp,
                    ["reason"] = "FailedCreate",
                    ["message"] = failure.Message,
                });
            }

            if (conditions.Count > 0)
            {
                status["conditions"] = new JsonArray([.. conditions]);
            }

            next["status"] = status;
        }, WriteContext.ControllerManagerStatus);
    }

    private List<JsonObject> OwnedPods(JsonObject owner) =>
        [.. store.Items(ResourceTypes.Pod).Where(p => p.Namespace() == owner.Namespace() && IsControlledBy(p, owner))];

    private static bool IsControlledBy(JsonObject value, JsonObject owner) =>
        value.Array("metadata", "ownerReferences").Objects().Any(r => r.String("uid") == owner.Uid() && r.Bool("controller") == true);

    private static JsonObject OwnerReference(JsonObject owner, string apiVersion, string kind) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = owner.Name(),
        ["uid"] = owner.Uid(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    private static JsonObject PodFor(JsonObject rs)
    {
        var template = rs.Object("spec", "template") ?? [];
        var metadata = new JsonObject { ["generateName"] = rs.Name() + "-", ["namespace"] = rs.Namespace() };
        foreach (var name in new[] { "labels", "annotations" })
        {
            if (template.Object("metadata", name) is { } map)
            {
                metadata[name] = map.DeepClone();
            }
        }

        metadata["ownerReferences"] = new JsonArray(OwnerReference(rs, "apps/v1", "ReplicaSet"));
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }
}
