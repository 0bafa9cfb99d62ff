using System.Net;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.State;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas restart</c> through the real server on real Docker: the CLI's call runs the restart
/// between reconciles and answers with its deployment; a viewer of the environment is refused and
/// nothing restarts; both are in the audit log.
/// </summary>
public sealed class RestartServerTests
{
    [Fact]
    public async Task A_restart_through_the_server_replaces_the_replicas_and_a_viewer_is_refused_without_effect()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(ExecTests.Sleeper(world));
        Assert.Equal(0, world.Apply().ExitCode);
        using (var state = StateStore.Open(world.DataDirectory))
        {
            var people = new People(state);
            people.AddUser("vic", TestSessions.Password);
            people.GrantRole(new Grant("vic", Role.Viewer, Scope.Environment(world.Project, "dev")));
        }

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        var before = await RunningAsync(world);
        var vic = await TestSessions.CookieAsync(server, "vic");
        var refused = await AttackerTests.SendAsync(server, vic, "POST", $"/api/v1/environments/{world.Project}/dev/services/worker/restart", "{}");
        var untouched = await RunningAsync(world);

        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        var restart = world.Paas("restart", "worker", "--project", world.Project, "--env", "dev");
        var after = await RunningAsync(world);

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("deployer role", refused.Body, StringComparison.Ordinal);
        Assert.Equal(before, untouched);
        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Equal(2, after.Count);
        Assert.Empty(after.Intersect(before));
        Assert.Equal("restart worker by admin (admin token)", server.State.LastSucceeded(world.Project, "dev")!.Trigger);
        var audit = new AuditLog(server.State).List(target: $"{world.Project}/dev", action: "POST /api/v1/environments/{project}/{environment}/services/{service}/restart");
        Assert.Contains(audit, e => e.Actor == "admin (admin token)" && e.Result == "accepted");
        Assert.Contains(audit, e => e.Actor == "vic (session)" && e.Result == "refused (forbidden)");
    }

    private static async Task<List<string>> RunningAsync(EngineWorld world) =>
        (await world.ContainersAsync()).Values.Where(c => c.Running).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
}
