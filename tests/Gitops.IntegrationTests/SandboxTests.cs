using Gitops.Engine.Targets;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>sandbox: gvisor</c> on the container family: on Docker the service runs under runsc (gVisor's
/// kernel answers <c>dmesg</c> inside it) and serves through the ingress; an engine that cannot run
/// gVisor refuses the service at plan time, and the running version keeps running. Podman 4.3 is
/// such an engine: its API ignores the runtime a client asks for (measured: both its Docker-compatible
/// and its own create endpoint run runc), so it would run the service unsandboxed.
/// </summary>
public sealed class SandboxTests
{
    [Fact]
    public async Task A_gvisor_service_runs_under_gvisor_on_docker_and_answers_through_the_ingress()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        await using var ingress = new IngressWorld(world);
        world.WriteManifest("services:\n" + Web(world, "boxed", "    sandbox: gvisor\n    public: true\n") + Web(world, "plain", "", name: "neighbour"));

        var applied = world.Apply();
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var containers = await world.ContainersAsync();
        var boxed = containers.Single(c => c.Value.Service == "web").Value.Id;
        var plain = containers.Single(c => c.Value.Service == "neighbour").Value.Id;
        var (_, kernel) = await world.ExecOutputAsync(boxed, "dmesg");
        var (_, hostKernel) = await world.ExecOutputAsync(plain, "dmesg");
        var body = await ingress.WaitForAsync(ingress.Https($"web-dev-{world.Project}.localhost", "/index.html"));
        var fromNeighbour = await world.ExecAsync(plain, "wget", "-q", "-O", "/dev/null", "http://web:8080/index.html");

        Assert.Equal("runsc", (await world.Client.Containers.InspectContainerAsync(boxed)).HostConfig!.Runtime);
        Assert.Contains("Starting gVisor", kernel, StringComparison.Ordinal);
        Assert.DoesNotContain("gVisor", hostKernel, StringComparison.Ordinal); // the plain service shares the host's kernel
        Assert.Equal("boxed", body.Trim());
        Assert.Equal(0, fromNeighbour); // reached by name on the environment's network like any service
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task An_engine_that_cannot_run_gvisor_refuses_the_service_at_plan_time_and_the_running_version_keeps_running(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + Web(world, "v1", ""));
        Assert.Equal(0, world.Apply().ExitCode);
        var before = await world.ContainersAsync();
        // This engine knows gVisor under another name than the target says: as one where runsc is not installed.
        var config = Path.Combine(world.DataDirectory, PlatformConfig.FileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace(" }\n", ", gvisorRuntime: runsc-absent }\n", StringComparison.Ordinal));
        world.WriteManifest("services:\n" + Web(world, "v2", "    sandbox: gvisor\n"));

        var plan = world.Plan();
        var applied = world.Apply();

        Assert.Equal(1, plan.ExitCode); // refused input, nothing ran
        Assert.Contains($"services.web.sandbox: web asks for the gvisor sandbox, which this {engine} engine cannot give: the engine has no 'runsc-absent' runtime", plan.Error, StringComparison.Ordinal);
        Assert.Contains("refusing rather than running it unsandboxed", applied.Error, StringComparison.Ordinal);
        Assert.Equal(1, applied.ExitCode);
        Assert.Equal(before, await world.ContainersAsync()); // the same replica, still running
        var running = before.Single().Value.Id;
        Assert.Equal(0, await world.ExecAsync(running, "sh", "-c", "test \"$VERSION\" = v1"));
    }

    [Fact]
    public async Task Podman_refuses_a_gvisor_service_at_plan_time_because_its_api_would_run_it_unsandboxed()
    {
        await using var world = await EngineWorld.CreateAsync("podman");
        world.WriteManifest("services:\n" + Web(world, "boxed", "    sandbox: gvisor\n"));

        var applied = world.Apply();

        Assert.Equal(1, applied.ExitCode);
        Assert.Contains("services.web.sandbox: web asks for the gvisor sandbox, which this podman engine cannot give: a container asked to run under 'runsc' did not boot gVisor", applied.Error, StringComparison.Ordinal);
        Assert.Contains("podman issue #28429", applied.Error, StringComparison.Ordinal);
        Assert.Empty(await world.ContainersAsync()); // nothing ran, sandboxed or not
        var probes = await world.Client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters { All = true });
        Assert.DoesNotContain(probes, c => c.Names.Any(n => n.Contains("paas-gvisor-probe", StringComparison.Ordinal))); // the probe removed itself
    }

    private static string Web(EngineWorld world, string version, string extra, string name = "web") => $$"""
          {{name}}:
            image: {{world.Busybox}}
            command: ["sh", "-c", "mkdir -p /tmp/w && echo $VERSION > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]
            port: 8080
            env: { VERSION: "{{version}}" }
            health: { path: /index.html, interval: 1s, timeout: 1s, retries: 3 }
            deploy: { drain: 1s }

        """ + extra;
}
