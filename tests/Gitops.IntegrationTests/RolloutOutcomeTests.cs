using System.Text.Json;

namespace Gitops.IntegrationTests;

/// <summary>
/// An apply reports what really happened, on real Docker and real Podman: a change is never
/// skipped while the apply says it succeeded, and a replica that does not stay up is never
/// counted as started.
/// </summary>
public sealed class RolloutOutcomeTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Env_change_of_a_service_with_a_volume_replaces_its_container(string engine)
    {
        // With a volume, the plan's network and volume nodes are both no-ops that finish at once;
        // the service depending on both was once never applied while the apply said it succeeded.
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n" + world.WebService("web", "    env: { GREETING: hello-1 }\n    volumes: { data: /data }\n"));
        var first = world.Apply();
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = (await world.ContainersAsync()).Single();

        world.WriteManifest("services:\n" + world.WebService("web", "    env: { GREETING: hello-2 }\n    volumes: { data: /data }\n"));
        var apply = world.Apply();
        var after = await world.ContainersAsync();
        var latest = LatestDeployment(world);

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var (name, container) = Assert.Single(after);
        Assert.NotEqual(before.Key, name);
        Assert.True(container.Running, apply.ToString());
        var inspect = await world.Client.Containers.InspectContainerAsync(name, TestContext.Current.CancellationToken);
        Assert.Contains("GREETING=hello-2", inspect.Config!.Env);
        Assert.Equal("succeeded", latest.GetProperty("status").GetString());
        Assert.True(latest.GetProperty("steps").GetArrayLength() > 0, latest.ToString());
        Assert.Contains("No changes.", world.Plan().Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Replica_without_health_check_that_exits_after_two_seconds_is_rolled_back_and_the_old_one_keeps_running(string engine)
    {
        // Two seconds: long enough to look running a second after its start (all that was once
        // checked), and the engine's restart policy brings it back, but it does not stay up.
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest(Service(world, """["httpd", "-f", "-p", "8080", "-h", "/etc"]"""));
        var first = world.Apply();
        Assert.True(first.ExitCode == 0, first.ToString());
        var old = (await world.ContainersAsync()).Single();

        world.WriteManifest(Service(world, """["sleep", "2"]"""));
        var apply = world.Apply();
        var after = await world.ContainersAsync();
        var latest = LatestDeployment(world);

        Assert.True(apply.ExitCode == 3, apply.ToString());
        Assert.Contains("rolled back", apply.Output, StringComparison.Ordinal);
        Assert.Matches("exited with code 0|restarted [0-9]+ times? within", apply.Output);
        Assert.Equal("rolledBack", latest.GetProperty("status").GetString());
        Assert.Equal(old, Assert.Single(after));
        Assert.True(old.Value.Running);
    }

    /// <summary>A service without a health check running <paramref name="command"/>.</summary>
    private static string Service(EngineWorld world, string command) => $$"""
        services:
          web:
            image: {{world.Busybox}}
            command: {{command}}
            deploy: { drain: 1s }

        """;

    /// <summary>The environment's newest deployment as <c>paas history --output json</c> gives it.</summary>
    private static JsonElement LatestDeployment(EngineWorld world)
    {
        var history = world.Paas("history", world.AppDirectory, "--env", "dev", "--output", "json");
        Assert.True(history.ExitCode == 0, history.ToString());
        using var document = JsonDocument.Parse(history.Output);
        return document.RootElement[0].Clone();
    }
}
