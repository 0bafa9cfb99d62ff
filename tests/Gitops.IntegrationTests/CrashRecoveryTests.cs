using Gitops.Engine.Desired;

namespace Gitops.IntegrationTests;

/// <summary>
/// kill -9 of the apply process at every journaled step, before and after its side effect (the
/// PAAS_TEST_CRASH_AT hook): the next apply converges, nothing is orphaned, the history says what
/// happened. The apply that dies runs as a real separate process.
/// </summary>
public sealed class CrashRecoveryTests
{
    public static TheoryData<string, string, string> Points()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var engine in new[] { "docker", "podman" })
        {
            // From nothing: 1 create network, 2 start replica.
            foreach (var point in new[] { "1", "1+", "2", "2+" })
            {
                data.Add(engine, "create", point);
            }

            // Replacing two replicas: 1-2 start the new ones, 3-4 remove the old ones.
            foreach (var point in new[] { "1", "1+", "2", "2+", "3", "3+", "4", "4+" })
            {
                data.Add(engine, "replace", point);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Points))]
    public async Task Apply_killed_at_a_journaled_step_converges_on_the_next_apply(string engine, string scenario, string point)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        if (scenario == "replace")
        {
            world.WriteManifest("services:\n" + world.WebService("web", "    env: { VERSION: '1' }\n", replicas: 2));
            Assert.Equal(0, world.Apply().ExitCode);
            world.WriteManifest("services:\n" + world.WebService("web", "    env: { VERSION: '2' }\n", replicas: 2));
        }
        else
        {
            world.WriteManifest("services:\n" + world.WebService("web"));
        }

        var killed = await RunKilledAsync(world, point);
        var recovered = world.Apply();
        var containers = await world.ContainersAsync();
        var history = world.Paas("history", world.AppDirectory, "--env", "dev", "--output", "json");
        var plan = world.Plan();

        Assert.Equal(137, killed.ExitCode);
        Assert.True(recovered.ExitCode == 0, recovered.ToString());
        var fingerprint = FingerprintOfRunningWeb(plan, containers);
        Assert.Equal(scenario == "replace" ? 2 : 1, containers.Count);
        Assert.All(containers, c => Assert.True(c.Value.Running, $"{c.Key} is not running"));
        Assert.All(containers.Keys, name => Assert.Contains(fingerprint, name, StringComparison.Ordinal));
        Assert.Contains("\"status\": \"interrupted\"", history.Output, StringComparison.Ordinal);
        Assert.Contains("No changes.", plan.Output, StringComparison.Ordinal);
    }

    /// <summary>All replicas carry the same fingerprint (the desired one: the plan has no changes).</summary>
    private static string FingerprintOfRunningWeb(CliRun plan, Dictionary<string, (string Id, bool Running, string Service)> containers)
    {
        Assert.Contains("No changes.", plan.Output, StringComparison.Ordinal);
        var fingerprints = containers.Keys.Select(n => n.Split('_')[^2]).Distinct().ToList(); // paas_<project>_<env>_<service>_<fingerprint>_<index>
        return Assert.Single(fingerprints);
    }

    private static Task<CliRun> RunKilledAsync(EngineWorld world, string point) =>
        PaasProcess.RunAsync(point, TimeSpan.FromMinutes(2), "apply", world.AppDirectory, "--env", "dev", "--yes", "--data-dir", world.DataDirectory);
}
