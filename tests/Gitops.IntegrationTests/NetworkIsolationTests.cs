namespace Gitops.IntegrationTests;

/// <summary>
/// Services of one project environment reach each other by name; other projects cannot reach
/// them, also after a third project's network was removed (which, on Podman, takes netavark's own
/// isolation away from every network: the platform's rules must hold without it).
/// </summary>
public sealed class NetworkIsolationTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Same_project_reaches_a_service_by_name_and_another_project_cannot_reach_it(string engine)
    {
        await using var shop = await EngineWorld.CreateAsync(engine);
        await using var other = await EngineWorld.CreateAsync(engine);
        await using var gone = await EngineWorld.CreateAsync(engine);
        shop.WriteManifest("services:\n" + shop.WebService("web") + shop.WebService("client"));
        other.WriteManifest("services:\n" + other.WebService("intruder"));
        gone.WriteManifest("services:\n" + gone.WebService("web"));
        Assert.Equal(0, shop.Apply().ExitCode);
        Assert.Equal(0, other.Apply().ExitCode);
        Assert.Equal(0, gone.Apply().ExitCode);
        var destroyed = gone.Paas("destroy", gone.AppDirectory, "--env", "dev", "--yes");
        Assert.True(destroyed.ExitCode == 0, destroyed.ToString());
        var client = (await shop.ContainersAsync()).Single(c => c.Value.Service == "client").Key;
        var intruder = (await other.ContainersAsync()).Single().Key;
        var web = (await shop.ContainersAsync()).Single(c => c.Value.Service == "web").Key;
        var address = (await shop.Client.Containers.InspectContainerAsync(web)).NetworkSettings!.Networks.Single().Value.IPAddress;

        var byName = await shop.ExecAsync(client, "nc", "-w", "2", "web", "8080");
        var fromOtherProject = await other.ExecAsync(intruder, "nc", "-w", "2", address, "8080");
        var otherByName = await other.ExecAsync(intruder, "nc", "-w", "2", "web", "8080");

        Assert.Equal(0, byName);
        Assert.NotEqual(0, fromOtherProject);
        Assert.NotEqual(0, otherByName);
    }

    /// <summary>
    /// Replicas joining and leaving never change the address containers know their gateway (the
    /// host: ingress and health checks) by; a change leaves them answering a MAC that is gone.
    /// </summary>
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task The_bridge_keeps_its_mac_address_while_replicas_come_and_go(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var seen = new List<string>();
        foreach (var replicas in new[] { 1, 4, 2, 5, 1 })
        {
            world.WriteManifest("services:\n" + world.WebService("web", replicas: replicas));
            Assert.Equal(0, world.Apply().ExitCode);
            var network = (await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).First().Key)).NetworkSettings!.Networks.Single().Key;
            var gateway = (await world.Client.Networks.InspectNetworkAsync(network)).IPAM.Config.Single().Gateway;
            var bridge = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .Single(i => i.GetIPProperties().UnicastAddresses.Any(a => a.Address.ToString() == gateway));
            seen.Add(bridge.GetPhysicalAddress().ToString());
        }

        Assert.Single(seen.Distinct());
    }
}
