using Docker.DotNet.Models;

namespace Gitops.IntegrationTests;

/// <summary>The engine's apply cycle on real Docker and real Podman: the same suite on each.</summary>
public sealed class ApplyLifecycleTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Create_from_nothing_then_reapply_is_a_noop_that_restarts_nothing(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web") + world.WebService("api"));

        var first = world.Apply();
        var before = await world.ContainersAsync();
        var second = world.Apply();
        var after = await world.ContainersAsync();

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(2, before.Count);
        Assert.All(before.Values, c => Assert.True(c.Running));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("No changes.", second.Output, StringComparison.Ordinal);
        Assert.Equal(before, after);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Env_change_replaces_only_that_service_starting_the_new_replica_first(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web", "    env: { LOG_LEVEL: info }\n") + world.WebService("api"));
        Assert.Equal(0, world.Apply().ExitCode);
        var before = await world.ContainersAsync();

        world.WriteManifest("services:\n" + world.WebService("web", "    env: { LOG_LEVEL: debug }\n") + world.WebService("api"));
        var plan = world.Plan();
        var apply = world.Apply();
        var after = await world.ContainersAsync();

        Assert.Contains("-/+ service web", plan.Output, StringComparison.Ordinal);
        Assert.Contains("env LOG_LEVEL changed", plan.Output, StringComparison.Ordinal);
        Assert.Contains("~ env.LOG_LEVEL: \"info\" → \"debug\"", plan.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("service api", plan.Output, StringComparison.Ordinal);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(before.Single(c => c.Value.Service == "api"), after.Single(c => c.Value.Service == "api"));
        Assert.NotEqual(before.Single(c => c.Value.Service == "web").Key, after.Single(c => c.Value.Service == "web").Key);
        var start = apply.Output.IndexOf("start web replica 1", StringComparison.Ordinal);
        var remove = apply.Output.IndexOf("remove container", StringComparison.Ordinal);
        Assert.True(start >= 0 && remove > start, $"the new replica must start before the old one is removed:\n{apply.Output}");
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Scaling_one_to_three_to_one_keeps_the_first_replica(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web", replicas: 1));
        Assert.Equal(0, world.Apply().ExitCode);
        var first = (await world.ContainersAsync()).Single();

        world.WriteManifest("services:\n" + world.WebService("web", replicas: 3));
        var up = world.Apply();
        var three = await world.ContainersAsync();
        world.WriteManifest("services:\n" + world.WebService("web", replicas: 1));
        var down = world.Apply();
        var one = await world.ContainersAsync();

        Assert.Contains("replicas 1 → 3", up.Output, StringComparison.Ordinal);
        Assert.Equal(3, three.Count(c => c.Value.Running));
        Assert.Contains(first.Key, three.Keys);
        Assert.Contains("replicas 3 → 1", down.Output, StringComparison.Ordinal);
        Assert.Equal(first, Assert.Single(one));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Service_removed_from_the_manifest_is_pruned(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web") + world.WebService("api"));
        Assert.Equal(0, world.Apply().ExitCode);

        world.WriteManifest("services:\n" + world.WebService("web"));
        var plan = world.Plan();
        var apply = world.Apply();

        Assert.Contains("- service api", plan.Output, StringComparison.Ordinal);
        Assert.Contains("not in manifest (prune)", plan.Output, StringComparison.Ordinal);
        Assert.Equal(0, apply.ExitCode);
        Assert.Equal(["web"], (await world.ContainersAsync()).Values.Select(c => c.Service));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Removing_every_service_needs_allow_empty(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web"));
        Assert.Equal(0, world.Apply().ExitCode);

        world.WriteManifest("services: {}\n");
        var refused = world.Apply();
        var stillThere = await world.ContainersAsync();
        var allowed = world.Paas("apply", world.AppDirectory, "--env", "dev", "--yes", "--allow-empty");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--allow-empty", refused.Error, StringComparison.Ordinal);
        Assert.Single(stillThere);
        Assert.Equal(0, allowed.ExitCode);
        Assert.Empty(await world.ContainersAsync());
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Drift_from_a_removed_or_stopped_container_shows_in_plan_and_apply_repairs_it(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web", replicas: 2));
        Assert.Equal(0, world.Apply().ExitCode);
        var containers = (await world.ContainersAsync()).Keys.Order(StringComparer.Ordinal).ToList();

        await world.Client.Containers.RemoveContainerAsync(containers[0], new ContainerRemoveParameters { Force = true });
        var missing = world.Plan();
        Assert.Equal(0, world.Apply().ExitCode);
        var repaired = await world.ContainersAsync();

        await world.Client.Containers.StopContainerAsync(containers[1], new ContainerStopParameters { WaitBeforeKillSeconds = 1 });
        var stopped = world.Plan();
        Assert.Equal(0, world.Apply().ExitCode);
        var final = await world.ContainersAsync();

        Assert.Contains("container missing (drift)", missing.Output, StringComparison.Ordinal);
        Assert.Equal(2, repaired.Count(c => c.Value.Running));
        Assert.Contains("container stopped (drift)", stopped.Output, StringComparison.Ordinal);
        Assert.Equal(2, final.Count(c => c.Value.Running));
        Assert.Contains("No changes.", world.Plan().Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Failing_health_check_rolls_back_while_the_old_replica_keeps_answering(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web", "    env: { VERSION: '1' }\n"));
        Assert.Equal(0, world.Apply().ExitCode);
        var old = (await world.ContainersAsync()).Single();
        var inspect = await world.Client.Containers.InspectContainerAsync(old.Key);
        var address = inspect.NetworkSettings!.Networks.Single().Value.IPAddress;

        using var stop = new CancellationTokenSource();
        var probe = ProbeContinuouslyAsync($"http://{address}:8080/hostname", stop.Token);
        world.WriteManifest("services:\n" + world.WebService("web", "    env: { VERSION: '2' }\n", health: "/no-such-page"));
        var apply = world.Apply();
        await stop.CancelAsync();
        var (ok, failed) = await probe;
        var after = await world.ContainersAsync();
        var history = world.Paas("history", world.AppDirectory, "--env", "dev", "--output", "json");

        Assert.Equal(3, apply.ExitCode);
        Assert.Contains("rolled", apply.Output, StringComparison.Ordinal);
        Assert.Equal(old, Assert.Single(after));
        Assert.True(ok > 0, "the probe never reached the old replica");
        Assert.Equal(0, failed);
        Assert.Contains("\"status\": \"rolledBack\"", history.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Ok, int Failed)> ProbeContinuouslyAsync(string url, CancellationToken stop)
    {
        // A slow answer on a busy machine is still an answer; no answer within 10 s counts as failed.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var (ok, failed) = (0, 0);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(url, CancellationToken.None);
                _ = response.IsSuccessStatusCode ? ok++ : failed++;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failed++;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return (ok, failed);
    }
}
