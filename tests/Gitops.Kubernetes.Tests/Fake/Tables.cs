using System.Globalization;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>meta.k8s.io/v1 Table answers for <c>kubectl get</c>, with the real server's columns for the common kinds.</summary>
internal static class Tables
{
    public static bool Wanted(string? accept) =>
        accept is not null && accept.Split(',').FirstOrDefault()?.Contains("as=Table", StringComparison.Ordinal) == true;

    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> items, string resourceVersion)
    {
        var columns = Columns(type);
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = new JsonArray([.. columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Name == "Name" ? "name" : "",
                ["description"] = c.Name,
                ["priority"] = c.Priority,
            })]),
            ["rows"] = new JsonArray([.. items.Select(item => (JsonNode)new JsonObject
            {
                ["cells"] = new JsonArray([.. Cells(type, item)]),
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = item.Metadata().DeepClone(),
                },
            })]),
        };
    }

    private static (string Name, string Type, int Priority)[] Columns(ResourceType type) => type.Kind switch
    {
        "Deployment" => [("Name", "string", 0), ("Ready", "string", 0), ("Up-to-date", "integer", 0), ("Available", "integer", 0), ("Age", "string", 0), ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1)],
        "ReplicaSet" => [("Name", "string", 0), ("Desired", "integer", 0), ("Current", "integer", 0), ("Ready", "integer", 0), ("Age", "string", 0), ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1)],
        "Pod" => [("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0), ("Restarts", "string", 0), ("Age", "string", 0), ("IP", "string", 1), ("Node", "string", 1)],
        "Namespace" => [("Name", "string", 0), ("Status", "string", 0), ("Age", "string", 0)],
        "Service" => [("Name", "string", 0), ("Type", "string", 0), ("Cluster-IP", "string", 0), ("External-IP", "string", 0), ("Port(s)", "string", 0), ("Age", "string", 0)],
        _ => [("Name", "string", 0), ("Age", "string", 0)],
    };

    private static IEnumerable<JsonNode?> Cells(ResourceType type, JsonObject item)
    {
        var name = item.Name();
        var age = Age(item.String("metadata", "creationTimestamp"));
        var containers = item.Array("spec", "template", "spec", "containers").Objects().ToList();
        var selector = string.Join(",", (item.Object("spec", "selector", "matchLabels") ?? []).Select(p => $"{p.Key}={p.Value}"));
        switch (type.Kind)
        {
            case "Deployment":
                return [name, $"{item.Long("status", "readyReplicas") ?? 0}/{item.Long("spec", "replicas") ?? 0}", item.Long("status", "updatedReplicas") ?? 0,
                    item.Long("status", "availableReplicas") ?? 0, age, string.Join(",", containers.Select(c => c.String("name"))),
                    string.Join(",", containers.Select(c => c.String("image"))), selector];
            case "ReplicaSet":
                return [name, item.Long("spec", "replicas") ?? 0, item.Long("status", "replicas") ?? 0, item.Long("status", "readyReplicas") ?? 0, age,
                    string.Join(",", containers.Select(c => c.String("name"))), string.Join(",", containers.Select(c => c.String("image"))), selector];
            case "Pod":
                var statuses = item.Array("status", "containerStatuses").Objects().ToList();
                var waiting = statuses.Select(s => s.String("state", "waiting", "reason")).FirstOrDefault(r => r is not null);
                return [name, $"{statuses.Count(s => s.Bool("ready") == true)}/{item.Array("spec", "containers")?.Count ?? 0}", waiting ?? item.String("status", "phase") ?? "Pending",
                    statuses.Sum(s => s.Long("restartCount") ?? 0).ToString(CultureInfo.InvariantCulture), age, item.String("status", "podIP") ?? "<none>", item.String("spec", "nodeName") ?? "<none>"];
            case "Namespace":
                return [name, item.String("status", "phase") ?? "Active", age];
            case "Service":
                var ports = item.Array("spec", "ports").Objects().Select(p => $"{p.Long("port")}/{p.String("protocol") ?? "TCP"}");
                return [name, item.String("spec", "type") ?? "ClusterIP", item.String("spec", "clusterIP") ?? "<none>", "<none>", string.Join(",", ports), age];
            default:
                return [name, age];
        }
    }

    /// <summary>The age column as kubectl prints it: 5s, 3m, 2h.</summary>
    private static string Age(string? created)
    {
        if (Json.ParseTime(created) is not { } at)
        {
            return "<unknown>";
        }

        var age = DateTimeOffset.UtcNow - at;
        return age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
