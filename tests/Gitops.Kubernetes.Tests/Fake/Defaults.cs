using System.Text;
using System.Text.Json.Nodes;

namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// The defaults the real API server fills in on write (the subset a driver would see come back), and
/// the fields it allocates: a Service's cluster IP, a claim bound at once, a Secret's stringData folded
/// into data.
/// </summary>
internal static class Defaults
{
    public static void Apply(ResourceType type, JsonObject value, Func<string> allocateClusterIp)
    {
        var spec = value["spec"] as JsonObject;
        switch (type.Kind)
        {
            case "Namespace":
                value.Metadata().Ensure("labels")["kubernetes.io/metadata.name"] = value.Name();
                value.Ensure("spec")["finalizers"] ??= new JsonArray("kubernetes");
                value.Ensure("status")["phase"] ??= "Active";
                break;
            case "Pod":
                PodSpec(value.Ensure("spec"), restartPolicy: "Always");
                value.Ensure("status")["phase"] ??= "Pending";
                break;
            case "Deployment":
                spec = value.Ensure("spec");
                spec["replicas"] ??= 1;
                spec["revisionHistoryLimit"] ??= 10;
                spec["progressDeadlineSeconds"] ??= 600;
                var strategy = spec.Ensure("strategy");
                strategy["type"] ??= "RollingUpdate";
                if (strategy.String("type") == "RollingUpdate")
                {
                    var rolling = strategy.Ensure("rollingUpdate");
                    rolling["maxSurge"] ??= "25%";
                    rolling["maxUnavailable"] ??= "25%";
                }

                PodSpec(spec.Ensure("template", "spec"), restartPolicy: "Always");
                break;
            case "ReplicaSet":
                spec = value.Ensure("spec");
                spec["replicas"] ??= 1;
                PodSpec(spec.Ensure("template", "spec"), restartPolicy: "Always");
                break;
            case "Job":
                JobSpec(value.Ensure("spec"));
                break;
            case "CronJob":
                spec = value.Ensure("spec");
                spec["concurrencyPolicy"] ??= "Allow";
                spec["suspend"] ??= false;
                spec["successfulJobsHistoryLimit"] ??= 3;
                spec["failedJobsHistoryLimit"] ??= 1;
                JobSpec(spec.Ensure("jobTemplate", "spec"));
                break;
            case "Service":
                ServiceSpec(value.Ensure("spec"), allocateClusterIp);
                value.Ensure("status")["loadBalancer"] ??= new JsonObject();
                break;
            case "Secret":
                value["type"] ??= "Opaque";
                if (value["stringData"] is JsonObject strings)
                {
                    var data = value.Ensure("data");
                    foreach (var (key, text) in strings)
                    {
                        data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text?.ToString() ?? ""));
                    }

                    value.Remove("stringData");
                }

                break;
            case "PersistentVolumeClaim":
                spec = value.Ensure("spec");
                spec["volumeMode"] ??= "Filesystem";
                var status = value.Ensure("status");
                status["phase"] ??= "Bound";
                status["accessModes"] ??= spec["accessModes"]?.DeepClone();
                status["capacity"] ??= spec.Object("resources", "requests")?.DeepClone();
                break;
            case "NetworkPolicy" when spec is not null && spec["policyTypes"] is null:
                spec["policyTypes"] = spec["egress"] is null ? new JsonArray("Ingress") : new JsonArray("Ingress", "Egress");
                break;
        }
    }

    private static void JobSpec(JsonObject spec)
    {
        spec["parallelism"] ??= 1;
        spec["completions"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        PodSpec(spec.Ensure("template", "spec"), restartPolicy: null);
    }

    private static void ServiceSpec(JsonObject spec, Func<string> allocateClusterIp)
    {
        spec["type"] ??= "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        foreach (var port in spec.Array("ports").Objects())
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
        }

        if (spec["clusterIP"] is null)
        {
            spec["clusterIP"] = allocateClusterIp();
        }

        spec["clusterIPs"] ??= new JsonArray(spec["clusterIP"]!.DeepClone());
        spec["ipFamilies"] ??= new JsonArray("IPv4");
        spec["ipFamilyPolicy"] ??= "SingleStack";
        spec["internalTrafficPolicy"] ??= "Cluster";
    }

    private static void PodSpec(JsonObject spec, string? restartPolicy)
    {
        if (restartPolicy is not null)
        {
            spec["restartPolicy"] ??= restartPolicy;
        }

        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["securityContext"] ??= new JsonObject();
        foreach (var container in spec.Array("containers").Objects().Concat(spec.Array("initContainers").Objects()))
        {
            var image = container.String("image") ?? "";
            var tag = image.Contains('@', StringComparison.Ordinal) ? "digest" : image[(image.LastIndexOf('/') + 1)..].Split(':') is [_, var t] ? t : "latest";
            container["imagePullPolicy"] ??= tag == "latest" ? "Always" : "IfNotPresent";
            container["terminationMessagePath"] ??= "/dev/termination-log";
            container["terminationMessagePolicy"] ??= "File";
            container["resources"] ??= new JsonObject();
            foreach (var port in container.Array("ports").Objects())
            {
                port["protocol"] ??= "TCP";
            }

            foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            {
                if (container[probe] is JsonObject p)
                {
                    p["timeoutSeconds"] ??= 1;
                    p["periodSeconds"] ??= 10;
                    p["successThreshold"] ??= 1;
                    p["failureThreshold"] ??= 3;
                    if (p["httpGet"] is JsonObject http)
                    {
                        http["scheme"] ??= "HTTP";
                    }
                }
            }
        }

        foreach (var volume in spec.Array("volumes").Objects())
        {
            foreach (var source in new[] { "configMap", "secret" })
            {
                if (volume[source] is JsonObject s)
                {
                    s["defaultMode"] ??= 420;
                }
            }
        }
    }
}
