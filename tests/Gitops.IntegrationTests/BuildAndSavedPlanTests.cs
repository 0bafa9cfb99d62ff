namespace Gitops.IntegrationTests;

public sealed class BuildAndSavedPlanTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Built_service_deploys_and_an_unchanged_context_is_not_rebuilt(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        Directory.CreateDirectory(Path.Combine(world.AppDirectory, "web", "www"));
        File.WriteAllText(Path.Combine(world.AppDirectory, "web", "www", "index.html"), "built here\n");
        File.WriteAllText(Path.Combine(world.AppDirectory, "web", "Dockerfile"),
            $"FROM {world.Busybox}\nCOPY www /www\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
        const string Web = "  web:\n    build: { context: web }\n    port: 8080\n    health: { path: /index.html, interval: 1s }\n    deploy: { drain: 1s }\n";
        world.WriteManifest("services:\n" + Web + "    env: { A: '1' }\n");

        var first = world.Apply();
        world.WriteManifest("services:\n" + Web + "    env: { A: '2' }\n");
        var second = world.Apply();
        var web = (await world.ContainersAsync()).Single();

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Successfully", first.Output, StringComparison.Ordinal); // the engine's build log streamed
        Assert.Contains("COPY www /www", first.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("is up to date (same build inputs)", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("COPY www /www", second.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await world.ExecAsync(web.Key, "grep", "-q", "built here", "/www/index.html"));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Saved_plan_applies_once_and_is_refused_when_stale(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web"));
        var planFile = Path.Combine(world.Root, "plan.json");
        var stalePlan = Path.Combine(world.Root, "stale.json");

        Assert.Equal(0, world.Paas("plan", world.AppDirectory, "--env", "dev", "--out", planFile).ExitCode);
        File.Copy(planFile, stalePlan);
        var applied = world.Paas("apply", planFile, "--env", "dev");
        var stale = world.Paas("apply", stalePlan, "--env", "dev");

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Single(await world.ContainersAsync());
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("is stale", stale.Error, StringComparison.Ordinal);
        Assert.Single(await world.ContainersAsync());
    }
}
