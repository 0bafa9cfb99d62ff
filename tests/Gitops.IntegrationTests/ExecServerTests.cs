using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.State;
using Gitops.Server;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas exec</c> through the real server on real Docker: the CLI's WebSocket carries the command,
/// its input, its two output streams and its exit code; a terminal is given when asked for, at the
/// size asked; the command is audited with who ran it. A viewer's token, any browser session (even
/// an owner's), and a deployer of another project are refused, and their command never runs.
/// </summary>
public sealed class ExecServerTests
{
    [Fact]
    public async Task Exec_through_the_server_streams_both_ways_gives_a_terminal_and_refuses_viewers_sessions_and_other_projects()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(ExecTests.Sleeper(world));
        Assert.Equal(0, world.Apply().ExitCode);
        using (var state = StateStore.Open(world.DataDirectory))
        {
            var people = new People(state);
            foreach (var (user, role, scope) in new[]
            {
                ("vic", Role.Viewer, Scope.Environment(world.Project, "dev")),
                ("dan", Role.Deployer, Scope.Project("other")),
                ("boss", Role.Owner, Scope.Organization(People.DefaultOrganization)),
            })
            {
                people.AddUser(user, TestSessions.Password);
                people.GrantRole(new Grant(user, role, scope));
            }
        }

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);

        var run = world.Paas("exec", "worker", "--project", world.Project, "--env", "dev", "--", "sh", "-c", "echo out-$(hostname); echo to-stderr >&2; exit 5");
        var piped = world.PaasWithInput("one\ntwo\nthree\n", "exec", "worker", "--project", world.Project, "--env", "dev", "--replica", "2", "--", "wc", "-l");
        var typo = world.Paas("exec", "wroker", "--project", world.Project, "--env", "dev", "--", "true");
        Assert.True(run.ExitCode == 5, run.ToString());
        Assert.Equal("out-worker-1\n", run.Output);
        Assert.Equal("to-stderr\n", run.Error);
        Assert.Equal((0, "3"), (piped.ExitCode, piped.Output.Trim()));
        Assert.Equal(1, typo.ExitCode);
        Assert.Contains("runs no service 'wroker'; it runs worker", typo.Error, StringComparison.Ordinal);

        // A terminal of the size asked for, straight over the protocol (a test has no terminal of its own); set
        // just after the command starts, as docker exec does, so the command waits a moment.
        var path = $"api/v1/environments/{world.Project}/dev/services/worker/exec";
        var (terminal, exit) = await ExecAsync(server, $"Bearer {server.Token}", path, new ExecProtocol.Start(["sh", "-c", "sleep 1; tty; stty size"], null, Tty: true, Width: 100, Height: 30));
        Assert.True(exit == 0, terminal);
        Assert.Matches(@"^/dev/pts/\d+\r\n30 100\r\n$", terminal);

        var viewer = await ConnectAsync(server, $"Bearer {await TestSessions.TokenAsync(server, "vic")}", path);
        var session = await ConnectAsync(server, await TestSessions.CookieAsync(server, "boss"), path);
        var outsider = await ConnectAsync(server, $"Bearer {await TestSessions.TokenAsync(server, "dan")}", path + "?project=other");
        Assert.Equal(HttpStatusCode.Forbidden, viewer);
        Assert.Equal(HttpStatusCode.Forbidden, session);
        Assert.Equal(HttpStatusCode.NotFound, outsider);

        var audit = new AuditLog(server.State).List(target: $"{world.Project}/dev");
        Assert.Contains(audit, e => e.Actor == "admin (admin token)" && e.Action == "exec worker: sh -c echo out-$(hostname); echo to-stderr >&2; exit 5");
        Assert.Contains(audit, e => e.Actor == "admin (admin token)" && e.Action == "exec worker replica 2: wc -l");
        Assert.Contains(audit, e => e.Actor.StartsWith("dan (token", StringComparison.Ordinal) && e.Result == "refused (hidden)");
        Assert.Contains(audit, e => e.Actor.StartsWith("vic (token", StringComparison.Ordinal) && e.Result == "refused (forbidden)");
        Assert.DoesNotContain(audit, e => e.Action.StartsWith("exec", StringComparison.Ordinal) && !e.Actor.StartsWith("admin", StringComparison.Ordinal)); // none of theirs ran
    }

    /// <summary>Runs one command over the protocol; its output (both streams) and exit code.</summary>
    private static async Task<(string Output, int? Exit)> ExecAsync(InProcessServer server, string auth, string path, ExecProtocol.Start start)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", auth);
        await socket.ConnectAsync(new Uri(new Uri(server.Url.Replace("http:", "ws:", StringComparison.Ordinal) + "/"), path), TestContext.Current.CancellationToken);
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(start, Web), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        var output = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return (output.ToString(), null);
            }

            if (received.MessageType == WebSocketMessageType.Binary)
            {
                output.Append(Encoding.UTF8.GetString(buffer, 1, received.Count - 1));
            }
            else if (JsonSerializer.Deserialize<ExecProtocol.Answer>(buffer.AsSpan(0, received.Count), Web) is { } answer)
            {
                if (answer.Exit is { } exit)
                {
                    return (output.ToString(), exit);
                }

                output.Append(answer.Error); // shown by the assertion on the output
            }
        }
    }

    /// <summary>The status a WebSocket handshake got: a refused one never upgrades.</summary>
    private static async Task<HttpStatusCode> ConnectAsync(InProcessServer server, string auth, string path)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var (header, value) = auth.StartsWith("Cookie ", StringComparison.Ordinal) ? ("Cookie", auth["Cookie ".Length..]) : ("Authorization", auth);
        socket.Options.SetRequestHeader(header, value);
        try
        {
            await socket.ConnectAsync(new Uri(new Uri(server.Url.Replace("http:", "ws:", StringComparison.Ordinal) + "/"), path), TestContext.Current.CancellationToken);
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
}
