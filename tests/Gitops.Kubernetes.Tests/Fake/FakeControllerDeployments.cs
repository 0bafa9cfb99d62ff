using System.Globalization;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// The Deployment controller: one ReplicaSet per pod template (named by its pod-template-hash),
/// rolled out with maxSurge/maxUnavailable or Recreate, revisions and status conditions kept as
/// pkg/controller/deployment keeps them.
/// </summary>
internal sealed partial class FakeController
{
    private const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    private const string DesiredAnnotation = "deployment.kubernetes.io/desired-replicas";
    private const string MaxAnnotation = "deployment.kubernetes.io/max-replicas";
    private const string HashLabel = "pod-template-hash";

    private void SyncDeployment(JsonObject deployment, DateTimeOffset now)
    {
        var ns = deployment.Namespace();
        var replicas = (int)(deployment.Long("spec", "replicas") ?? 1);
        var rolling = deployment.String("spec", "strategy", "type") != "Recreate";
        var (maxSurge, maxUnavailable) = rolling ? RollingLimits(deployment, replicas) : (0, 0);
        var template = deployment.Object("spec", "template") ?? [];
        var conditions = deployment.Array("status", "conditions").Objects().Select(c => c.Clone()).ToList();
        var timestamp = Json.Time(now);

        var all = OwnedReplicaSets(deployment);
        var newRs = all.FirstOrDefault(rs => SameTemplate(rs, template));
        var olds = all.Where(rs => rs != newRs).ToList();
        var revision = olds.Select(Revision).DefaultIfEmpty(0).Max() + 1;

        if (newRs is null && (rolling || olds.All(rs => (rs.Long("status", "replicas") ?? 0) == 0 && OwnedPods(rs).Count == 0)))
        {
            var surgeRoom = replicas + maxSurge - all.Sum(Replicas);
            var initial = rolling ? Math.Clamp(surgeRoom, 0, replicas) : replicas;
            newRs = store.CreateCore(ResourceTypes.ReplicaSet, ns, NewReplicaSet(deployment, template, initial, revision, maxSurge), WriteContext.ControllerManager);
            SetCondition(conditions, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{newRs.Name()}\"", timestamp);
        }
        else if (newRs is not null)
        {
            if (Revision(newRs) < revision)
            {
                newRs = Write(ResourceTypes.ReplicaSet, newRs, rs => rs.Metadata().Ensure("annotations")[RevisionAnnotation] = Text(revision), WriteContext.ControllerManager);
            }

            if (!conditions.Any(c => c.String("type") == "Progressing"))
            {
                SetCondition(conditions, "Progressing", "True", "FoundNewReplicaSet", $"Found new replica set \"{newRs.Name()}\"", timestamp);
            }
        }

        if (newRs is not null && deployment.String("metadata", "annotations", RevisionAnnotation) != Text(Revision(newRs)))
        {
            deployment = Write(ResourceTypes.Deployment, deployment, d => d.Metadata().Ensure("annotations")[RevisionAnnotation] = Text(Revision(newRs)), WriteContext.ControllerManager);
        }

        if (rolling)
        {
            RollOut(deployment, newRs, olds, replicas, maxSurge, maxUnavailable);
        }
        else
        {
            foreach (var old in olds.Where(rs => Replicas(rs) > 0))
            {
                ScaleReplicaSet(old, 0, replicas, 0);
            }

            if (newRs is not null && Replicas(newRs) != replicas)
            {
                ScaleReplicaSet(newRs, replicas, replicas, 0);
            }
        }

        CleanUpHistory(deployment);
        UpdateDeploymentStatus(deployment, replicas, maxUnavailable, conditions, now);
    }

    /// <summary>One step of a rolling update: surge the new ReplicaSet, then scale old ones down as availability allows.</summary>
    private void RollOut(JsonObject deployment, JsonObject? newRs, List<JsonObject> olds, int replicas, int maxSurge, int maxUnavailable)
    {
        if (newRs is not null)
        {
            var current = Replicas(newRs);
            if (current > replicas)
            {
                newRs = ScaleReplicaSet(newRs, replicas, replicas, maxSurge);
            }
            else if (current < replicas)
            {
                var room = replicas + maxSurge - olds.Sum(Replicas) - current;
                if (room > 0)
                {
                    newRs = ScaleReplicaSet(newRs, current + Math.Min(room, replicas - current), replicas, maxSurge);
                }
            }
        }

        var oldOrder = olds.Where(rs => Replicas(rs) > 0).OrderBy(rs => rs.String("metadata", "creationTimestamp"), StringComparer.Ordinal).ToList();
        if (oldOrder.Count == 0)
        {
            return;
        }

        var minAvailable = replicas - maxUnavailable;
        var newUnavailable = newRs is null ? 0 : Replicas(newRs) - (int)(newRs.Long("status", "availableReplicas") ?? 0);
        var allPods = oldOrder.Sum(Replicas) + (newRs is null ? 0 : Replicas(newRs));
        var maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return;
        }

        // First the old pods that are not available anyway, then available ones down to minAvailable.
        var scaledDown = 0;
        for (var i = 0; i < oldOrder.Count && scaledDown < maxScaledDown; i++)
        {
            var unhealthy = Replicas(oldOrder[i]) - (int)(oldOrder[i].Long("status", "availableReplicas") ?? 0);
            if (unhealthy > 0)
            {
                var count = Math.Min(maxScaledDown - scaledDown, unhealthy);
                oldOrder[i] = ScaleReplicaSet(oldOrder[i], Replicas(oldOrder[i]) - count, replicas, maxSurge);
                scaledDown += count;
            }
        }

        var available = oldOrder.Sum(rs => (int)(rs.Long("status", "availableReplicas") ?? 0)) + (int)(newRs?.Long("status", "availableReplicas") ?? 0);
        var toScaleDown = available - minAvailable;
        for (var i = 0; i < oldOrder.Count && toScaleDown > 0; i++)
        {
            var count = Math.Min(Replicas(oldOrder[i]), toScaleDown);
            if (count > 0)
            {
                oldOrder[i] = ScaleReplicaSet(oldOrder[i], Replicas(oldOrder[i]) - count, replicas, maxSurge);
                toScaleDown -= count;
            }
        }
    }

    private JsonObject ScaleReplicaSet(JsonObject rs, int to, int desired, int maxSurge) =>
        Write(ResourceTypes.ReplicaSet, rs, next =>
        {
            next.Ensure("spec")["replicas"] = to;
            var annotations = next.Metadata().Ensure("annotations");
            annotations[DesiredAnnotation] = Text(desired);
            annotations[MaxAnnotation] = Text(desired + maxSurge);
        }, WriteContext.ControllerManager);

    private void CleanUpHistory(JsonObject deployment)
    {
        var limit = deployment.Long("spec", "revisionHistoryLimit") ?? 10;
        var idle = OwnedReplicaSets(deployment)
            .Where(rs => !SameTemplate(rs, deployment.Object("spec", "template") ?? []) && Replicas(rs) == 0 && (rs.Long("status", "replicas") ?? 0) == 0)
            .OrderBy(Revision).ToList();
        foreach (var rs in idle.Take(Math.Max(0, idle.Count - (int)limit)))
        {
            store.DeleteCore(ResourceTypes.ReplicaSet, rs, null);
        }
    }

    private void UpdateDeploymentStatus(JsonObject deployment, int replicas, int maxUnavailable, List<JsonObject> conditions, DateTimeOffset now)
    {
        var timestamp = Json.Time(now);
        var all = OwnedReplicaSets(deployment);
        var newRs = all.FirstOrDefault(rs => SameTemplate(rs, deployment.Object("spec", "template") ?? []));
        var old = deployment.Object("status") ?? [];
        var status = new JsonObject
        {
            ["observedGeneration"] = deployment.Long("metadata", "generation") ?? 1,
            ["replicas"] = all.Sum(rs => rs.Long("status", "replicas") ?? 0),
            ["updatedReplicas"] = newRs?.Long("status", "replicas") ?? 0,
            ["readyReplicas"] = all.Sum(rs => rs.Long("status", "readyReplicas") ?? 0),
            ["availableReplicas"] = all.Sum(rs => rs.Long("status", "availableReplicas") ?? 0),
        };
        var unavailable = all.Sum(Replicas) - status.Long("availableReplicas")!.Value;
        status["unavailableReplicas"] = Math.Max(0, unavailable);

        if (status.Long("availableReplicas") >= replicas - maxUnavailable)
        {
            SetCondition(conditions, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", timestamp);
        }
        else
        {
            SetCondition(conditions, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", timestamp);
        }

        var failure = all.Select(rs => rs.Array("status", "conditions").Objects().FirstOrDefault(c => c.String("type") == "ReplicaFailure")).FirstOrDefault(c => c is not null);
        conditions.RemoveAll(c => c.String("type") == "ReplicaFailure" && failure is null);
        if (failure is not null)
        {
            SetCondition(conditions, "ReplicaFailure", "True", failure.String("reason") ?? "FailedCreate", failure.String("message") ?? "", timestamp);
        }

        SyncProgress(deployment, newRs, old, status, replicas, conditions, now);
        status["conditions"] = new JsonArray([.. conditions]);
        if (old["collisionCount"] is { } collisions)
        {
            status["collisionCount"] = collisions.DeepClone();
        }

        Write(ResourceTypes.Deployment, deployment, d => d["status"] = status, WriteContext.ControllerManagerStatus);
    }

    /// <summary>syncRolloutStatus: complete, progressing (new counts since the last status), or past its progress deadline.</summary>
    private static void SyncProgress(JsonObject deployment, JsonObject? newRs, JsonObject old, JsonObject status, int replicas, List<JsonObject> conditions, DateTimeOffset now)
    {
        var timestamp = Json.Time(now);
        var current = conditions.FirstOrDefault(c => c.String("type") == "Progressing");
        long Count(JsonObject s, string name) => s.Long(name) ?? 0;
        var complete = Count(status, "replicas") == Count(status, "updatedReplicas") && current?.String("reason") == "NewReplicaSetAvailable";
        if (complete)
        {
            return;
        }

        var rsName = newRs?.Name();
        if (Count(status, "updatedReplicas") == replicas && Count(status, "replicas") == replicas && Count(status, "availableReplicas") == replicas)
        {
            SetCondition(conditions, "Progressing", "True", "NewReplicaSetAvailable", rsName is null ? $"Deployment \"{deployment.Name()}\" has successfully progressed." : $"ReplicaSet \"{rsName}\" has successfully progressed.", timestamp);
        }
        else if (Count(status, "updatedReplicas") > Count(old, "updatedReplicas")
                 || Count(status, "replicas") - Count(status, "updatedReplicas") < Count(old, "replicas") - Count(old, "updatedReplicas")
                 || Count(status, "readyReplicas") > Count(old, "readyReplicas")
                 || Count(status, "availableReplicas") > Count(old, "availableReplicas"))
        {
            var condition = NewCondition("Progressing", "True", "ReplicaSetUpdated", rsName is null ? $"Deployment \"{deployment.Name()}\" is progressing." : $"ReplicaSet \"{rsName}\" is progressing.", timestamp);
            if (current?.String("status") == "True")
            {
                condition["lastTransitionTime"] = current.String("lastTransitionTime");
            }

            conditions.RemoveAll(c => c.String("type") == "Progressing");
            conditions.Add(condition);
        }
        else if (current is not null && current.String("reason") != "NewReplicaSetAvailable"
                 && (current.String("reason") == "ProgressDeadlineExceeded"
                     || Json.ParseTime(current.String("lastUpdateTime")) is { } since && since.AddSeconds(deployment.Long("spec", "progressDeadlineSeconds") ?? 600) < now))
        {
            SetCondition(conditions, "Progressing", "False", "ProgressDeadlineExceeded", rsName is null ? $"Deployment \"{deployment.Name()}\" has timed out progressing." : $"ReplicaSet \"{rsName}\" has timed out progressing.", timestamp);
        }
    }

    /// <summary>SetDeploymentCondition: same status and reason is no change; same status keeps lastTransitionTime.</summary>
    private static void SetCondition(List<JsonObject> conditions, string type, string status, string reason, string message, string now)
    {
        var existing = conditions.FirstOrDefault(c => c.String("type") == type);
        if (existing is not null && existing.String("status") == status && existing.String("reason") == reason)
        {
            return;
        }

        var condition = NewCondition(type, status, reason, message, now);
        if (existing is not null && existing.String("status") == status)
        {
            condition["lastTransitionTime"] = existing.String("lastTransitionTime");
        }

        conditions.RemoveAll(c => c.String("type") == type);
        conditions.Add(condition);
    }

    private static JsonObject NewCondition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastUpdateTime"] = now,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static JsonObject NewReplicaSet(JsonObject deployment, JsonObject template, int replicas, long revision, int maxSurge)
    {
        var collisions = deployment.Long("status", "collisionCount") ?? 0;
        var hash = Names.TemplateHash(Json.Canonical(template), collisions);
        var podTemplate = template.Clone();
        podTemplate.Ensure("metadata", "labels")[HashLabel] = hash;
        var selector = deployment.Object("spec", "selector")?.Clone() ?? [];
        selector.Ensure("matchLabels")[HashLabel] = hash;
        var labels = template.Object("metadata", "labels")?.Clone() ?? [];
        labels[HashLabel] = hash;
        var desired = (int)(deployment.Long("spec", "replicas") ?? 1);
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{deployment.Name()}-{hash}",
                ["namespace"] = deployment.Namespace(),
                ["labels"] = labels,
                ["annotations"] = new JsonObject
                {
                    [DesiredAnnotation] = Text(desired),
                    [MaxAnnotation] = Text(desired + maxSurge),
                    [RevisionAnnotation] = Text(revision),
                },
                ["ownerReferences"] = new JsonArray(OwnerReference(deployment, "apps/v1", "Deployment")),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["minReadySeconds"] = deployment.Long("spec", "minReadySeconds") ?? 0,
                ["selector"] = selector,
                ["template"] = podTemplate,
            },
        };
    }

    private List<JsonObject> OwnedReplicaSets(JsonObject deployment) =>
        [.. store.Items(ResourceTypes.ReplicaSet).Where(rs => rs.Namespace() == deployment.Namespace() && IsControlledBy(rs, deployment))];

    /// <summary>EqualIgnoreHash: the ReplicaSet's template without its pod-template-hash label is the Deployment's.</summary>
    private static bool SameTemplate(JsonObject rs, JsonObject template)
    {
        var own = rs.Object("spec", "template")?.Clone() ?? [];
        if (own.Object("metadata", "labels") is { } labels)
        {
            labels.Remove(HashLabel);
            if (labels.Count == 0 && template.Object("metadata", "labels") is null)
            {
                own.Object("metadata")!.Remove("labels");
            }
        }

        return Json.Canonical(own) == Json.Canonical(template);
    }

    /// <summary>maxSurge rounds up, maxUnavailable down; both zero means one may be unavailable.</summary>
    private static (int Surge, int Unavailable) RollingLimits(JsonObject deployment, int replicas)
    {
        var rolling = deployment.Object("spec", "strategy", "rollingUpdate");
        var surge = Resolve(rolling?["maxSurge"], replicas, roundUp: true, fallback: "25%");
        var unavailable = Resolve(rolling?["maxUnavailable"], replicas, roundUp: false, fallback: "25%");
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, Math.Min(unavailable, replicas));
    }

    private static int Resolve(JsonNode? value, int replicas, bool roundUp, string fallback)
    {
        var text = value?.ToString() ?? fallback;
        if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            var exact = percent * replicas / 100;
            return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 0;
    }

    private static int Replicas(JsonObject rs) => (int)(rs.Long("spec", "replicas") ?? 0);

    private static long Revision(JsonObject rs) =>
        long.TryParse(rs.String("metadata", "annotations", RevisionAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
