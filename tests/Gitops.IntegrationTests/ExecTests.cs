using Gitops.Cli;
using Gitops.Engine.Audit;
using Gitops.Engine.State;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas exec</c> on real engines, locally: the command runs in a running replica as the argument
/// list it was given (no shell reads it), with stdin piped in, stdout and stderr apart, its exit code
/// paas's own, in the replica asked for; and it is in the audit log before it runs.
/// </summary>
public sealed class ExecTests
{
    internal static string Sleeper(EngineWorld world) => $$"""
        services:
          worker:
            image: {{world.Busybox}}
            replicas: 2
            command: ["sleep", "3600"]

        """;

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")] // in the task's container on this node; --replica is the task's slot
    public async Task Exec_runs_the_argument_list_in_the_replica_with_piped_input_and_returns_its_exit_code(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest(Sleeper(world));
        Assert.Equal(0, world.Apply().ExitCode);

        var run = world.Paas("exec", "worker", "--env", "dev", "--dir", world.AppDirectory, "--", "sh", "-c", "echo out-$(hostname); echo to-stderr >&2; exit 7");
        var literal = world.Paas("exec", "worker", "--env", "dev", "--dir", world.AppDirectory, "--", "echo", "$(id); rm -rf /tmp/x", "'quoted'");
        var second = world.Paas("exec", "worker", "--env", "dev", "--dir", world.AppDirectory, "--replica", "2", "--", "hostname");
        var piped = world.PaasWithInput("line one\nline two\n", "exec", "worker", "--env", "dev", "--dir", world.AppDirectory, "--", "wc", "-l");
        var missing = world.Paas("exec", "worker", "--env", "dev", "--dir", world.AppDirectory, "--", "no-such-binary");

        Assert.True(run.ExitCode == 7, run.ToString());
        // A replica's hostname is service-N; a Swarm task's is its Swarm service's name and slot.
        var hostname = engine == "swarm" ? Gitops.Providers.Swarm.SwarmNames.Service(world.Project, "dev", "worker") + "-" : "worker-";
        Assert.Equal($"out-{hostname}1\n", run.Output); // the first running replica
        Assert.Equal("to-stderr\n", run.Error);
        Assert.Equal(0, literal.ExitCode);
        Assert.Equal("$(id); rm -rf /tmp/x 'quoted'\n", literal.Output); // handed over as arguments: nothing expanded, nothing run
        Assert.Equal(0, second.ExitCode);
        Assert.Equal($"{hostname}2\n", second.Output);
        Assert.Equal(0, piped.ExitCode);
        Assert.Equal("2", piped.Output.Trim());
        Assert.NotEqual(0, missing.ExitCode);
        using var state = StateStore.Open(world.DataDirectory);
        var audited = new AuditLog(state).List(target: $"{world.Project}/dev").Select(e => e.Action).ToList();
        Assert.Contains("exec worker: sh -c echo out-$(hostname); echo to-stderr >&2; exit 7", audited);
        Assert.Contains("exec worker replica 2: hostname", audited);
    }

    [Fact]
    public async Task On_a_terminal_exec_is_interactive_raw_and_sized_like_the_terminal()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(Sleeper(world));
        Assert.Equal(0, world.Apply().ExitCode);

        using var terminal = Pty.Start(30, 100, "dotnet", Path.Combine(AppContext.BaseDirectory, "paas.dll"),
            "exec", "worker", "--env", "dev", "--dir", world.AppDirectory, "--data-dir", world.DataDirectory, "--", "sh");
        await terminal.WaitForAsync("# ", TimeSpan.FromSeconds(60)); // the shell's prompt, on a terminal
        terminal.Type("tty; stty size; echo $((6*7))\r");
        await terminal.WaitForAsync("42", TimeSpan.FromSeconds(30));
        terminal.Type("exit 3\r");
        var exit = await terminal.ExitCodeAsync(TimeSpan.FromSeconds(30));
        var screen = terminal.Screen;

        Assert.Equal(3, exit);
        Assert.Matches(@"/dev/pts/\d+\r\n30 100\r\n42\r\n", screen); // a terminal inside, of this one's size
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(screen, System.Text.RegularExpressions.Regex.Escape("tty; stty size"))); // echoed once, by the shell: paas's terminal is raw
        Assert.DoesNotContain("\r\r\n", screen, StringComparison.Ordinal); // and its output is not post-processed twice
    }

    [Fact]
    public async Task Exec_names_what_is_wrong_a_missing_service_replica_or_command()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(Sleeper(world));
        Assert.Equal(0, world.Apply().ExitCode);

        var service = world.Paas("exec", "wroker", "--env", "dev", "--dir", world.AppDirectory, "--", "true");
        var replica = world.Paas("exec", "worker", "--env", "dev", "--dir", world.AppDirectory, "--replica", "5", "--", "true");
        var command = world.Paas("exec", "worker", "--env", "dev", "--dir", world.AppDirectory);

        Assert.Equal(ExitCodes.InvalidInput, service.ExitCode);
        Assert.Contains("runs no service 'wroker'; it runs worker", service.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, replica.ExitCode);
        Assert.Contains("service worker has no running replica 5", replica.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, command.ExitCode);
        Assert.Contains("say which command to run", command.Error, StringComparison.Ordinal);
    }
}
