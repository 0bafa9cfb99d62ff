using Gitops.Cli;
using Gitops.Cli.Remote;
using Gitops.Engine.Sources;
using Gitops.Engine.State;

namespace Gitops.IntegrationTests;

/// <summary>
/// Every command driven into the failures a user meets (the engine down, a repository that cannot
/// be fetched or pushed to, the server down, a refused token, a damaged state file): each ends in
/// one line that says what and what to do, with its documented exit code, never a stack trace;
/// <c>--verbose</c> shows the trace.
/// </summary>
public sealed class FailurePathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("paas-failures-").FullName;

    [Fact]
    public void With_the_engine_down_every_command_that_needs_it_names_the_socket_and_exits_3()
    {
        var data = DataDirectory("targets:\n  local: { kind: docker, socket: /nonexistent/engine.sock }\nallowFileUrls: true\n");
        var app = Path.Combine(RepositoryRoot.Path, "samples", "hello");
        string[][] commands =
        [
            ["apply", app, "--env", "dev", "--yes"],
            ["plan", app, "--env", "dev"],
            ["status", app, "--env", "dev"],
            ["destroy", app, "--env", "dev", "--yes"],
            ["quickstart", "--exit-when-ready"],
        ];
        foreach (var command in commands)
        {
            OneLine(Run([.. command, "--data-dir", data]), ExitCodes.Failed, "no socket at /nonexistent/engine.sock");
        }
    }

    [Fact]
    public void A_repository_that_cannot_be_fetched_or_pushed_to_says_why_and_exits_3()
    {
        var data = DataDirectory("allowFileUrls: true\n");
        Assert.Equal(0, Run(["repo", "add", new Uri(Path.Combine(_root, "gone")).AbsoluteUri, "--project", "ghost", "--data-dir", data]).ExitCode);
        var sync = Run(["sync", "--project", "ghost", "--data-dir", data]);
        Assert.Equal(ExitCodes.Failed, sync.ExitCode);
        Assert.Contains("what runs keeps running", sync.Output + sync.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", sync.Output + sync.Error, StringComparison.Ordinal);

        // A working repository (not bare), watched and promoted from: Git cannot push into its checkout.
        var work = Path.Combine(_root, "work");
        GitWorkTree.Git(_root, "init", "-q", "-b", "main", work);
        File.WriteAllText(Path.Combine(work, "paas.yaml"), "version: 1\nproject: shop\nenvironments:\n  dev: { branch: develop, target: local }\n  production: { branch: main, target: local }\nservices:\n  web: { image: 'busybox:1.36', command: [sleep, '60'] }\n");
        GitWorkTree.Git(work, "add", "-A");
        GitWorkTree.Git(work, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "-m", "one");
        GitWorkTree.Git(work, "branch", "develop");
        var commit = GitWorkTree.Git(work, "rev-parse", "HEAD").Trim();
        Assert.Equal(0, Run(["repo", "add", new Uri(work).AbsoluteUri, "--project", "shop", "--data-dir", data]).ExitCode);
        using (var state = StateStore.Open(data))
        {
            state.Record("shop", "dev", RecordedState.Empty with { Revision = commit }); // dev runs that commit
        }

        var promote = Run(["promote", "shop", "--from", "dev", "--to", "production", "--merge", "--data-dir", data]);
        OneLine(promote, ExitCodes.Failed, "is a working repository (it has a checkout), and Git does not push branches into one; watch a bare repository instead");
        Assert.Equal(commit, GitWorkTree.Git(work, "rev-parse", "main").Trim()); // nothing moved
    }

    [Fact]
    public async Task Against_a_server_that_is_down_or_refuses_the_token_each_remote_command_says_what_to_do()
    {
        var client = DataDirectory("");
        string[][] remote =
        [
            ["status", "--project", "shop", "--env", "dev"], ["history", "--project", "shop", "--env", "dev"], ["logs", "web", "--project", "shop", "--env", "dev"],
            ["promote", "shop", "--from", "dev", "--to", "production"], ["rollback", "shop", "--env", "dev"], ["env", "suspend", "shop", "--env", "dev"],
            ["secrets", "list", "shop"], ["repo", "list"], ["sync", "--project", "shop"], ["users", "list"], ["audit", "verify"], ["tokens", "list"],
        ];
        var down = $"http://127.0.0.1:{FreePort.Next()}";
        new Login(down, "paas_x_y").Save(client);
        foreach (var command in remote)
        {
            OneLine(Run([.. command, "--data-dir", client]), ExitCodes.Failed, $"cannot reach the paas server at {down}");
        }

        await using var server = await InProcessServer.StartAsync(DataDirectory(""), TimeSpan.FromHours(1));
        new Login(server.Url, "paas_wrong_token").Save(client);
        foreach (var command in remote)
        {
            OneLine(Run([.. command, "--data-dir", client]), ExitCodes.Failed, $"the paas server at {server.Url} refused the token; run paas login again");
        }

        using var refused = new StringReader("paas_still_wrong");
        var login = Run(["login", "--server", server.Url, "--data-dir", client], refused);
        OneLine(login, ExitCodes.Failed, "refused the token");
    }

    [Fact]
    public void A_damaged_state_file_is_named_with_how_to_recover_and_left_as_it_was()
    {
        var data = DataDirectory("");
        using (StateStore.Open(data))
        {
            // a real state file first, then damaged as a disk fault or a partial copy would
        }

        var file = Path.Combine(data, "state.db");
        var damaged = new byte[16384];
        new Random(7).NextBytes(damaged);
        File.WriteAllBytes(file, damaged);
        var app = Path.Combine(RepositoryRoot.Path, "samples", "hello");
        string[][] commands =
        [
            ["status", app, "--env", "dev"], ["history", app, "--env", "dev"], ["users", "list"], ["audit", "verify"], ["repo", "list"],
            ["secrets", "list", "hello"], ["server", "--listen", $"http://127.0.0.1:{FreePort.Next()}"], ["cron", "list", "--project", "hello", "--env", "dev"],
        ];
        foreach (var command in commands)
        {
            OneLine(Run([.. command, "--data-dir", data]), ExitCodes.Failed, $"the state file {file} cannot be read");
        }

        var verbose = Run(["users", "list", "--data-dir", data, "--verbose"]);
        Assert.Equal(ExitCodes.Failed, verbose.ExitCode);
        Assert.Contains("   at Gitops.Engine.State.StateStore.Open", verbose.Error, StringComparison.Ordinal); // the trace, when asked for
        Assert.Equal(damaged, File.ReadAllBytes(file));
    }

    /// <summary>One line on standard error, "paas: " and the message, the exit code, and no trace.</summary>
    private static void OneLine(CliRun run, int code, string says)
    {
        Assert.True(run.ExitCode == code, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("paas: ", StringComparison.Ordinal), run.ToString());
        Assert.Contains(says, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Output + run.Error, StringComparison.Ordinal);
    }

    private string DataDirectory(string platform)
    {
        var data = Path.Combine(_root, $"d{Guid.NewGuid():N}"[..9]);
        Gitops.Engine.Targets.DataDirectory.Prepare(data);
        if (platform.Length > 0)
        {
            File.WriteAllText(Path.Combine(data, "platform.yaml"), platform);
        }

        return data;
    }

    private static CliRun Run(string[] args, TextReader? input = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PaasCli.Run(args, CliConsole.Plain(output, error), input ?? TextReader.Null);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
