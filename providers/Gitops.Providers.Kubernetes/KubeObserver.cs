using System.Globalization;
using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Schema.Model;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// A project environment as the cluster holds it, found by its labels: each pod of the platform's
/// Deployments as an instance (numbered by age; ready pods are the running ones; the address is
/// the pod's), each Deployment's drift, the claims as volumes, and whether the namespace and its wall exist.
/// </summary>
internal sealed class KubeObserver(KubeCluster cluster, KubernetesOptions options)
{
    public async Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken)
    {
        var scope = KubeScope.For(project, environment, options);
        var nothing = ObservedState.Nothing with { ServiceNoun = "deployment", NetworkNoun = "namespace", UpdatesInPlace = true, ScalesItself = true };
        if (!scope.Shared && !Owned(await cluster.GetAsync(KubeResource.Namespace, null, scope.Namespace, cancellationToken).ConfigureAwait(false), project, environment))
        {
            return nothing;
        }

        var wall = await cluster.GetAsync(KubeResource.NetworkPolicy, scope.Namespace, KubeNetwork.EnvironmentWall(scope).Metadata.Name, cancellationToken).ConfigureAwait(false);
        var deployments = (await cluster.ListAsync(KubeResource.Deployment, scope.Namespace, scope.Selector, cancellationToken).ConfigureAwait(false)).Items;
        var pods = (await cluster.ListAsync(KubeResource.Pod, scope.Namespace, scope.Selector, cancellationToken).ConfigureAwait(false)).Items;
        var claims = (await cluster.ListAsync(KubeResource.Claim, scope.Namespace, scope.Selector, cancellationToken).ConfigureAwait(false)).Items;
        if (scope.Shared && deployments.Count == 0 && claims.Count == 0 && wall is null)
        {
            return nothing;
        }

        var instances = new List<ObservedContainer>();
        foreach (var deployment in deployments)
        {
            var service = Label(deployment, Labels.Service);
            if (service is null || !Owned(deployment, project, environment))
            {
                continue;
            }

            var drift = new ValueList<Engine.Planning.FieldChange>(KubeDrift.Of(deployment));
            var own = pods
                .Where(p => Label(p, Labels.Service) == service && p["metadata"]?["deletionTimestamp"] is null && (string?)p["status"]?["phase"] is not ("Succeeded" or "Failed"))
                .OrderBy(p => (string?)p["metadata"]?["creationTimestamp"], StringComparer.Ordinal)
                .ThenBy(p => (string?)p["metadata"]?["name"], StringComparer.Ordinal)
                .ToList();
            instances.AddRange(own.Select((pod, index) => new ObservedContainer(
                (string?)pod["metadata"]?["uid"] ?? "",
                KubeNames.Instance(project, environment, service),
                service,
                (string?)pod["metadata"]?["annotations"]?[KubeLabels.Fingerprint] ?? "",
                index + 1,
                Ready(pod))
            {
                Address = (string?)pod["status"]?["podIP"],
                Drift = drift,
            }));
        }

        var volumes = claims
            .Where(c => Owned(c, project, environment) && Label(c, "paas.volume") is not null)
            .Select(c => Names.Volume(project, environment, Label(c, "paas.volume")!))
            .Order(StringComparer.Ordinal);
        return new ObservedState(true, new ValueList<string>(volumes), new ValueList<ObservedContainer>(instances))
        {
            NetworkWalled = wall is not null,
            ServiceNoun = "deployment",
            NetworkNoun = "namespace",
            UpdatesInPlace = true,
            ScalesItself = true,
        };
    }

    /// <summary>A pod serves once it is running and its readiness probe passed (the cluster sends it traffic then).</summary>
    public static bool Ready(JsonObject pod) =>
        (string?)pod["status"]?["phase"] == "Running"
        && (pod["status"]?["conditions"] as JsonArray ?? []).Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True");

    public static string? Label(JsonObject value, string key) => (string?)value["metadata"]?["labels"]?[key];

    public static bool Owned(JsonObject? value, string project, string environment) =>
        value is not null && Label(value, Labels.Project) == project && Label(value, Labels.Environment) == environment && Label(value, Labels.Managed) == "true";

    public static long Number(JsonNode? value) => value is null ? 0 : long.Parse(value.ToJsonString().Trim('"'), CultureInfo.InvariantCulture);
}
