using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using k8s;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// The driver for Kubernetes: a namespace per project environment (walled by a NetworkPolicy),
/// and per service a Deployment, its Service, its Secret and its volumes' claims, all applied with
/// server-side apply as field manager <c>paas</c>. The cluster rolls a Deployment out itself; the
/// platform waits on it (<see cref="KubeRollout"/>). Public services are reached through the
/// cluster's own ingress controller (<see cref="KubeIngress"/>).
/// </summary>
public sealed class KubernetesDriver(KubeCluster cluster, KubernetesOptions options) : ITargetDriver, IDisposable
{
    public const string KindName = "kubernetes";

    /// <summary>The journal's verbs, read back by <see cref="RecoverStepAsync"/>.</summary>
    public const string ApplyDeployment = "apply-deployment";
    public const string DeleteDeployment = "delete-deployment";

    /// <summary>
    /// The cluster rolls out and routes (its ingress controller); namespaces are walled by
    /// NetworkPolicy (enforced where the cluster's network plugin enforces it: docs/kubernetes.md);
    /// volumes are claims, secrets are Secrets, gVisor is a RuntimeClass the cluster must have.
    /// </summary>
    public static readonly TargetCapabilities Kubernetes = new()
    {
        Rollout = RolloutOwner.Target,
        Traffic = TrafficOwner.Target,
        NetworkPolicy = true,
        Volumes = true,
        Secrets = true,
        Sandbox = true,
        AllowFrom = true,
        ScheduledJobs = true,
        Autoscaling = true,
        ScalesItself = true,
    };

    private readonly KubeObserver _observer = new(cluster, options);

    public string Kind => KindName;

    public TargetCapabilities Capabilities => Kubernetes;

    public KubernetesOptions Options => options;

    internal KubeCluster Cluster => cluster;

    public async Task<TargetProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new TargetProbe(true, $"kubernetes {await cluster.VersionAsync(cancellationToken).ConfigureAwait(false)} at {cluster.Server}");
        }
        catch (Exception e) when (e is TargetException or KubeApiException)
        {
            return new TargetProbe(false, e.Message);
        }
    }

    public Task<ObservedState> ObserveAsync(string project, string environment, CancellationToken cancellationToken) =>
        _observer.ObserveAsync(project, environment, cancellationToken);

    /// <summary>The namespace (refused when one of that name is not this environment's) and its wall.</summary>
    public async Task EnsureEnvironmentAsync(string project, string environment, string name, CancellationToken cancellationToken)
    {
        var scope = KubeScope.For(project, environment, options);
        foreach (var item in KubeObjects.Environment(scope))
        {
            await RefuseOthersAsync(item.Resource, item.Namespace, item.Name, scope, cancellationToken).ConfigureAwait(false);
            await ApplyAsync(item, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes the environment's namespace (and with it all it holds), or in a shared namespace its
    /// wall. A namespace that still holds the environment's claims stays: deleting it would delete
    /// the data that a destroy without --volumes keeps.
    /// </summary>
    public async Task RemoveEnvironmentAsync(string name, CancellationToken cancellationToken)
    {
        if (Parse(name) is not var (project, environment))
        {
            return;
        }

        var scope = KubeScope.For(project, environment, options);
        if (scope.Shared)
        {
            await cluster.DeleteAsync(KubeResource.NetworkPolicy, scope.Namespace, KubeNetwork.EnvironmentWall(scope).Metadata.Name, cancellationToken).ConfigureAwait(false);
            return;
        }

        if ((await cluster.ListAsync(KubeResource.Claim, scope.Namespace, scope.Selector, cancellationToken).ConfigureAwait(false)).Items.Count > 0)
        {
            return;
        }

        if (KubeObserver.Owned(await cluster.GetAsync(KubeResource.Namespace, null, scope.Namespace, cancellationToken).ConfigureAwait(false), project, environment))
        {
            await cluster.DeleteAsync(KubeResource.Namespace, null, scope.Namespace, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task EnsureVolumeAsync(string project, string environment, string name, CancellationToken cancellationToken)
    {
        var scope = KubeScope.For(project, environment, options);
        var claim = KubeObjects.Volume(scope, name);
        await RefuseOthersAsync(claim.Resource, claim.Namespace, claim.Name, scope, cancellationToken).ConfigureAwait(false);
        await ApplyAsync(claim, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the claim (and so, by the storage class's reclaim policy, the data): only ever on an explicit destroy --volumes.</summary>
    public async Task RemoveVolumeAsync(string name, CancellationToken cancellationToken)
    {
        var parts = name.Split(Names.Separator);
        if (parts is not ["paas", var project, var environment, var volume])
        {
            return;
        }

        var scope = KubeScope.For(project, environment, options);
        var claim = KubeNames.Claim(scope, volume);
        if (KubeObserver.Owned(await cluster.GetAsync(KubeResource.Claim, scope.Namespace, claim, cancellationToken).ConfigureAwait(false), project, environment))
        {
            await cluster.DeleteAsync(KubeResource.Claim, scope.Namespace, claim, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IRollout> ApplyServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(host);
        var desired = change.Node.Desired ?? throw new ArgumentException($"{change.Node.Id} has no desired spec: delete it instead", nameof(change));
        if (desired.RunImage.StartsWith(Names.BuiltImagePrefix, StringComparison.Ordinal))
        {
            throw new TargetRefusedException($"services.{desired.Name}.build: the image was built on this machine and no cluster node can pull it; add a registry to platform.yaml (registry: {{ url: … }}) so built images reach the cluster by digest");
        }

        if (desired.Extras.Autoscale is { } autoscale && (autoscale.P95Ms is not null || autoscale.Rps is not null))
        {
            throw new TargetRefusedException($"services.{desired.Name}.autoscale.{(autoscale.P95Ms is not null ? "p95Ms" : "rps")}: a Kubernetes autoscaler scales on cpu and memory here (latency and request rate need a metrics adapter the platform does not install); use autoscale.cpu or autoscale.memory");
        }

        var scope = KubeScope.For(change.Project, change.Environment, options);
        var name = KubeNames.Object(scope, desired.Name);
        var previous = await cluster.GetAsync(KubeResource.Deployment, scope.Namespace, name, cancellationToken).ConfigureAwait(false);
        if (previous is not null && !KubeObserver.Owned(previous, change.Project, change.Environment))
        {
            throw new TargetConflictException(Ownership.Refusal("Deployment", $"{scope.Namespace}/{name}", Labels(previous), change.Project, change.Environment)!);
        }

        // The fields a plan showed as changed outside the platform are the only ones it takes back from another manager.
        var takeOver = change.Node.Changes.Select(c => c.Field).Where(f => f.StartsWith('.')).ToHashSet(StringComparer.Ordinal);
        JsonObject applied = null!;
        await host.StepAsync(
            new JournaledStep(ApplyDeployment, KubeNames.Instance(change.Project, change.Environment, desired.Name), InventoryChange.Adds)
            {
                Description = $"apply deployment {name} in namespace {scope.Namespace} ({desired.Replicas} replica(s))",
            },
            async t => applied = await ApplyServiceObjectsAsync(scope, change, takeOver, t).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return new KubeRollout(this, scope, change, host, applied, previous is not null && Record(previous) is not null ? previous : null);
    }

    public async Task DeleteServiceAsync(ServiceChange change, IRolloutHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(host);
        var scope = KubeScope.For(change.Project, change.Environment, options);
        foreach (var instance in change.Node.Remove.Distinct(StringComparer.Ordinal))
        {
            // An instance name is read back for its service only: the environment is the change's, never the name's.
            if (KubeNames.Parse(instance) is not var (project, environment, service) || project != change.Project || environment != change.Environment)
            {
                throw new TargetRefusedException($"'{instance}' is not an instance of {change.Project}/{change.Environment}; nothing was deleted");
            }

            await host.StepAsync(new JournaledStep(DeleteDeployment, instance, InventoryChange.Removes) { Description = $"delete deployment {KubeNames.Object(scope, service)} and its objects" },
                t => DeleteServiceObjectsAsync(scope, service, t), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An interrupted deletion is finished; anything else is left to the next plan (the cluster carries on with what it was given).</summary>
    public async Task<StepRecovery> RecoverStepAsync(JournalEntry step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Action != DeleteDeployment || KubeNames.Parse(step.Target) is not var (project, environment, service))
        {
            return StepRecovery.Untouched;
        }

        await DeleteServiceObjectsAsync(KubeScope.For(project, environment, options), service, cancellationToken).ConfigureAwait(false);
        return StepRecovery.Finished;
    }

    public void Dispose() => cluster.Dispose();

    /// <summary>The Secret, the Service and the Deployment of one service; objects it no longer needs go.</summary>
    private async Task<JsonObject> ApplyServiceObjectsAsync(KubeScope scope, ServiceChange change, IReadOnlySet<string> takeOver, CancellationToken cancellationToken)
    {
        var desired = change.Node.Desired!;
        var objects = KubeObjects.Service(scope, desired, change.Secrets, options);
        if (desired.Spec.Port is null)
        {
            await DeleteOwnedAsync(KubeResource.Service, scope, KubeNames.Object(scope, desired.Name), cancellationToken).ConfigureAwait(false);
        }

        // An autoscaler the service no longer has goes first, and the replica count it set is taken back (the plan showed autoscale removed).
        var takeBack = new HashSet<string>(takeOver, StringComparer.Ordinal);
        if (desired.Extras.Autoscale is null)
        {
            await DeleteOwnedAsync(KubeResource.Autoscaler, scope, KubeNames.Object(scope, desired.Name), cancellationToken).ConfigureAwait(false);
            if (change.Node.Changes.Any(c => c.Field == "autoscale"))
            {
                takeBack.Add(".spec.replicas");
            }
        }

        JsonObject? deployment = null;
        foreach (var item in objects)
        {
            await RefuseOthersAsync(item.Resource, item.Namespace, item.Name, scope, cancellationToken).ConfigureAwait(false);
            var applied = await cluster.ApplyAsync(item.Resource, item.Value, item.Resource == KubeResource.Deployment ? takeBack : NoTakeOver, cancellationToken).ConfigureAwait(false);
            deployment = item.Resource == KubeResource.Deployment ? applied : deployment;
        }

        // Crons the service no longer has.
        var wanted = objects.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var item in (await cluster.ListAsync(KubeResource.CronJob, scope.Namespace, scope.SelectorOf(desired.Name), cancellationToken).ConfigureAwait(false)).Items)
        {
            if (!wanted.Contains((string)item["metadata"]!["name"]!) && KubeObserver.Owned(item, scope.Project, scope.Environment))
            {
                await cluster.DeleteAsync(KubeResource.CronJob, scope.Namespace, (string)item["metadata"]!["name"]!, cancellationToken).ConfigureAwait(false);
            }
        }

        return deployment!;
    }

    /// <summary>
    /// Once a rollout succeeded, what the old pods needed goes: Secrets of earlier values, and an
    /// allowFrom policy the service no longer has (removed earlier, it would have left the old,
    /// restricted pods open to all). A failed rollout keeps both for the version that stays.
    /// </summary>
    internal async Task RemoveLeftoversAsync(KubeScope scope, DesiredService service, CancellationToken cancellationToken)
    {
        var keep = service.Spec.Secrets.Count > 0 ? KubeNames.Secret(scope, service) : null;
        foreach (var secret in (await cluster.ListAsync(KubeResource.Secret, scope.Namespace, scope.SelectorOf(service.Name), cancellationToken).ConfigureAwait(false)).Items)
        {
            var name = (string)secret["metadata"]!["name"]!;
            if (name != keep && KubeObserver.Owned(secret, scope.Project, scope.Environment))
            {
                await cluster.DeleteAsync(KubeResource.Secret, scope.Namespace, name, cancellationToken).ConfigureAwait(false);
            }
        }

        if (service.Extras.AllowFrom.Count == 0)
        {
            await DeleteOwnedAsync(KubeResource.NetworkPolicy, scope, KubeNames.Object(scope, service.Name) + "-allow-from", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The spec the platform applied before a failed rollout, applied again (from the object's own record of it).</summary>
    internal async Task<JsonObject> ApplyPreviousAsync(KubeScope scope, JsonObject previous, CancellationToken cancellationToken)
    {
        var record = Record(previous) ?? throw new InvalidOperationException("the previous Deployment has no record of what the platform applied");
        var value = new JsonObject
        {
            ["apiVersion"] = KubeResource.Deployment.ApiVersion,
            ["kind"] = KubeResource.Deployment.Kind,
            ["metadata"] = new JsonObject { ["name"] = previous["metadata"]!["name"]!.DeepClone(), ["namespace"] = scope.Namespace, ["labels"] = record["metadata"]?["labels"]?.DeepClone() },
            ["spec"] = record["spec"]?.DeepClone(),
        };
        return await cluster.ApplyAsync(KubeResource.Deployment, KubeDrift.WithRecord(value), NoTakeOver, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The service's Deployment and everything else labelled as the service's; waits until its pods are gone.</summary>
    internal async Task DeleteServiceObjectsAsync(KubeScope scope, string service, CancellationToken cancellationToken)
    {
        var selector = scope.SelectorOf(service);
        foreach (var resource in new[] { KubeResource.Deployment }.Concat(KubeResource.OfAService))
        {
            foreach (var item in (await cluster.ListAsync(resource, scope.Namespace, selector, cancellationToken).ConfigureAwait(false)).Items)
            {
                await cluster.DeleteAsync(resource, scope.Namespace, (string)item["metadata"]!["name"]!, cancellationToken).ConfigureAwait(false);
            }
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(120));
        while ((await cluster.ListAsync(KubeResource.Pod, scope.Namespace, selector, limit.Token).ConfigureAwait(false)).Items.Any(p => p["metadata"]?["deletionTimestamp"] is null))
        {
            await Task.Delay(200, limit.Token).ConfigureAwait(false);
        }
    }

    private static readonly HashSet<string> NoTakeOver = new(StringComparer.Ordinal);

    private Task<JsonObject> ApplyAsync(KubeObject item, CancellationToken cancellationToken) =>
        cluster.ApplyAsync(item.Resource, item.Value, NoTakeOver, cancellationToken);

    /// <summary>A typed object as the JSON the API takes (nulls left out, as <c>kubectl</c> sends).</summary>
    public static JsonObject Json(object value) => (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(value))!;

    private async Task RefuseOthersAsync(KubeResource resource, string? ns, string name, KubeScope scope, CancellationToken cancellationToken)
    {
        var existing = await cluster.GetAsync(resource, ns, name, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !KubeObserver.Owned(existing, scope.Project, scope.Environment))
        {
            throw new TargetConflictException(Ownership.Refusal(resource.Kind, ns is null ? name : $"{ns}/{name}", Labels(existing), scope.Project, scope.Environment)!);
        }
    }

    private async Task DeleteOwnedAsync(KubeResource resource, KubeScope scope, string name, CancellationToken cancellationToken)
    {
        if (KubeObserver.Owned(await cluster.GetAsync(resource, scope.Namespace, name, cancellationToken).ConfigureAwait(false), scope.Project, scope.Environment))
        {
            await cluster.DeleteAsync(resource, scope.Namespace, name, cancellationToken).ConfigureAwait(false);
        }
    }

    private static JsonObject? Record(JsonObject value) =>
        (string?)value["metadata"]?["annotations"]?[KubeLabels.Applied] is { } text ? JsonNode.Parse(text) as JsonObject : null;

    private static Dictionary<string, string> Labels(JsonObject value) =>
        (value["metadata"]?["labels"] as JsonObject ?? []).ToDictionary(l => l.Key, l => (string?)l.Value ?? "", StringComparer.Ordinal);

    /// <summary>(project, environment) of an environment's network name (<c>paas_project_env</c>).</summary>
    private static (string Project, string Environment)? Parse(string name) =>
        name.Split(Names.Separator) is ["paas", var project, var environment] ? (project, environment) : null;
}
