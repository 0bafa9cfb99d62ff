using System.Net;
using Gitops.Cli;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.State;

namespace Gitops.IntegrationTests;

/// <summary>
/// A service's application logs through the real server on real Docker: <c>paas logs</c> in remote
/// mode reads the server's event stream (and follows it), a reader of the environment gets the
/// lines, and a viewer of another project who names the environment, or injects their own project,
/// gets a 404 with none of the lines, audited.
/// </summary>
public sealed class ServiceLogsServerTests
{
    private const string Canary = "logs-canary-5e1d";

    [Fact]
    public async Task Paas_logs_reads_and_follows_the_servers_stream_and_another_projects_viewer_gets_a_404_without_a_line()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(ServiceLogsTests.Talker(world, Canary));
        Assert.Equal(0, world.Apply().ExitCode);
        using (var state = StateStore.Open(world.DataDirectory))
        {
            var people = new People(state);
            foreach (var (user, scope) in new[] { ("eve", Scope.Project("other")), ("vic", Scope.Environment(world.Project, "dev")) })
            {
                people.AddUser(user, TestSessions.Password);
                people.GrantRole(new Grant(user, Role.Viewer, scope));
            }
        }

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        var lines = ServiceLogsTests.Lines(world.Paas("logs", "talker", "--project", world.Project, "--env", "dev", "-o", "json"));
        Assert.Equal(["talker-1", "talker-2"], lines.Select(l => l.Replica).Distinct().Order());
        Assert.Equal(lines.Select(l => l.At).Order(), lines.Select(l => l.At));
        Assert.Contains(lines, l => l.Stream == "stderr");

        using var output = new StringWriter();
        var shared = TextWriter.Synchronized(output);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var follow = Task.Run(() => PaasCli.Run(["logs", "talker", "--project", world.Project, "--env", "dev", "-f", "--replica", "2", "--tail", "0", "--data-dir", world.DataDirectory],
            CliConsole.Plain(shared, TextWriter.Null) with { Cancellation = stop.Token }), TestContext.Current.CancellationToken);
        var next = lines.Where(l => l.Replica == "talker-2" && l.Stream == "stdout").Select(l => int.Parse(l.Text.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture)).Max() + 5;
        await ServiceLogsTests.WaitForAsync(() => output.ToString(), $"talker-2 | {Canary} out {next}"); // written after the follow began
        await stop.CancelAsync();
        Assert.Equal(0, await follow.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.DoesNotContain("talker-1 |", output.ToString(), StringComparison.Ordinal);

        var typo = world.Paas("logs", "taker", "--project", world.Project, "--env", "dev");
        Assert.Equal(ExitCodes.InvalidInput, typo.ExitCode);
        Assert.Contains("runs no service 'taker'; it runs talker", typo.Error, StringComparison.Ordinal);

        var path = $"/api/v1/environments/{world.Project}/dev/services/talker/logs";
        var eve = await TestSessions.CookieAsync(server, "eve");
        var attacks = new[]
        {
            await AttackerTests.SendAsync(server, eve, "GET", path, null),
            await AttackerTests.SendAsync(server, eve, "GET", $"{path}?project=other&environment=dev", null),
            await AttackerTests.SendAsync(server, eve, "GET", $"/api/v1/environments/other/dev/services/talker/logs?project={world.Project}", null),
        };
        var own = await AttackerTests.SendAsync(server, await TestSessions.CookieAsync(server, "vic"), "GET", path + "?tail=5", null);

        Assert.All(attacks, a => Assert.Equal(HttpStatusCode.NotFound, a.Status));
        Assert.All(attacks, a => Assert.DoesNotContain(Canary, a.Body, StringComparison.Ordinal));
        Assert.Equal(2, new AuditLog(server.State).List(actor: "eve (session)").Count(e => e.Target == $"{world.Project}/dev" && e.Result == "refused (hidden)"));
        Assert.Equal(HttpStatusCode.OK, own.Status);
        Assert.Contains($"\"text\":\"{Canary} ", own.Body, StringComparison.Ordinal);
        Assert.EndsWith("event: end\ndata: {}\n\n", own.Body, StringComparison.Ordinal);
    }
}
