using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Kubernetes;

/// <summary>
/// Waits while the cluster rolls a Deployment out, following it through a watch: done once the
/// controller has seen this generation and every replica is of the new version and available
/// (old pods gone; <c>maxUnavailable: 0</c> kept the old ones serving meanwhile). It gives up when
/// the <c>Progressing</c> condition says the deadline passed, when a new pod cannot start (its image
/// cannot be pulled, it crashes, the runtime class is missing), or when a new pod runs but stays
/// unready for longer than its health check allows; then the previous spec is applied again (or a
/// first version removed) and the rollout is reported rolled back.
/// </summary>
internal sealed class KubeRollout(KubernetesDriver driver, KubeScope scope, ServiceChange change, IRolloutHost host, JsonObject applied, JsonObject? previous) : IRollout
{
    public const string AwaitRollout = "await-rollout";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Waiting reasons of a container that will not start by itself, and how long each is given.</summary>
    private static readonly Dictionary<string, TimeSpan> Stuck = new(StringComparer.Ordinal)
    {
        ["InvalidImageName"] = TimeSpan.Zero,
        ["CreateContainerConfigError"] = TimeSpan.FromSeconds(5),
        ["CreateContainerError"] = TimeSpan.FromSeconds(5),
        ["ErrImagePull"] = TimeSpan.FromSeconds(10),
        ["ImagePullBackOff"] = TimeSpan.FromSeconds(10),
        ["CrashLoopBackOff"] = TimeSpan.FromSeconds(10),
    };

    private readonly DesiredService _desired = change.Node.Desired!;
    private readonly string _name = KubeNames.Object(scope, change.Node.Desired!.Name);
    private readonly Dictionary<string, long> _firstSeen = new(StringComparer.Ordinal);
    private string _shown = "";

    public async Task<RolloutResult> WaitAsync(CancellationToken cancellationToken)
    {
        var result = RolloutResult.Done;
        await host.StepAsync(
            new JournaledStep(AwaitRollout, KubeNames.Instance(scope.Project, scope.Environment, _desired.Name))
            {
                Description = $"Kubernetes rolls out deployment {_name}: each new pod ready before an old one stops",
            },
            async t =>
            {
                result = await WaitCoreAsync(t).ConfigureAwait(false);
                return new StepResult(result.Succeeded, result.Detail);
            },
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<RolloutResult> WaitCoreAsync(CancellationToken cancellationToken)
    {
        var began = host.Clock.GetTimestamp();
        var generation = KubeObserver.Number(applied["metadata"]?["generation"]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var changes = Channel.CreateUnbounded<JsonObject>();
        var watching = WatchAsync((string?)applied["metadata"]?["resourceVersion"] ?? "", changes.Writer, stop.Token);
        try
        {
            var current = applied;
            while (true)
            {
                while (changes.Reader.TryRead(out var newer))
                {
                    current = newer;
                }

                if (await JudgeAsync(current, generation, cancellationToken).ConfigureAwait(false) is { } verdict)
                {
                    return verdict;
                }

                if (host.Clock.GetElapsedTime(began) > Deadline())
                {
                    return await UndoAsync($"the rollout did not finish in {Deadline().TotalSeconds:0} s ({Progress(current)})", cancellationToken).ConfigureAwait(false);
                }

                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                tick.CancelAfter(Poll);
                try
                {
                    await changes.Reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // No change within the poll: look at the pods again anyway (their readiness is not the Deployment's).
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
        }
    }

    /// <summary>Null while the rollout goes on; the outcome once it is over.</summary>
    private async Task<RolloutResult?> JudgeAsync(JsonObject deployment, long generation, CancellationToken cancellationToken)
    {
        var status = deployment["status"];
        var wanted = KubeObserver.Number(deployment["spec"]?["replicas"]);
        var seen = KubeObserver.Number(status?["observedGeneration"]) >= generation;
        var progress = Progress(deployment);
        if (seen && progress != _shown)
        {
            // Counts of an older generation say nothing of this rollout: shown once the controller has seen it.
            host.Progress($"rollout {_desired.Name}", progress);
            _shown = progress;
        }

        var progressing = (status?["conditions"] as JsonArray ?? []).FirstOrDefault(c => (string?)c?["type"] == "Progressing");
        if (seen && (string?)progressing?["reason"] == "ProgressDeadlineExceeded")
        {
            return await UndoAsync($"the new version is unhealthy: the cluster says it {(string?)progressing?["message"] ?? "exceeded its progress deadline"}", cancellationToken).ConfigureAwait(false);
        }

        if (seen
            && KubeObserver.Number(status?["updatedReplicas"]) == wanted
            && KubeObserver.Number(status?["replicas"]) == wanted
            && KubeObserver.Number(status?["availableReplicas"]) == wanted)
        {
            if (!await SettledAsync(wanted, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            await driver.RemoveLeftoversAsync(scope, _desired, cancellationToken).ConfigureAwait(false);
            return new RolloutResult(true, $"{wanted} pod(s) of the new version ready");
        }

        return await FailureAsync(cancellationToken).ConfigureAwait(false) is { } failure
            ? await UndoAsync(failure, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>The counters say done; the pods agree (an old pod the controller scaled away may linger for a moment).</summary>
    private async Task<bool> SettledAsync(long wanted, CancellationToken cancellationToken)
    {
        var pods = await ServicePodsAsync(cancellationToken).ConfigureAwait(false);
        return pods.Count == wanted && pods.All(p => Fingerprint(p) == _desired.Fingerprint && KubeObserver.Ready(p));
    }

    /// <summary>Why a pod of the new version will not become ready by itself, once it has been so for its grace time.</summary>
    private async Task<string?> FailureAsync(CancellationToken cancellationToken)
    {
        foreach (var set in (await driver.Cluster.ListAsync(KubeResource.ReplicaSet, scope.Namespace, Selector, cancellationToken).ConfigureAwait(false)).Items)
        {
            var refused = (set["status"]?["conditions"] as JsonArray ?? []).FirstOrDefault(c => (string?)c?["type"] == "ReplicaFailure" && (string?)c?["status"] == "True");
            if (refused is not null && (string?)set["spec"]?["template"]?["metadata"]?["annotations"]?[KubeLabels.Fingerprint] == _desired.Fingerprint)
            {
                return $"the cluster cannot create its pods: {(string?)refused["message"]}";
            }
        }

        var now = host.Clock.GetTimestamp();
        foreach (var pod in (await ServicePodsAsync(cancellationToken).ConfigureAwait(false)).Where(p => Fingerprint(p) == _desired.Fingerprint))
        {
            var name = (string?)pod["metadata"]?["name"] ?? "";
            foreach (var container in pod["status"]?["containerStatuses"] as JsonArray ?? [])
            {
                if ((string?)container?["state"]?["waiting"]?["reason"] is { } reason && Stuck.TryGetValue(reason, out var grace)
                    && Since($"{name}/{reason}", now) >= grace)
                {
                    return $"the new version is unhealthy: pod {name} cannot start ({reason}: {(string?)container["state"]!["waiting"]!["message"] ?? "no message"})";
                }
            }

            if ((string?)pod["status"]?["phase"] == "Running" && !KubeObserver.Ready(pod) && Since($"{name}/unready", now) > HealthWindow())
            {
                return $"the new version is unhealthy: pod {name} runs but its readiness probe ({_desired.Spec.Health?.Path ?? "none"}) has not passed in {HealthWindow().TotalSeconds:0} s";
            }
        }

        return null;
    }

    /// <summary>
    /// Gives up on the new version: the spec the platform applied before goes back (the cluster
    /// returns to the previous ReplicaSet, whose pods never stopped), or a first version is removed.
    /// Waits until the cluster is back where it was, so what the platform records is what runs.
    /// </summary>
    private async Task<RolloutResult> UndoAsync(string why, CancellationToken cancellationToken)
    {
        var instance = KubeNames.Instance(scope.Project, scope.Environment, _desired.Name);
        if (previous is null)
        {
            await host.StepAsync(new JournaledStep(KubernetesDriver.DeleteDeployment, instance, InventoryChange.Removes) { Undoes = true, Description = $"remove deployment {_name} again" },
                t => driver.DeleteServiceObjectsAsync(scope, _desired.Name, t), cancellationToken).ConfigureAwait(false);
            return RolloutResult.Failed($"service {_desired.Name}: {why}; removed again");
        }

        await host.StepAsync(new JournaledStep(KubernetesDriver.ApplyDeployment, instance) { Undoes = true, Description = $"apply deployment {_name}'s previous spec again" }, async t =>
        {
            var back = await driver.ApplyPreviousAsync(scope, previous, t).ConfigureAwait(false);
            await WaitBackAsync(KubeObserver.Number(back["metadata"]?["generation"]), t).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return RolloutResult.Failed($"service {_desired.Name}: {why}; the previous version is back");
    }

    private async Task WaitBackAsync(long generation, CancellationToken cancellationToken)
    {
        var fingerprint = (string?)previous!["spec"]?["template"]?["metadata"]?["annotations"]?[KubeLabels.Fingerprint];
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var now = await driver.Cluster.GetAsync(KubeResource.Deployment, scope.Namespace, _name, limit.Token).ConfigureAwait(false);
            var pods = await ServicePodsAsync(limit.Token).ConfigureAwait(false);
            if (now is null || (KubeObserver.Number(now["status"]?["observedGeneration"]) >= generation && pods.All(p => Fingerprint(p) == fingerprint)))
            {
                return;
            }

            await Task.Delay(Poll, host.Clock, limit.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Feeds each new state of the Deployment to the rollout; a watch the server ends is opened again from where it was.</summary>
    private async Task WatchAsync(string resourceVersion, ChannelWriter<JsonObject> changes, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var (type, value) in driver.Cluster.WatchAsync(KubeResource.Deployment, scope.Namespace, _name, resourceVersion, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false))
                {
                    resourceVersion = (string?)value["metadata"]?["resourceVersion"] ?? resourceVersion;
                    if (type is "ADDED" or "MODIFIED")
                    {
                        changes.TryWrite(value);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubeApiException or TargetException or IOException or HttpRequestException or System.Text.Json.JsonException)
            {
                // The rollout polls the pods anyway; the watch comes back after a pause.
                try
                {
                    await Task.Delay(Poll, host.Clock, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<List<JsonObject>> ServicePodsAsync(CancellationToken cancellationToken) =>
        (await driver.Cluster.ListAsync(KubeResource.Pod, scope.Namespace, Selector, cancellationToken).ConfigureAwait(false)).Items
            .Where(p => p["metadata"]?["deletionTimestamp"] is null && (string?)p["status"]?["phase"] is not ("Succeeded" or "Failed"))
            .ToList();

    private string Selector => scope.SelectorOf(_desired.Name);

    private TimeSpan Since(string key, long now)
    {
        if (!_firstSeen.TryGetValue(key, out var first))
        {
            _firstSeen[key] = first = now;
        }

        return host.Clock.GetElapsedTime(first, now);
    }

    /// <summary>How long a running pod may stay unready: its start period and every allowed failure, plus a probe's time and some slack.</summary>
    private TimeSpan HealthWindow()
    {
        var health = _desired.Spec.Health;
        return health is null
            ? TimeSpan.FromSeconds(30)
            : health.StartPeriod.Value + (health.Interval.Value * health.Retries) + health.Timeout.Value + TimeSpan.FromSeconds(3);
    }

    private TimeSpan Deadline() => TimeSpan.FromSeconds(driver.Options.ProgressDeadlineSeconds + 30);

    private static string Progress(JsonObject deployment)
    {
        var status = deployment["status"];
        string N(string field) => KubeObserver.Number(status?[field]).ToString(CultureInfo.InvariantCulture);
        return $"{N("updatedReplicas")}/{KubeObserver.Number(deployment["spec"]?["replicas"]).ToString(CultureInfo.InvariantCulture)} updated, {N("availableReplicas")} available, {N("replicas")} running in all";
    }

    private static string? Fingerprint(JsonObject pod) => (string?)pod["metadata"]?["annotations"]?[KubeLabels.Fingerprint];
}
