namespace Gitops.IntegrationTests;

/// <summary>
/// Services of one project environment reach each other by name; other projects cannot reach
/// them, also after a third project's network was removed (which, on Podman, takes netavark's own
/// isolation away from every network) and with the engine's own ACCEPT rules above everything the
/// platform inserted (as tools re-inserting their jumps at the top leave a fresh machine).
/// </summary>
public sealed class NetworkIsolationTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Another_project_cannot_reach_a_service_even_with_the_engines_accept_rules_first(string engine)
    {
        await using var shop = await EngineWorld.CreateAsync(engine);
        await using var other = await EngineWorld.CreateAsync(engine);
        await using var gone = await EngineWorld.CreateAsync(engine);
        shop.WriteManifest("services:\n" + shop.WebService("web") + shop.WebService("client"));
        other.WriteManifest("services:\n" + other.WebService("intruder"));
        gone.WriteManifest("services:\n" + gone.WebService("web"));
        AssertApplied(shop.Apply());
        AssertApplied(other.Apply());
        AssertApplied(gone.Apply());
        var destroyed = gone.Paas("destroy", gone.AppDirectory, "--env", "dev", "--yes");
        Assert.True(destroyed.ExitCode == 0, destroyed.ToString());
        var client = (await shop.ContainersAsync()).Single(c => c.Value.Service == "client").Key;
        var intruder = (await other.ContainersAsync()).Single().Key;
        var web = (await shop.ContainersAsync()).Single(c => c.Value.Service == "web").Key;
        var address = (await shop.Client.Containers.InspectContainerAsync(web)).NetworkSettings!.Networks.Single().Value.IPAddress;
        await using var engineRulesFirst = await EngineRulesFirst.InsertAsync(other, intruder, web);

        // The allowed path is probed until it answers (Podman's aardvark-dns can lag a loaded machine by
        // a moment); the refused paths get one strict try each after it.
        var byName = -1L;
        for (var attempt = 0; attempt < 5 && byName != 0; attempt++)
        {
            byName = await shop.ExecAsync(client, "nc", "-w", "2", "web", "8080");
        }

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
            AssertApplied(world.Apply());
            var network = (await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).First().Key)).NetworkSettings!.Networks.Single().Key;
            var gateway = (await world.Client.Networks.InspectNetworkAsync(network)).IPAM.Config.Single().Gateway;
            var bridge = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .Single(i => i.GetIPProperties().UnicastAddresses.Any(a => a.Address.ToString() == gateway));
            seen.Add(bridge.GetPhysicalAddress().ToString());
        }

        Assert.Single(seen.Distinct());
    }

    /// <summary>
    /// A Docker container of one project and a Podman container of another cannot reach each
    /// other's services either way: Docker accepts whatever leaves its bridges, netavark whatever
    /// leaves its subnets, so only the platform's own rules stand between the two engines.
    /// </summary>
    [Fact]
    public async Task Projects_on_different_engines_cannot_reach_each_other()
    {
        await using var onDocker = await EngineWorld.CreateAsync("docker");
        await using var onPodman = await EngineWorld.CreateAsync("podman");
        onDocker.WriteManifest("services:\n" + onDocker.WebService("web"));
        onPodman.WriteManifest("services:\n" + onPodman.WebService("web"));
        AssertApplied(onDocker.Apply());
        AssertApplied(onPodman.Apply());
        var dockerWeb = (await onDocker.ContainersAsync()).Single().Value.Id;
        var podmanWeb = (await onPodman.ContainersAsync()).Single().Value.Id;
        var dockerAddress = (await onDocker.Client.Containers.InspectContainerAsync(dockerWeb)).NetworkSettings!.Networks.Single().Value.IPAddress;
        var podmanAddress = (await onPodman.Client.Containers.InspectContainerAsync(podmanWeb)).NetworkSettings!.Networks.Single().Value.IPAddress;

        var podmanToDocker = await onPodman.ExecAsync(podmanWeb, "nc", "-w", "2", dockerAddress, "8080");
        var dockerToPodman = await onDocker.ExecAsync(dockerWeb, "nc", "-w", "2", podmanAddress, "8080");
        var dockerToItself = await onDocker.ExecAsync(dockerWeb, "nc", "-w", "2", dockerAddress, "8080");

        Assert.NotEqual(0, podmanToDocker);
        Assert.NotEqual(0, dockerToPodman);
        Assert.Equal(0, dockerToItself);
    }

    /// <summary>
    /// Firewall rules vanish with a reboot or a flushed ruleset while the engine restarts the
    /// containers: the next plan shows the lost walls as drift and the next apply builds them again,
    /// without replacing a replica.
    /// </summary>
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Walls_lost_behind_the_platforms_back_show_in_the_plan_and_the_next_apply_rebuilds_them(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web"));
        AssertApplied(world.Apply());
        var running = (await world.ContainersAsync()).Single().Key;
        var network = await world.Client.Networks.InspectNetworkAsync(Gitops.Engine.Desired.Names.Network(world.Project, world.Environment));
        var subnets = Gitops.Providers.Docker.NetworkIsolation.Ipv4Subnets(network.IPAM);
        await Gitops.Providers.Docker.NetworkIsolation.RemoveAsync(network.ID, CancellationToken.None); // what a reboot does to nftables

        var plan = world.Plan();
        var applied = world.Apply();

        Assert.Contains("not walled off from other networks", plan.Output, StringComparison.Ordinal);
        AssertApplied(applied);
        Assert.True(await Gitops.Providers.Docker.NetworkIsolation.IsWalledAsync(network.ID, subnets, CancellationToken.None));
        Assert.Equal([running], (await world.ContainersAsync()).Keys); // the same replica: only the walls changed
        Assert.Contains("No changes", world.Plan().Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// An engine gives a freed subnet to the next network it makes. The old network's rules going
    /// late (a build's cleanup, a destroyed environment) must not take the new network's wall with
    /// them: rules belong to a network, not to a subnet. (Real nft; the IDs stand for two networks
    /// one engine made one after the other on the same subnet.)
    /// </summary>
    [Fact]
    public async Task Removing_a_gone_networks_rules_leaves_the_wall_of_the_network_that_took_its_subnet()
    {
        const string subnet = "198.18.251.0/24";
        var gone = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var next = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        try
        {
            await Gitops.Providers.Docker.NetworkIsolation.EnsureAsync(gone, subnet, CancellationToken.None);
            await Gitops.Providers.Docker.NetworkIsolation.EnsureAsync(next, subnet, CancellationToken.None);
            Assert.True(await Gitops.Providers.Docker.NetworkIsolation.IsWalledAsync(next, [subnet], CancellationToken.None));

            await Gitops.Providers.Docker.NetworkIsolation.RemoveAsync(gone, CancellationToken.None);

            Assert.True(await Gitops.Providers.Docker.NetworkIsolation.IsWalledAsync(next, [subnet], CancellationToken.None));
            Assert.False(await Gitops.Providers.Docker.NetworkIsolation.IsWalledAsync(gone, [subnet], CancellationToken.None));
        }
        finally
        {
            await Gitops.Providers.Docker.NetworkIsolation.RemoveAsync(gone, CancellationToken.None);
            await Gitops.Providers.Docker.NetworkIsolation.RemoveAsync(next, CancellationToken.None);
        }

        Assert.False(await Gitops.Providers.Docker.NetworkIsolation.IsWalledAsync(next, [subnet], CancellationToken.None));
    }

    private static void AssertApplied(CliRun run) => Assert.True(run.ExitCode == 0, run.ToString());
}
