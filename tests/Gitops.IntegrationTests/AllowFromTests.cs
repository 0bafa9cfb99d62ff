using Docker.DotNet.Models;
using Gitops.Engine.Desired;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>allowFrom</c> on real engines: a service that lists who may connect answers those services
/// only; the rest of its environment and other projects are refused by name and by address. It
/// holds while replicas are added, replaced and restarted by the engine after a crash, changes in
/// place, and leaves nothing behind when it goes.
/// </summary>
public sealed class AllowFromTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_service_with_allowFrom_answers_only_the_services_it_lists_across_scaling_replacement_and_a_crash(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        await using var intruder = await EngineWorld.CreateAsync(engine);
        await using var ingress = new IngressWorld(world);
        world.WriteManifest("services:\n" + world.WebService("db", "    allowFrom: [api]\n    public: true\n") + world.WebService("api") + world.WebService("other"));
        intruder.WriteManifest("services:\n" + intruder.WebService("web"));
        AssertApplied(world.Apply());
        AssertApplied(intruder.Apply());
        var stranger = (await intruder.ContainersAsync()).Single().Value.Id;

        await AssertOnlyApiGetsInAsync(world, stranger, "deployed");
        Assert.Contains("db", await ingress.WaitForAsync(ingress.Https($"db-dev-{world.Project}.localhost", "/hostname")), StringComparison.Ordinal); // the ingress is the host: it reaches the door

        world.WriteManifest("services:\n" + world.WebService("db", "    allowFrom: [api]\n    public: true\n", replicas: 2)
            + world.WebService("api", "    env: { VERSION: two }\n") + world.WebService("other"));
        AssertApplied(world.Apply());
        await AssertOnlyApiGetsInAsync(world, stranger, "scaled to two and the client replaced");

        var crashed = (await world.ContainersAsync()).First(c => c.Value.Service == "db").Value.Id;
        await world.ExecAsync(crashed, "killall", "httpd"); // the server dies; the engine restarts the container
        await WaitRestartedAsync(world, crashed);
        await AssertOnlyApiGetsInAsync(world, stranger, "restarted by the engine after a crash");
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Changing_allowFrom_lets_services_in_and_out_in_place_and_nothing_is_left_when_it_goes(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("db", "    allowFrom: [api]\n") + world.WebService("api") + world.WebService("other"));
        AssertApplied(world.Apply());
        var before = await world.ContainersAsync();

        world.WriteManifest("services:\n" + world.WebService("db", "    allowFrom: [other]\n") + world.WebService("api") + world.WebService("other"));
        var plan = world.Plan();
        AssertApplied(world.Apply());
        var swapped = (Api: await ReachesAsync(world, "api", "db", attempts: 1), Other: await ReachesAsync(world, "other", "db"));
        var afterSwap = await world.ContainersAsync();

        world.WriteManifest("services:\n" + world.WebService("db") + world.WebService("api") + world.WebService("other"));
        AssertApplied(world.Apply());
        var open = (Api: await ReachesAsync(world, "api", "db"), Other: await ReachesAsync(world, "other", "db"));
        var networksWhenOpen = await NetworksAsync(world);
        var afterOpen = await world.ContainersAsync();

        world.WriteManifest("services:\n" + world.WebService("db", "    allowFrom: [api]\n") + world.WebService("api") + world.WebService("other"));
        AssertApplied(world.Apply());
        world.WriteManifest("services:\n" + world.WebService("api") + world.WebService("other"));
        AssertApplied(world.Paas("apply", world.AppDirectory, "--env", "dev", "--yes"));
        var networksWhenPruned = await NetworksAsync(world);
        AssertApplied(world.Paas("destroy", world.AppDirectory, "--env", "dev", "--yes"));

        Assert.Contains("~ allowFrom: \"[api]\" → \"[other]\"", plan.Output, StringComparison.Ordinal);
        Assert.Contains("~ service other: allowedInto changed", plan.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("start", plan.Output, StringComparison.Ordinal); // no replica replaced
        Assert.Equal(before, afterSwap); // in place: the same replicas
        Assert.Equal(before, afterOpen);
        Assert.Equal((false, true), swapped);
        Assert.Equal((true, true), open);
        Assert.Equal([Names.Network(world.Project, "dev")], networksWhenOpen); // the door went with the last allowFrom
        Assert.Equal([Names.Network(world.Project, "dev")], networksWhenPruned); // and with its service
        Assert.Empty(await NetworksAsync(world));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_service_with_allowFrom_that_depends_on_one_it_cannot_reach_is_refused_before_anything_runs(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("cache") + world.WebService("api", "    allowFrom: [web]\n    dependsOn: [cache]\n") + world.WebService("web"));

        var applied = world.Apply();

        Assert.Equal(1, applied.ExitCode);
        Assert.Contains($"services.api.dependsOn: api has allowFrom, so on a {engine} target it lives on a network of its own", applied.Error, StringComparison.Ordinal);
        Assert.Contains("add allowFrom: [api] to cache", applied.Error, StringComparison.Ordinal);
        Assert.Empty(await world.ContainersAsync());
        Assert.Empty(await NetworksAsync(world));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Doors_changed_by_hand_are_drift_the_plan_shows_and_the_next_apply_puts_back(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("db", "    allowFrom: [api]\n") + world.WebService("api") + world.WebService("other"));
        AssertApplied(world.Apply());
        var door = Names.Door(world.Project, "dev", "db");
        var containers = await world.ContainersAsync();
        var (other, api) = (containers.Single(c => c.Value.Service == "other"), containers.Single(c => c.Value.Service == "api"));
        var address = DoorAddress(await world.Client.Containers.InspectContainerAsync(containers.Single(c => c.Value.Service == "db").Value.Id), door)!;

        // Someone with the engine's socket lets other in by hand.
        await world.Client.Networks.ConnectNetworkAsync(door, new NetworkConnectParameters { Container = other.Value.Id });
        var joined = await ReachesAsync(world, "other", address);
        var shown = world.Plan();
        AssertApplied(world.Apply());
        var afterRepair = await ReachesAsync(world, "other", address, attempts: 1);

        // And takes api off the door by hand.
        await world.Client.Networks.DisconnectNetworkAsync(door, new NetworkDisconnectParameters { Container = api.Value.Id, Force = true });
        var cutOff = await ReachesAsync(world, "api", address, attempts: 1);
        var shownAgain = world.Plan();
        AssertApplied(world.Apply());

        Assert.True(joined, "the hand-made join let other in: the drift this test repairs");
        Assert.Contains("who may connect", shown.Output, StringComparison.Ordinal);
        Assert.Contains($"also {other.Key}", shown.Output, StringComparison.Ordinal);
        Assert.False(afterRepair, "other still reaches db after the apply");
        Assert.False(cutOff, "api reached db off its door");
        Assert.Contains($"{api.Key} not let in to db", shownAgain.Output, StringComparison.Ordinal);
        Assert.True(await ReachesAsync(world, "api", "db"), "api was not let in again");
        Assert.Contains("no changes", world.Plan().Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(containers.Keys.Order(StringComparer.Ordinal), (await world.ContainersAsync()).Keys.Order(StringComparer.Ordinal)); // repaired in place: no replica replaced
    }

    /// <summary>api reaches every db replica by name and by address; other, and another project's container, reach none.</summary>
    private static async Task AssertOnlyApiGetsInAsync(EngineWorld world, string stranger, string when)
    {
        var door = Names.Door(world.Project, "dev", "db");
        var dbs = (await world.ContainersAsync()).Where(c => c.Value.Service == "db").Select(c => c.Value.Id).ToList();
        var addresses = new List<string>();
        foreach (var db in dbs)
        {
            // A container the engine just restarted can report running a moment before its address (seen under load).
            var inspected = await world.Client.Containers.InspectContainerAsync(db);
            for (var deadline = DateTime.UtcNow.AddSeconds(10); string.IsNullOrEmpty(DoorAddress(inspected, door)) && DateTime.UtcNow < deadline; await Task.Delay(200))
            {
                inspected = await world.Client.Containers.InspectContainerAsync(db);
            }

            Assert.Equal([door], inspected.NetworkSettings!.Networks!.Keys); // on its door alone
            Assert.False(string.IsNullOrEmpty(inspected.NetworkSettings.Networks[door].IPAddress), $"db {db} has no address on its door ({when})");
            addresses.Add(inspected.NetworkSettings.Networks[door].IPAddress);
        }

        if (!await ReachesAsync(world, "api", "db"))
        {
            Assert.Fail($"api cannot reach db by name ({when}); {await DiagnoseAsync(world, "api", "db", addresses)}");
        }

        foreach (var address in addresses)
        {
            Assert.True(await ReachesAsync(world, "api", address), $"api cannot reach db at {address} ({when})");
            Assert.False(await ReachesAsync(world, "other", address, attempts: 1), $"other reached db at {address} ({when})");
            Assert.NotEqual(0, await world.ExecAsync(stranger, "nc", "-w", "2", address, "8080"));
        }

        Assert.False(await ReachesAsync(world, "other", "db", attempts: 1), $"other reached db by name ({when})");
    }

    /// <summary>What the client sees when a path fails: its resolver, the name's answer, each address.</summary>
    private static async Task<string> DiagnoseAsync(EngineWorld world, string from, string host, IEnumerable<string> addresses)
    {
        var client = (await world.ContainersAsync()).First(c => c.Value.Service == from && c.Value.Running).Value.Id;
        var lines = new List<string> { (await world.ExecOutputAsync(client, "cat", "/etc/resolv.conf")).Output.ReplaceLineEndings(" | ") };
        lines.Add("nslookup: " + (await world.ExecOutputAsync(client, "nslookup", host)).Output.ReplaceLineEndings(" | "));
        foreach (var address in addresses)
        {
            lines.Add($"nc {address}: {(await world.ExecOutputAsync(client, "nc", "-w", "2", address, "8080")).ExitCode}");
        }

        lines.Add("ip: " + (await world.ExecOutputAsync(client, "ip", "-4", "-o", "addr")).Output.ReplaceLineEndings(" | "));
        lines.Add($"{client[..12]} on: " + string.Join(", ", (await world.Client.Containers.InspectContainerAsync(client)).NetworkSettings?.Networks?.Keys ?? []));
        return string.Join("; ", lines);
    }

    private static string? DoorAddress(ContainerInspectResponse container, string door) =>
        container.NetworkSettings?.Networks is { } networks && networks.TryGetValue(door, out var endpoint) ? endpoint.IPAddress : null;

    /// <summary>
    /// Whether every replica of <paramref name="from"/> connects to <paramref name="host"/>:8080. An
    /// allowed path is tried a few times (DNS can lag a loaded machine); a refused one once.
    /// </summary>
    private static async Task<bool> ReachesAsync(EngineWorld world, string from, string host, int attempts = 5)
    {
        var containers = (await world.ContainersAsync()).Where(c => c.Value.Service == from && c.Value.Running).Select(c => c.Value.Id).ToList();
        var all = true;
        foreach (var container in containers)
        {
            var reached = false;
            for (var attempt = 0; attempt < attempts && !reached; attempt++)
            {
                // Spaced out: Podman's DNS can take a moment to answer for a replica the engine just restarted (seen once under load).
                await Task.Delay(attempt * 500);
                reached = await world.ExecAsync(container, "nc", "-w", "2", host, "8080") == 0; // busybox wget crashes on Podman's image here
            }

            all &= reached;
        }

        return containers.Count > 0 && all;
    }

    private static async Task WaitRestartedAsync(EngineWorld world, string container)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var state = await world.Client.Containers.InspectContainerAsync(container);
            if (state.RestartCount > 0 && state.State!.Running)
            {
                return;
            }
        }

        throw new TimeoutException($"{container} was not restarted by the engine within 30 s");
    }

    private static async Task<List<string>> NetworksAsync(EngineWorld world) =>
        (await world.Client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={world.Project}"] = true } },
        })).Select(n => n.Name).Order(StringComparer.Ordinal).ToList();

    private static void AssertApplied(CliRun run) => Assert.True(run.ExitCode == 0, run.ToString());
}
