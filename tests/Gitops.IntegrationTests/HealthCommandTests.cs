namespace Gitops.IntegrationTests;

/// <summary>
/// <c>health.command</c> on real engines: the command runs inside the new replica through the
/// engine's exec API, a replica is healthy once it exits 0, and a version whose check never passes
/// is rolled back with the command's own words while the old version keeps serving.
/// </summary>
public sealed class HealthCommandTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_health_command_gates_the_rollout_and_one_that_never_passes_rolls_back_keeping_the_old_version(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        string Service(string version, string check) => $$"""
            services:
              worker:
                image: {{world.Busybox}}
                command: [httpd, -f, -p, "8080", -h, /etc]
                env: { V: "{{version}}" }
                health: { command: {{check}}, interval: 1s, timeout: 2s, retries: 3 }
                deploy: { drain: 1s }

            """;
        world.WriteManifest(Service("1", "[test, -f, /etc/hostname]"));
        var healthy = world.Apply();
        var first = (await world.ContainersAsync()).Single(c => c.Value.Running);

        world.WriteManifest(Service("2", "[test, -f, /no/such/file]"));
        var broken = world.Apply();
        var after = (await world.ContainersAsync()).Where(c => c.Value.Running).ToList();

        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        Assert.Contains("test exited 0", healthy.Output, StringComparison.Ordinal);
        Assert.Equal(3, broken.ExitCode); // rolled back
        Assert.Contains("health check test -f /no/such/file kept failing", broken.Output, StringComparison.Ordinal);
        Assert.Contains("test exited 1", broken.Output, StringComparison.Ordinal);
        Assert.Equal(first.Value.Id, Assert.Single(after).Value.Id); // the old version's replica, untouched
    }
}
