namespace Gitops.IntegrationTests;

/// <summary>
/// The health check after the deploy, under the real server on real engines: a replica that starts
/// failing its declared check is replaced (removed, started afresh and health-checked as a
/// deployment) while the other keeps its container; <c>health.degraded</c> then <c>health.recovered</c>
/// reach a webhook channel in that order, and <c>paas status</c> says it recovered.
/// </summary>
public sealed class HealthAfterDeployTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_replica_that_starts_failing_its_health_check_is_replaced_and_the_service_reported_degraded_then_recovered(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        using var receiver = new HttpReceiver();
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName), $"notifications:\n  channels:\n    ops: {{ kind: webhook, url: \"{receiver.Url}/ops\" }}\n");
        Assert.Equal(0, world.PaasWithInput("ops-signing-key", "notify", "secret", "ops").ExitCode);
        world.WriteManifest($$"""
            services:
              web:
                image: {{world.Busybox}}
                command: ["sh", "-c", "mkdir -p /tmp/w && echo ok > /tmp/w/health.txt && exec httpd -f -p 8080 -h /tmp/w"]
                port: 8080
                replicas: 2
                health: { path: /health.txt, interval: 1s, timeout: 1s, retries: 2 }
                deploy: { drain: 1s }
            notify:
              - { channel: ops, on: [health.degraded, health.recovered] }

            """);
        Assert.Equal(0, world.Apply().ExitCode);
        var before = await world.ContainersAsync();
        var (_, second) = before.Single(c => c.Key.EndsWith("_2", StringComparison.Ordinal));
        var first = before.Single(c => c.Key.EndsWith("_1", StringComparison.Ordinal)).Value.Id;

        using (var state = Gitops.Engine.State.StateStore.Open(world.DataDirectory))
        {
            // Deployed by the CLI, known to the server's status as the loop would know it.
            new Gitops.Engine.Reconcile.EnvironmentRecords(state).Synced(world.Project, "dev", new Gitops.Engine.Reconcile.SyncRecord(Gitops.Engine.Reconcile.ReconcileOutcome.InSync, "in sync", "abc", "local", DateTimeOffset.UtcNow));
        }

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1)); // no loop: the health check alone acts
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // both pass a few checks first
        Assert.Equal(0, await world.ExecAsync(second.Id, "rm", "/tmp/w/health.txt")); // replica 2 now answers 404

        var replaced = await WaitForAsync(() => server.State.LastSucceeded(world.Project, "dev") is { Trigger: "health: replace web replica 2" } d ? d : null, "no deployment replaced replica 2");
        await WaitForAsync(() => receiver.Requests.Any(r => r.Json.GetProperty("event").GetString() == "health.recovered") ? "" : null, "health.recovered never reached the channel");
        var after = await world.ContainersAsync();
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        var status = world.Paas("status", "--project", world.Project, "--env", "dev");

        Assert.Equal(Gitops.Engine.State.DeploymentStatus.Succeeded, replaced.Status);
        Assert.Equal(2, after.Count(c => c.Value.Running));
        Assert.DoesNotContain(second.Id, after.Values.Select(c => c.Id)); // replica 2 is a new container
        Assert.Contains(first, after.Values.Select(c => c.Id)); // replica 1 kept its own
        Assert.Equal(0, await world.ExecAsync(after.Single(c => c.Key.EndsWith("_2", StringComparison.Ordinal)).Value.Id, "test", "-f", "/tmp/w/health.txt"));
        var events = receiver.Requests.Select(r => r.Json).ToList();
        Assert.Equal(["health.degraded", "health.recovered"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.Contains("replica 2 failed its health check /health.txt 2 times in a row (last: HTTP 404); replacing it", events[0].ToString(), StringComparison.Ordinal);
        Assert.Contains("all 2 replicas pass /health.txt again", events[1].ToString(), StringComparison.Ordinal);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("web health check: recovered ", status.Output, StringComparison.Ordinal);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> found, string failure)
        where T : class
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline; await Task.Delay(250, TestContext.Current.CancellationToken))
        {
            if (found() is { } value)
            {
                return value;
            }
        }

        Assert.Fail(failure);
        return null!;
    }
}
