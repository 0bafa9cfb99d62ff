using System.Diagnostics;
using System.Net;
using System.Text;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Server;

namespace Gitops.IntegrationTests;

/// <summary>
/// ssh:// repositories fetch with a deploy key of their own, through a real OpenSSH server: the key
/// is stored encrypted and used for its repository alone (never the machine's keys or agent), the
/// host key is pinned on first use and a changed one is refused, and nothing of the key shows in an
/// answer, a log or a file.
/// </summary>
public sealed partial class RepositoryCredentialTests
{
    [Fact]
    public void A_deploy_key_fetches_over_ssh_and_the_host_key_is_pinned_on_first_use()
    {
        var (git, deploy, server) = SshHost("pinned");
        using var _ = server;
        var commit = git.CommitAndPush("v1");
        var cache = Path.Combine(_root, "cache");
        var source = new GitSource(cache);
        string? learned = null;

        var first = source.Fetch("shop", server.Url(git.Remote), SshKeyCredential.Parse(deploy.PrivateKey, null), keys => learned = keys);

        Assert.Equal(commit, first["dev"]);
        Assert.NotNull(learned);
        Assert.Contains(server.KnownHostsLine.Split(' ')[2], learned, StringComparison.Ordinal); // the server's own host key
        string? relearned = null;
        git.Write("README.md", "private, v2\n");
        var next = git.CommitAndPush("v2");
        var second = source.Fetch("shop", server.Url(git.Remote), SshKeyCredential.Parse(deploy.PrivateKey, learned), keys => relearned = keys);
        Assert.Equal(next, second["dev"]);
        Assert.Null(relearned); // pinned: nothing new to record
        // The key's files lived for the fetch alone, and the cache's configuration names none.
        Assert.Equal(["shop.git"], Directory.GetFileSystemEntries(cache).Select(Path.GetFileName));
        Assert.DoesNotContain("sshCommand", File.ReadAllText(Path.Combine(cache, "shop.git", "config")), StringComparison.OrdinalIgnoreCase);
        AssertNowhereIn(cache, deploy.PrivateKey);
    }

    [Fact]
    public void A_changed_host_key_is_refused_and_nothing_new_is_fetched()
    {
        var (git, deploy, server) = SshHost("changed");
        using var _ = server;
        var commit = git.CommitAndPush("v1");
        var source = new GitSource(Path.Combine(_root, "cache"));
        var pinned = SshKeyCredential.Parse(deploy.PrivateKey, server.KnownHostsLine);
        Assert.Equal(commit, source.Fetch("shop", server.Url(git.Remote), pinned)["dev"]);

        server.ChangeHostKey();
        git.Write("README.md", "private, v2\n");
        git.CommitAndPush("v2 (must not arrive)");
        string? learned = null;
        var refused = Assert.ThrowsAny<LibGit2Sharp.LibGit2SharpException>(() => source.Fetch("shop", server.Url(git.Remote), pinned, keys => learned = keys));

        Assert.Contains("Host key verification failed", refused.Message, StringComparison.Ordinal); // ssh's own reason, in the error paas repo list shows
        Assert.Equal(commit, source.CachedBranches("shop")["dev"]);
        Assert.Null(learned); // the new host key was not trusted
        Assert.DoesNotContain(deploy.PrivateKey.Trim(), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_project_never_fetches_with_the_machines_keys()
    {
        // The machine's agent holds the key the host accepts; the project's own key is another one.
        var (git, machine, server) = SshHost("agent");
        using var _ = server;
        git.CommitAndPush("v1");
        var other = SshGitServer.NewKey(_root, "other-project-key");
        var agentSocket = Path.Combine(_root, "agent.sock");
        using var agent = Process.Start(new ProcessStartInfo("ssh-agent") { ArgumentList = { "-D", "-a", agentSocket }, RedirectStandardOutput = true })!;
        var previous = Environment.GetEnvironmentVariable("SSH_AUTH_SOCK");
        try
        {
            WaitFor(() => File.Exists(agentSocket));
            Environment.SetEnvironmentVariable("SSH_AUTH_SOCK", agentSocket);
            var added = Process.Start(new ProcessStartInfo("ssh-add") { ArgumentList = { "-q", Path.Combine(_root, "agent-deploy-key") }, RedirectStandardError = true })!;
            added.WaitForExit();
            Assert.Equal(0, added.ExitCode);
            var source = new GitSource(Path.Combine(_root, "cache"));

            var withoutKey = Assert.Throws<RepositoryUrlException>(() => source.Fetch("shop", server.Url(git.Remote)));
            var refused = Assert.ThrowsAny<LibGit2Sharp.LibGit2SharpException>(() => source.Fetch("shop", server.Url(git.Remote), SshKeyCredential.Parse(other.PrivateKey, server.KnownHostsLine)));

            Assert.Contains("needs a deploy key of its own", withoutKey.Message, StringComparison.Ordinal);
            Assert.Contains("Permission denied (publickey)", refused.Message, StringComparison.Ordinal); // the agent's key was never offered
            Assert.Empty(source.CachedBranches("shop")); // nothing of the repository arrived
        }
        finally
        {
            Environment.SetEnvironmentVariable("SSH_AUTH_SOCK", previous);
            agent.Kill();
        }
    }

    [Fact]
    public async Task A_deploy_key_given_to_the_server_fetches_and_appears_in_no_answer_log_or_file()
    {
        var (git, deploy, sshd) = SshHost("server");
        using var _ = sshd;
        git.CommitAndPush("v1");
        var data = Directory.CreateDirectory(Path.Combine(_root, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        Assert.Equal(0, Cli(data, Password, "users", "add", "watcher", "--role", "viewer", "--scope", "org:default"));
        string admin;
        using (var state = StateStore.Open(data))
        {
            admin = new AdminToken(state).CreateIfMissing()!;
        }

        var listen = $"http://127.0.0.1:{FreePort.Next()}";
        using var server = PaasProcess.Start("server", "--data-dir", data, "--listen", listen, "--poll", "1", "--log-format", "json");
        using var http = new HttpClient { BaseAddress = new Uri(listen) };
        await WaitAsync(async () => (await TryGetAsync(http, "/healthz")) is not null, "the server did not answer");
        var url = sshd.Url(git.Remote);

        var keyless = await SendAsync(http, HttpMethod.Post, "/api/v1/repositories", admin, new { url, project = "keyless" });
        var injected = await SendAsync(http, HttpMethod.Post, "/api/v1/repositories", admin, new { url = $"{url}'$(id)'", project = "injected", sshKey = deploy.PrivateKey });
        var added = await SendAsync(http, HttpMethod.Post, "/api/v1/repositories", admin, new { url, project = "private", sshKey = deploy.PrivateKey });
        await WaitAsync(async () => (await SendAsync(http, HttpMethod.Get, "/api/v1/repositories", admin, null)).Body.Contains("\"fetchedAt\":\"", StringComparison.Ordinal), "no fetch recorded");
        var asAdmin = await SendAsync(http, HttpMethod.Get, "/api/v1/repositories", admin, null);
        var asViewer = await ViewerAsync(http);
        server.Terminate();
        var (_, log) = await server.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.BadRequest, keyless.Status);
        Assert.Contains("needs a deploy key of its own", keyless.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, injected.Status); // the Git host's shell would read the path
        Assert.Contains("ssh://[user@]host[:port]/path", injected.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Contains("\"error\":null", asAdmin.Body, StringComparison.Ordinal); // the fetch with the deploy key succeeded
        Assert.Contains(url, asViewer, StringComparison.Ordinal);
        Assert.DoesNotContain("keyless", asAdmin.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("injected", asAdmin.Body, StringComparison.Ordinal);
        var keyBody = deploy.PrivateKey.Split('\n')[1]; // a line of the key's base64 body
        foreach (var text in new[] { keyless.Body, injected.Body, added.Body, asAdmin.Body, asViewer, log })
        {
            Assert.DoesNotContain(keyBody, text, StringComparison.Ordinal);
        }

        AssertNowhereIn(data, deploy.PrivateKey);
        using var reopened = StateStore.Open(data);
        Assert.Equal(deploy.PrivateKey.Trim(), (new RepositoryCredentials(reopened).Of("private") as SshKeyCredential)?.PrivateKey.Trim());
        Assert.Contains(sshd.KnownHostsLine.Split(' ')[2], (new RepositoryCredentials(reopened).Of("private") as SshKeyCredential)?.KnownHosts, StringComparison.Ordinal); // pinned on first use
    }

    [Fact]
    public void The_cli_takes_a_deploy_key_from_standard_input_for_an_ssh_url_only()
    {
        var data = Path.Combine(_root, "cli-data");
        var key = SshGitServer.NewKey(_root, "cli-key");

        var keyless = CliRun(data, "", "repo", "add", "ssh://git@git.example/shop.git", "--project", "shop");
        var onHttps = CliRun(data, key.PrivateKey, "repo", "add", "https://git.example/shop.git", "--project", "shop", "--ssh-key-stdin");
        var notAKey = CliRun(data, "ssh-ed25519 AAAA the public half", "repo", "add", "ssh://git@git.example/shop.git", "--project", "shop", "--ssh-key-stdin");
        var added = CliRun(data, key.PrivateKey, "repo", "add", "ssh://git@git.example/shop.git", "--project", "shop", "--ssh-key-stdin");
        var listed = CliRun(data, "", "repo", "list", "--output", "json");

        Assert.Equal(1, keyless.ExitCode);
        Assert.Contains("--ssh-key-stdin", keyless.Error, StringComparison.Ordinal);
        Assert.Equal(1, onHttps.ExitCode);
        Assert.Contains("--credential-stdin", onHttps.Error, StringComparison.Ordinal);
        Assert.Equal(1, notAKey.ExitCode);
        Assert.Contains("not a private key", notAKey.Error, StringComparison.Ordinal);
        Assert.True(added.ExitCode == 0, added.Error);
        Assert.Contains("ssh://git@git.example/shop.git", listed.Output, StringComparison.Ordinal);
        var keyBody = key.PrivateKey.Split('\n')[1];
        Assert.All(new[] { keyless, onHttps, notAKey, added, listed }, r => Assert.DoesNotContain(keyBody, r.Output + r.Error, StringComparison.Ordinal));
        using var state = StateStore.Open(data);
        Assert.IsType<SshKeyCredential>(new RepositoryCredentials(state).Of("shop"));
    }

    /// <summary>A hosted repository with a dev branch, a deploy key and an sshd that accepts only that key.</summary>
    private (GitWorkTree Git, (string PrivateKey, string PublicKey) Deploy, SshGitServer Server) SshHost(string name)
    {
        var git = new GitWorkTree(Directory.CreateDirectory(Path.Combine(_root, $"{name}-hosted")).FullName);
        git.Write("README.md", "private\n");
        var deploy = SshGitServer.NewKey(_root, $"{name}-deploy-key");
        return (git, deploy, SshGitServer.Start(Path.Combine(_root, $"{name}-sshd"), deploy.PublicKey));
    }

    private static void AssertNowhereIn(string directory, string privateKey)
    {
        var body = Encoding.UTF8.GetBytes(privateKey.Split('\n')[1]);
        foreach (var file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".pack", StringComparison.Ordinal)))
        {
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(body) >= 0, $"{file} holds the deploy key in clear text");
        }
    }

    private static void WaitFor(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + InProcessServer.Patience;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            Thread.Sleep(50);
        }
    }
}
