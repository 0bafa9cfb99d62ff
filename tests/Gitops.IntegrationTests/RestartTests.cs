using System.Text.Json;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas restart</c> on real engines behind the real ingress: every replica is replaced by a fresh
/// one of the same version, each started and healthy before an old one stops, so steady load loses
/// no request; the restart is a deployment in the history; and the next apply of the same manifest
/// keeps the fresh replicas instead of replacing them once more.
/// </summary>
public sealed class RestartTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_restart_replaces_every_replica_under_load_without_a_failed_request_and_the_next_apply_keeps_them(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        await using var ingress = new IngressWorld(world);
        var url = ingress.Https($"web-dev-{world.Project}.localhost", "/index.html");
        world.WriteManifest("services:\n" + IngressTests.Versioned(world, "web", "v1", public_: true, replicas: 2));
        Assert.Equal(0, world.Apply().ExitCode);
        await ingress.WaitForAsync(url, "v1");
        var before = await RunningAsync(world);

        var (restart, load) = await IngressTests.UnderLoadAsync(ingress, url, () => world.Paas("restart", "web", "--env", "dev", "--dir", world.AppDirectory));
        var after = await RunningAsync(world);
        var again = world.Apply();
        var history = JsonDocument.Parse(world.Paas("history", world.AppDirectory, "--env", "dev", "--output", "json").Output).RootElement;

        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Total} requests failed during the restart: {string.Join("; ", load.Errors.Distinct().Take(5))}");
        Assert.True(load.Total >= 200, $"only {load.Total} requests");
        Assert.Equal(["v1"], load.Bodies.Keys); // the same version throughout
        Assert.Equal(2, after.Count);
        Assert.Empty(after.Intersect(before)); // both replicas are new containers
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("No changes.", again.Output, StringComparison.Ordinal); // the commit keeps what the restart started
        Assert.Equal(after, await RunningAsync(world));
        var newest = history.EnumerateArray().First();
        Assert.Equal("succeeded", newest.GetProperty("status").GetString());
        Assert.StartsWith("restart web by cli:", newest.GetProperty("trigger").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restarting_a_service_the_environment_does_not_run_is_refused_and_changes_nothing()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(ExecTests.Sleeper(world));
        Assert.Equal(0, world.Apply().ExitCode);
        var before = await RunningAsync(world);

        var typo = world.Paas("restart", "wroker", "--env", "dev", "--dir", world.AppDirectory);

        Assert.Equal(1, typo.ExitCode);
        Assert.Contains("runs no service 'wroker'; it runs worker", typo.Error, StringComparison.Ordinal);
        Assert.Equal(before, await RunningAsync(world));
    }

    /// <summary>The ids of the project's running containers, sorted.</summary>
    private static async Task<List<string>> RunningAsync(EngineWorld world) =>
        (await world.ContainersAsync()).Values.Where(c => c.Running).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
}
