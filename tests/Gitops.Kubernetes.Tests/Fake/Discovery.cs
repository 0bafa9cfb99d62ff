using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// Legacy (unaggregated) discovery and just enough OpenAPI v3 for kubectl: each group version's
/// document lists a PATCH operation per kind that accepts fieldValidation, so kubectl leaves validation
/// to the server instead of asking for /openapi/v2 (which the fake does not serve).
/// </summary>
internal static class Discovery
{
    private static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] SubresourceVerbs = ["get", "patch", "update"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-fake",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2024-12-11T00:00:00Z",
        ["goVersion"] = "go1.23.4",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject Groups(bool gateway) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. ResourceTypes.GroupVersions(gateway).Where(gv => gv.Group.Length > 0).Select(gv => (JsonNode)Group(gv.Group, gv.Version))]),
    };

    public static JsonObject Group(string group, string version)
    {
        var groupVersion = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(groupVersion),
            ["preferredVersion"] = groupVersion.DeepClone(),
        };
    }

    public static JsonObject Resources(string group, string version, bool gateway)
    {
        var resources = new JsonArray();
        foreach (var type in ResourceTypes.All.Where(t => t.Group == group && t.Version == version && (gateway || t.Group != ResourceTypes.GatewayGroup)))
        {
            var resource = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode)v)]),
            };
            if (type.ShortNames.Count > 0)
            {
                resource["shortNames"] = new JsonArray([.. type.ShortNames.Select(s => (JsonNode)s)]);
            }

            if (type.Kind is "Pod" or "Service" or "Deployment" or "ReplicaSet" or "CronJob" or "Job" or "HorizontalPodAutoscaler" or "ConfigMap" or "Secret" or "PersistentVolumeClaim" or "Ingress" or "NetworkPolicy")
            {
                resource["categories"] = new JsonArray("all");
            }

            resources.Add(resource);
            foreach (var sub in type.Subresources)
            {
                var entry = new JsonObject { ["name"] = $"{type.Plural}/{sub}", ["singularName"] = "", ["namespaced"] = type.Namespaced };
                if (sub == "scale")
                {
                    entry["group"] = "autoscaling";
                    entry["version"] = "v1";
                    entry["kind"] = "Scale";
                }
                else
                {
                    entry["kind"] = type.Kind;
                }

                entry["verbs"] = new JsonArray([.. SubresourceVerbs.Select(v => (JsonNode)v)]);
                resources.Add(entry);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    /// <summary>The OpenAPI v3 index: one entry per group version, as <c>api/v1</c> and <c>apis/apps/v1</c>.</summary>
    public static JsonObject OpenApiIndex(bool gateway)
    {
        var paths = new JsonObject();
        foreach (var (group, version) in ResourceTypes.GroupVersions(gateway))
        {
            var path = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash=fake" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? OpenApiGroupVersion(string path, bool gateway)
    {
        var match = ResourceTypes.GroupVersions(gateway)
            .Where(gv => (gv.Group.Length == 0 ? $"api/{gv.Version}" : $"apis/{gv.Group}/{gv.Version}") == path)
            .Select(gv => ((string Group, string Version)?)gv).FirstOrDefault();
        if (match is not { } gv)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var type in ResourceTypes.All.Where(t => t.Group == gv.Group && t.Version == gv.Version))
        {
            var prefix = type.GroupVersionPath + (type.Namespaced ? "/namespaces/{namespace}/" : "/");
            paths[$"{prefix}{type.Plural}/{{name}}"] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{type.Kind}",
                    ["parameters"] = new JsonArray(
                        new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                        new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                        new JsonObject { ["name"] = "force", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "boolean" } }),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = type.Group, ["kind"] = type.Kind, ["version"] = type.Version },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes (fake)", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }
}
