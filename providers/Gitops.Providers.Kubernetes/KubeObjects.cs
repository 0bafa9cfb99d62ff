using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using Gitops.Engine.Secrets;

namespace Gitops.Providers.Kubernetes;

/// <summary>An object the platform applies, with the kind of resource it is.</summary>
public sealed record KubeObject(KubeResource Resource, JsonObject Value)
{
    public string Name => (string)Value["metadata"]!["name"]!;

    public string? Namespace => (string?)Value["metadata"]?["namespace"];
}

/// <summary>
/// Every object a project environment is made of, in the order the driver applies them: the one
/// composition of the builders (<see cref="KubeNetwork"/>, <see cref="KubeWorkload"/>,
/// <see cref="KubeStorage"/>) that the driver and the golden tests both use.
/// </summary>
public static class KubeObjects
{
    /// <summary>The namespace (unless shared) and the environment's wall.</summary>
    public static IReadOnlyList<KubeObject> Environment(KubeScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var objects = new List<KubeObject>();
        if (!scope.Shared)
        {
            objects.Add(new(KubeResource.Namespace, KubernetesDriver.Json(KubeNetwork.Namespace(scope))));
        }

        objects.Add(new(KubeResource.NetworkPolicy, KubernetesDriver.Json(KubeNetwork.EnvironmentWall(scope))));
        return objects;
    }

    public static KubeObject Volume(KubeScope scope, string volume) =>
        new(KubeResource.Claim, KubernetesDriver.Json(KubeStorage.Claim(scope, volume)));

    /// <summary>
    /// A service's Secret (when it has secrets), Service (when it has a port), allowFrom policy,
    /// Deployment (with the record drift is measured against), autoscaler and CronJobs.
    /// </summary>
    public static IReadOnlyList<KubeObject> Service(KubeScope scope, DesiredService service, SecretValues? secrets, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(service);
        var objects = new List<KubeObject>();
        if (secrets is not null)
        {
            objects.Add(new(KubeResource.Secret, KubernetesDriver.Json(KubeStorage.Secret(scope, service, secrets))));
        }

        if (service.Spec.Port is not null)
        {
            objects.Add(new(KubeResource.Service, KubernetesDriver.Json(KubeNetwork.Service(scope, service))));
        }

        if (service.Extras.AllowFrom.Count > 0)
        {
            objects.Add(new(KubeResource.NetworkPolicy, KubernetesDriver.Json(KubeNetwork.AllowFrom(scope, service))));
        }

        objects.Add(new(KubeResource.Deployment, KubeDrift.WithRecord(KubernetesDriver.Json(KubeWorkload.Deployment(scope, service, options)))));
        if (service.Extras.Autoscale is not null)
        {
            objects.Add(new(KubeResource.Autoscaler, KubernetesDriver.Json(KubeWorkload.Autoscaler(scope, service))));
        }

        objects.AddRange(service.Extras.Crons.Select(c => new KubeObject(KubeResource.CronJob, KubernetesDriver.Json(KubeWorkload.CronJob(scope, service, c)))));
        return objects;
    }

    /// <summary>A public service's way in: the policy that lets the ingress controller reach it, and its Ingress or HTTPRoute.</summary>
    public static IReadOnlyList<KubeObject> Route(KubeScope scope, DesiredRoute route, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(options);
        return
        [
            new(KubeResource.NetworkPolicy, KubernetesDriver.Json(KubeNetwork.PublicDoor(scope, route))),
            options.Gateway is null
                ? new(KubeResource.Ingress, KubernetesDriver.Json(KubeNetwork.Ingress(scope, route, options)))
                : new(KubeResource.HttpRoute, KubeNetwork.HttpRoute(scope, route, options)),
        ];
    }

    /// <summary>Everything of a desired state, in apply order: what the golden tests compare.</summary>
    public static IReadOnlyList<KubeObject> All(DesiredState desired, KubernetesOptions options, Func<DesiredService, SecretValues?> secrets)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(secrets);
        var scope = KubeScope.For(desired.Project, desired.Environment, options);
        var objects = new List<KubeObject>(Environment(scope));
        objects.AddRange(desired.Volumes.Select(v => Volume(scope, v)));
        foreach (var service in desired.Services)
        {
            objects.AddRange(Service(scope, service, secrets(service), options));
            if (desired.RouteOf(service.Name) is { } route)
            {
                objects.AddRange(Route(scope, route, options));
            }
        }

        return objects;
    }
}
