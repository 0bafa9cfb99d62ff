using System.Text.Json;
using Docker.DotNet.Models;
using Gitops.Engine.Desired;

namespace Gitops.IntegrationTests;

/// <summary>
/// What a Swarm target does beyond the conformance suite, through the CLI on a real single-node
/// swarm: secrets as Swarm secrets, drift made with the engine's own API, placement from the
/// target's options, walls between environments, the container policy on every task, destroy.
/// </summary>
public sealed class SwarmTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_secret_reaches_a_swarm_task_as_a_file_and_never_its_environment_or_the_service_spec()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        var (canary, rotated) = ($"canary-{Guid.NewGuid():N}", $"rotated-{Guid.NewGuid():N}");
        world.WriteManifest("services:\n" + world.WebService("web", "    secrets: [API_TOKEN]\n"));
        Assert.Equal(0, world.PaasWithInput(canary + "\n", "secrets", "set", world.Project, "API_TOKEN").ExitCode);

        var first = world.Apply();
        var (firstFile, firstEnv, firstSpec) = await SecretSeenByTaskAsync(world);
        Assert.Equal(0, world.PaasWithInput(rotated + "\n", "secrets", "set", world.Project, "API_TOKEN", "--env", "dev").ExitCode);
        var second = world.Apply();
        var (secondFile, secondEnv, secondSpec) = await SecretSeenByTaskAsync(world);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(canary, firstFile);
        Assert.Equal(rotated, secondFile); // a new value is a new Swarm secret and a rollout
        Assert.Contains("API_TOKEN_FILE=/run/secrets/API_TOKEN", firstEnv);
        foreach (var text in new[] { string.Join("\n", firstEnv), string.Join("\n", secondEnv), firstSpec, secondSpec, first.ToString(), second.ToString() })
        {
            Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
            Assert.DoesNotContain(rotated, text, StringComparison.Ordinal);
        }

        var secrets = (await world.Client.Secrets.ListAsync(Token)).Where(s => s.Spec?.Labels?.TryGetValue(Labels.Project, out var p) == true && p == world.Project).ToList();
        Assert.Single(secrets); // the old value's secret went once no task used it
    }

    [Fact]
    public async Task A_service_changed_with_docker_service_update_shows_in_the_plan_and_the_next_apply_puts_it_back()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        world.WriteManifest("services:\n" + world.WebService("web", replicas: 2));
        Assert.Equal(0, world.Apply().ExitCode);
        var service = await ServiceAsync(world, "web");
        var spec = service.Spec!;
        var container = spec.TaskTemplate!.ContainerSpec!;
        container.Env = [.. container.Env ?? [], "INJECTED=by-hand"];
        await world.Client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters { Service = spec, Version = (long)(service.Version?.Index ?? 0) }, Token);

        var drift = world.Plan();
        var repaired = world.Apply();
        var after = await ServiceAsync(world, "web");
        var again = world.Plan();

        Assert.Contains("-/+ service web", drift.Output, StringComparison.Ordinal);
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.DoesNotContain("INJECTED=by-hand", after.Spec!.TaskTemplate!.ContainerSpec!.Env ?? []);
        Assert.Equal((ulong)2, after.Spec.Mode!.Replicated!.Replicas);
        Assert.Contains("No changes", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_targets_placement_places_every_task_and_a_service_no_node_can_run_fails_clearly_keeping_the_old_version()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        world.WriteManifest("services:\n" + world.WebService("web", "    env: { V: \"1\" }\n"));
        Place(world, "node.role == manager");
        var placed = world.Apply();
        var constraints = (await ServiceAsync(world, "web")).Spec!.TaskTemplate!.Placement!.Constraints;

        Place(world, "node.labels.paas-test-zone == nowhere");
        world.WriteManifest("services:\n" + world.WebService("web", "    env: { V: \"2\" }\n"));
        var unplaceable = world.Apply();
        // The old version, not necessarily the same task: Swarm replaces a task whose health check
        // times out on a loaded machine, and the replacement runs the old spec too; between the
        // two no task runs for a moment, so the running one is waited for.
        var serving = await ServingVersionsAsync(world);

        Assert.True(placed.ExitCode == 0, placed.ToString());
        Assert.Equal(["node.role == manager"], constraints);
        Assert.Equal(3, unplaceable.ExitCode); // rolled back
        Assert.Contains("no node can run it", unplaceable.ToString(), StringComparison.Ordinal);
        Assert.Contains("no suitable node", unplaceable.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(serving);
        Assert.All(serving, v => Assert.Equal("V=1", v)); // the old version kept running
        Assert.Equal(["node.role == manager"], (await ServiceAsync(world, "web")).Spec!.TaskTemplate!.Placement!.Constraints!);
    }

    /// <summary>The V= of every running task, once at least one runs (within 30 s).</summary>
    private static async Task<List<string>> ServingVersionsAsync(EngineWorld world)
    {
        var serving = new List<string>();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); serving.Count == 0 && DateTime.UtcNow < deadline; await Task.Delay(500, Token))
        {
            foreach (var (_, container) in (await world.ContainersAsync()).Where(c => c.Value.Running))
            {
                serving.AddRange((await world.Client.Containers.InspectContainerAsync(container.Id, Token)).Config!.Env.Where(e => e.StartsWith("V=", StringComparison.Ordinal)));
            }
        }

        return serving;
    }

    [Fact]
    public async Task Deploy_max_surge_is_how_many_tasks_swarm_updates_at_once_and_one_when_unset()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        world.WriteManifest("services:\n" + world.WebService("web", replicas: 2).Replace("deploy: { drain: 1s }", "deploy: { drain: 1s, maxSurge: 2 }", StringComparison.Ordinal) + world.WebService("api"));

        var applied = world.Apply();

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(2UL, (await ServiceAsync(world, "web")).Spec!.UpdateConfig!.Parallelism);
        Assert.Equal(1UL, (await ServiceAsync(world, "api")).Spec!.UpdateConfig!.Parallelism);
    }

    [Fact]
    public async Task A_services_own_placement_joins_the_targets_and_a_change_of_it_is_planned_and_rolled_out()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        Place(world, "node.role == manager");
        world.WriteManifest("services:\n" + world.WebService("web", "    placement: [\"node.platform.os == linux\"]\n"));
        var placed = world.Apply();
        var first = (await ServiceAsync(world, "web")).Spec!.TaskTemplate!.Placement!.Constraints;

        world.WriteManifest("services:\n" + world.WebService("web", "    placement: [\"node.platform.os != windows\"]\n"));
        var plan = world.Plan();
        var moved = world.Apply();
        var second = (await ServiceAsync(world, "web")).Spec!.TaskTemplate!.Placement!.Constraints;

        Assert.True(placed.ExitCode == 0, placed.ToString());
        Assert.Equal(["node.role == manager", "node.platform.os == linux"], first);
        Assert.Contains("placement changed", plan.Output, StringComparison.Ordinal);
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Equal(["node.role == manager", "node.platform.os != windows"], second);
    }

    [Fact]
    public async Task Environments_on_one_swarm_cannot_reach_each_other_and_services_of_one_environment_can()
    {
        await using var mine = await EngineWorld.CreateAsync("swarm");
        await using var theirs = await EngineWorld.CreateAsync("swarm");
        mine.WriteManifest("services:\n" + mine.WebService("web") + mine.WebService("api"));
        theirs.WriteManifest("services:\n" + theirs.WebService("web"));
        Assert.Equal(0, mine.Apply().ExitCode);
        Assert.Equal(0, theirs.Apply().ExitCode);
        var api = (await mine.ContainersAsync()).Single(c => c.Value.Service == "api").Value.Id;
        var target = await mine.Client.Containers.InspectContainerAsync((await theirs.ContainersAsync()).Single().Value.Id, Token);
        var overlay = target.NetworkSettings!.Networks![Names.Network(theirs.Project, "dev")].IPAddress;
        var gateway = (await mine.Client.Networks.InspectNetworkAsync("docker_gwbridge", Token)).Containers![target.ID].IPv4Address!.Split('/')[0];

        var sameEnvironment = await mine.ExecAsync(api, "timeout", "5", "wget", "-q", "-O", "/dev/null", "http://web:8080/hostname");
        var theirOverlay = await mine.ExecAsync(api, "timeout", "5", "wget", "-q", "-O", "/dev/null", $"http://{overlay}:8080/hostname");
        var theirGateway = await mine.ExecAsync(api, "timeout", "5", "wget", "-q", "-O", "/dev/null", $"http://{gateway}:8080/hostname");

        Assert.Equal(0, sameEnvironment); // the positive control: the probe itself works
        Assert.NotEqual(0, theirOverlay);
        Assert.NotEqual(0, theirGateway);
    }

    [Fact]
    public async Task A_volume_keeps_its_data_across_a_new_version_on_a_swarm()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        string Web(string version) => $$"""
              web:
                image: {{world.Busybox}}
                command: ["sh", "-c", "[ -f /data/first ] || echo $VERSION > /data/first; exec httpd -f -p 8080 -h /data"]
                port: 8080
                env: { VERSION: "{{version}}" }
                volumes: { data: /data }
                health: { path: /first, interval: 1s, timeout: 1s, retries: 3 }
                deploy: { drain: 1s }

            """;
        world.WriteManifest("services:\n" + Web("v1"));
        var first = world.Apply();
        world.WriteManifest("services:\n" + Web("v2"));
        var second = world.Apply();
        var (file, _, _) = await ReadInTaskAsync(world, "/data/first");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("v1", file); // written by the first version, read by the second
        var volumes = (await world.Client.Volumes.ListAsync(new VolumesListParameters { Filters = ByProject(world) }, Token)).Volumes;
        Assert.Equal([Names.Volume(world.Project, "dev", "data")], volumes.Select(v => v.Name));
    }

    [Fact]
    public async Task Every_task_runs_under_the_container_policy()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        world.WriteManifest("services:\n" + world.WebService("web"));
        Assert.Equal(0, world.Apply().ExitCode);

        var container = await world.Client.Containers.InspectContainerAsync((await world.ContainersAsync()).Single().Value.Id, Token);

        Assert.Contains("ALL", container.HostConfig!.CapDrop);
        Assert.Equal(["CHOWN", "KILL", "NET_BIND_SERVICE", "SETGID", "SETUID"], container.HostConfig.CapAdd.Select(c => c.Replace("CAP_", "", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(512, container.HostConfig.PidsLimit);
        Assert.True(container.HostConfig.Memory > 0);
        Assert.False(container.HostConfig.Privileged);
        Assert.True(container.HostConfig.Init);
        Assert.Equal([Names.Network(world.Project, "dev")], container.NetworkSettings!.Networks!.Keys); // its environment's network only
    }

    /// <summary>What a target cannot do is refused by field and kind: placement on docker, gVisor on a swarm (Swarm cannot choose a runtime), allowFrom on a swarm (not built yet: docs/swarm.md).</summary>
    [Theory]
    [InlineData("docker", "placement", "    placement: [\"node.role == worker\"]\n")]
    [InlineData("swarm", "sandbox", "    sandbox: gvisor\n")]
    [InlineData("swarm", "allowFrom", "    allowFrom: [api]\n  api:\n    image: busybox:1.36\n")]
    public async Task A_field_the_target_cannot_do_is_refused_naming_it_and_the_kind_before_anything_runs(string engine, string field, string line)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web", line));

        var applied = world.Apply();

        Assert.NotEqual(0, applied.ExitCode);
        Assert.Contains($"services.web.{field}", applied.ToString(), StringComparison.Ordinal);
        Assert.Contains($"kind {engine}", applied.ToString(), StringComparison.Ordinal);
        Assert.Empty(await world.ContainersAsync());
        if (engine == "swarm")
        {
            Assert.Empty(await world.Client.Swarm.ListServicesAsync(new ServiceListParameters { Filters = ByProject(world) }, Token));
        }
    }

    [Fact]
    public async Task An_engine_that_is_not_a_swarm_manager_is_refused_with_the_command_that_makes_it_one()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        await Engines.ConnectAsync("podman"); // a real engine that answers but has no swarm mode
        File.WriteAllText(Path.Combine(world.DataDirectory, "platform.yaml"), "targets:\n  local: { kind: swarm, socket: /run/podman/podman.sock }\n");
        world.WriteManifest("services:\n" + world.WebService("web"));

        var planned = world.Plan();

        Assert.NotEqual(0, planned.ExitCode);
        Assert.Contains("is not a swarm manager", planned.Error, StringComparison.Ordinal);
        Assert.Contains("docker swarm init", planned.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destroying_a_swarm_environment_leaves_no_service_network_or_secret()
    {
        await using var world = await EngineWorld.CreateAsync("swarm");
        world.WriteManifest("services:\n" + world.WebService("web", "    secrets: [API_TOKEN]\n", replicas: 2) + world.WebService("api"));
        Assert.Equal(0, world.PaasWithInput("value\n", "secrets", "set", world.Project, "API_TOKEN").ExitCode);
        Assert.Equal(0, world.Apply().ExitCode);

        var destroyed = world.Paas("destroy", world.AppDirectory, "--env", "dev", "--yes");

        Assert.True(destroyed.ExitCode == 0, destroyed.ToString());
        Assert.Empty(await world.Client.Swarm.ListServicesAsync(new ServiceListParameters { Filters = ByProject(world) }, Token));
        Assert.Empty(await world.Client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = ByProject(world) }, Token));
        Assert.DoesNotContain(await world.Client.Secrets.ListAsync(Token), s => s.Spec?.Labels?.TryGetValue(Labels.Project, out var p) == true && p == world.Project);
        Assert.Empty(await world.ContainersAsync());
    }

    /// <summary>The target's placement in platform.yaml, as an operator would write it.</summary>
    private static void Place(EngineWorld world, string constraint)
    {
        var path = Path.Combine(world.DataDirectory, "platform.yaml");
        var lines = File.ReadAllLines(path).Where(l => !l.StartsWith("  local:", StringComparison.Ordinal)).ToList();
        lines.Insert(lines.IndexOf("targets:") + 1, $"  local: {{ kind: swarm, socket: /var/run/docker.sock, placement: [\"{constraint}\"] }}");
        File.WriteAllLines(path, lines);
    }

    private static async Task<SwarmService> ServiceAsync(EngineWorld world, string service) =>
        await world.Client.Swarm.InspectServiceAsync($"{Names.Network(world.Project, "dev")}_{service}", Token);

    /// <summary>What the web task reads from its secret file, its environment, and the service's spec as the engine reports it.</summary>
    private static Task<(string File, IList<string> Env, string Spec)> SecretSeenByTaskAsync(EngineWorld world) => ReadInTaskAsync(world, "/run/secrets/API_TOKEN");

    /// <summary>A file as the running web task reads it, the task's environment, and the service's spec as the engine reports it.</summary>
    private static async Task<(string File, IList<string> Env, string Spec)> ReadInTaskAsync(EngineWorld world, string path)
    {
        var containers = await world.ContainersAsync();
        Assert.True(containers.Count(c => c.Value.Running) == 1, string.Join(", ", containers.Select(c => $"{c.Key} running={c.Value.Running}")));
        var container = containers.Single(c => c.Value.Running).Value.Id;
        var exec = await world.Client.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters { Cmd = ["cat", path], AttachStdout = true, AttachStderr = true }, Token);
        using var stream = await world.Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), Token);
        var (stdout, _) = await stream.ReadOutputToEndAsync(Token);
        var inspected = await world.Client.Containers.InspectContainerAsync(container, Token);
        var service = await ServiceAsync(world, "web");
        return (stdout.Trim(), inspected.Config!.Env!, JsonSerializer.Serialize(service));
    }

    private static Dictionary<string, IDictionary<string, bool>> ByProject(EngineWorld world) =>
        new() { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={world.Project}"] = true } };
}
