using Docker.DotNet.Models;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Gitops.Schema.Loading;

namespace Gitops.IntegrationTests;

/// <summary>
/// Engine object names cannot collide across projects, an object the platform does not own is
/// never adopted, and an environment deployed under the old names is adopted by its labels.
/// </summary>
public sealed class EngineNameOwnershipTests
{
    private const string Volume = "    volumes: { data: /data }\n";

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Project_whose_name_parts_collide_with_another_gets_its_own_volume_and_network(string engine)
    {
        // x-app/dev-pg/data and x-app-dev/pg/data were both paas-x-app-dev-pg-data.
        var stem = $"t{Guid.NewGuid():N}"[..10];
        await using var victim = await EngineWorld.CreateAsync(engine, $"{stem}-app", "dev-pg");
        await using var attacker = await EngineWorld.CreateAsync(engine, $"{stem}-app-dev", "pg");
        victim.WriteManifest("services:\n" + victim.WebService("db", Volume));
        var deployed = victim.Apply();
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
        Assert.Equal(0, await victim.ExecAsync((await victim.ContainersAsync()).Keys.Single(), "sh", "-c", "echo victim-secret > /data/flag"));

        attacker.WriteManifest("services:\n" + attacker.WebService("db", Volume));
        var attack = attacker.Apply();
        Assert.True(attack.ExitCode == 0, attack.ToString());
        var attackerContainer = (await attacker.ContainersAsync()).Keys.Single();

        Assert.NotEqual(0, await attacker.ExecAsync(attackerContainer, "test", "-e", "/data/flag"));
        var attackerMounts = (await attacker.Client.Containers.InspectContainerAsync(attackerContainer)).Mounts.Select(m => m.Name).ToList();
        Assert.Equal([Names.Volume(attacker.Project, "pg", "data")], attackerMounts);

        victim.WriteManifest("services:\n" + victim.WebService("db", Volume + "    env: { AFTER: attack }\n"));
        var again = victim.Apply();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(0, await victim.ExecAsync((await victim.ContainersAsync()).Keys.Single(), "grep", "-q", "victim-secret", "/data/flag"));
        var destroyed = victim.Paas("destroy", victim.AppDirectory, "--env", "dev-pg", "--yes");
        Assert.True(destroyed.ExitCode == 0, destroyed.ToString());
        Assert.Empty(await victim.ContainersAsync());
        Assert.Single(await attacker.ContainersAsync());
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Unlabelled_network_with_the_environments_name_is_refused_and_nothing_runs(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var name = Names.Network(world.Project, "dev");
        var squatter = await world.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = name, Driver = "bridge" });
        try
        {
            world.WriteManifest("services:\n" + world.WebService("web"));
            var apply = world.Apply();

            Assert.NotEqual(0, apply.ExitCode);
            var refusal = $"network '{name}' already exists and is not {world.Project}/dev's (it has no paas.* ownership labels)";
            Assert.True(Unwrapped(apply).Contains(refusal, StringComparison.Ordinal), apply.ToString());
            Assert.Empty(await world.ContainersAsync());
            Assert.Empty((await world.Client.Networks.InspectNetworkAsync(squatter.ID)).Containers ?? new Dictionary<string, EndpointResource>());
        }
        finally
        {
            await world.Client.Networks.DeleteNetworkAsync(squatter.ID);
        }
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Another_projects_volume_with_the_environments_name_is_refused_and_never_mounted(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var name = Names.Volume(world.Project, "dev", "data");
        var foreign = Labels.For($"{world.Project}-other", "dev");
        await world.Client.Volumes.CreateAsync(new VolumesCreateParameters { Name = name, Labels = foreign });
        try
        {
            world.WriteManifest("services:\n" + world.WebService("web", Volume));
            var apply = world.Apply();

            Assert.NotEqual(0, apply.ExitCode);
            var refusal = $"volume '{name}' already exists and is not {world.Project}/dev's (its labels: paas.env=dev, paas.managed=true, paas.project={world.Project}-other)";
            Assert.True(Unwrapped(apply).Contains(refusal, StringComparison.Ordinal), apply.ToString());
            Assert.Empty(await world.ContainersAsync());
            Assert.Equal(foreign, (await world.Client.Volumes.InspectAsync(name)).Labels);
        }
        finally
        {
            foreach (var container in (await world.ContainersAsync()).Keys)
            {
                await world.Client.Containers.RemoveContainerAsync(container, new ContainerRemoveParameters { Force = true });
            }

            await world.Client.Volumes.RemoveAsync(name, force: true);
        }
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Environment_deployed_under_the_old_names_is_adopted_by_its_labels_and_keeps_its_volume_data(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web", Volume));
        var (network, volume, container) = await DeployTheOldWayAsync(world);
        Assert.Equal(0, await world.ExecAsync(container, "sh", "-c", "echo kept > /data/kept"));

        var plan = world.Plan();
        var apply = world.Apply();
        var after = await world.ContainersAsync();
        var again = world.Apply();

        Assert.Contains("moves to network " + Names.Network(world.Project, "dev"), plan.Output, StringComparison.Ordinal);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var (name, (_, running, _)) = Assert.Single(after);
        Assert.StartsWith($"paas_{world.Project}_dev_web_", name, StringComparison.Ordinal);
        Assert.True(running);
        Assert.Equal(0, await world.ExecAsync(name, "grep", "-q", "kept", "/data/kept"));
        Assert.Equal([volume], (await world.Client.Containers.InspectContainerAsync(name)).Mounts.Select(m => m.Name));
        Assert.DoesNotContain(await world.Client.Networks.ListNetworksAsync(), n => n.Name == network);
        Assert.True(again.ExitCode == 0 && again.Output.Contains("No changes.", StringComparison.Ordinal), again.ToString());
    }

    /// <summary>The CLI's output with the console's line wrapping undone.</summary>
    private static string Unwrapped(CliRun run) => run.ToString().Replace("\n", "", StringComparison.Ordinal);

    /// <summary>What the platform made before names were unambiguous: '-'-joined names, the same labels.</summary>
    private static async Task<(string Network, string Volume, string Container)> DeployTheOldWayAsync(EngineWorld world)
    {
        var (project, environment) = (world.Project, "dev");
        var network = Names.Legacy.Network(project, environment);
        var volume = Names.Legacy.Volume(project, environment, "data");
        var manifest = ManifestLoader.LoadPath(world.AppDirectory).ForEnvironment(environment);
        var web = Compiler.Compile(manifest, environment, "old", CompileInputs.None with { OwnedVolumes = [volume] }).State!.Service("web")!;
        var container = $"paas-{project}-{environment}-web-{web.Fingerprint[..8]}-1";
        await world.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = network,
            Driver = "bridge",
            Labels = Labels.For(project, environment),
            Options = world.Kind == EngineKind.Podman ? new Dictionary<string, string> { ["isolate"] = "true" } : [],
        });
        await world.Client.Volumes.CreateAsync(new VolumesCreateParameters { Name = volume, Labels = Labels.For(project, environment) });
        var labels = Labels.For(project, environment);
        labels[Labels.Service] = "web";
        labels[Labels.Fingerprint] = web.Fingerprint;
        labels[Labels.Replica] = "1";
        await world.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = container,
            Image = world.Busybox,
            Cmd = ["httpd", "-f", "-p", "8080", "-h", "/etc"],
            Labels = labels,
            HostConfig = new HostConfig { NetworkMode = network, Mounts = [new Mount { Type = "volume", Source = volume, Target = "/data" }] },
            NetworkingConfig = new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings> { [network] = new() { Aliases = ["web"] } } },
        });
        await world.Client.Containers.StartContainerAsync(container, new ContainerStartParameters());
        return (network, volume, container);
    }
}
