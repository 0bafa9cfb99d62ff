using System.Text.Json;
using Gitops.Cli.Remote;

namespace Gitops.IntegrationTests;

/// <summary>
/// The CLI against a running server (the state file is the server's, so only the API can answer):
/// login, status, history, a deployment's log, suspend and resume, rollback, secrets.
/// </summary>
public sealed class RemoteModeTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task The_cli_reads_and_steers_a_running_server(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = ServerLoopTests.App(world);
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        await ServerLoopTests.WaitForPageAsync(world, "version one");

        var refused = world.PaasWithInput("paas_not-the-token", "login", "--server", server.Url);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("refused the token", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(world.DataDirectory, Login.FileName)));

        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(world.DataDirectory, Login.FileName)));

        var status = Json(world.Paas("status", "--project", world.Project, "--output", "json"));
        var dev = Assert.Single(status.GetProperty("environments").EnumerateArray());
        Assert.Equal("dev", dev.GetProperty("environment").GetString());
        var web = Assert.Single(dev.GetProperty("services").EnumerateArray());
        Assert.Equal((1, 1, "healthy"), (web.GetProperty("running").GetInt32(), web.GetProperty("desired").GetInt32(), web.GetProperty("health").GetString()));

        var history = Json(world.Paas("history", "--project", world.Project, "--output", "json"));
        var deployment = history.EnumerateArray().First();
        Assert.Equal("succeeded", deployment.GetProperty("status").GetString());
        var log = world.Paas("logs", deployment.GetProperty("id").GetString()!);
        Assert.Equal(0, log.ExitCode);
        Assert.Matches(@"\d\d:\d\d:\d\d build .*FROM", log.Output); // the build's output, kept with the deployment
        Assert.Contains("deploy ok start web replica 1", log.Output, StringComparison.Ordinal);
        Assert.Equal(1, world.Paas("logs", "d-20990101-000000-000000").ExitCode);

        // Suspended: a new commit is not deployed, and status says why.
        Assert.Equal(0, world.Paas("env", "suspend", world.Project, "--env", "dev").ExitCode);
        git.Write("web/www/index.html", "version two\n");
        git.CommitAndPush("v2");
        await server.WaitForReconcilesAsync(await server.ReconcilesAsync() + 3);
        await ServerLoopTests.WaitForPageAsync(world, "version one");
        var suspended = Json(world.Paas("status", "--project", world.Project, "--env", "dev", "--output", "json")).GetProperty("environments").EnumerateArray().Single();
        Assert.True(suspended.GetProperty("suspended").GetBoolean());
        Assert.Equal("suspended", suspended.GetProperty("lastSync").GetProperty("outcome").GetString());

        Assert.Equal(0, world.Paas("env", "resume", world.Project, "--env", "dev").ExitCode);
        await ServerLoopTests.WaitForPageAsync(world, "version two");

        // Rollback through the server (the state is the server's): v1 again, pinned until a new commit.
        var rollback = world.Paas("rollback", world.Project, "--env", "dev");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        await ServerLoopTests.WaitForPageAsync(world, "version one");
        var pinned = Json(world.Paas("status", "--project", world.Project, "--env", "dev", "--output", "json")).GetProperty("environments").EnumerateArray().Single();
        Assert.StartsWith("d-", pinned.GetProperty("pinned").GetProperty("deployment").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, world.Paas("rollback", world.Project, "--env", "dev", "--clear").ExitCode);
        await ServerLoopTests.WaitForPageAsync(world, "version two"); // un-pinned: the next poll deploys the branch again

        Assert.Equal(0, world.Paas("logout").ExitCode);
        Assert.False(File.Exists(Path.Combine(world.DataDirectory, Login.FileName)));
    }

    [Fact]
    public async Task Secrets_and_repositories_are_managed_through_the_server_and_secrets_reach_the_app_at_once()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var canary = $"canary-{Guid.NewGuid():N}";
        var rotated = $"rotated-{Guid.NewGuid():N}";
        var git = ServerLoopTests.App(world);
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1)); // no polling: only what the CLI asks
        var locked = world.PaasWithInput(canary, "secrets", "set", world.Project, "API_TOKEN");
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);

        var set = world.PaasWithInput(canary, "secrets", "set", world.Project, "API_TOKEN");
        File.AppendAllText(Path.Combine(git.Work, "paas.yaml"), "    secrets: [API_TOKEN]\n");
        git.CommitAndPush("v2 uses the secret");
        var synced = world.Paas("sync", "--project", world.Project); // asks the server (polling is off)
        var first = await EnvironmentOfWebAsync(world, "API_TOKEN=");
        var rotate = world.PaasWithInput(rotated, "secrets", "set", world.Project, "API_TOKEN", "--env", "dev"); // no commit: the server redeploys on its own
        var second = await EnvironmentOfWebAsync(world, $"API_TOKEN={rotated}");
        var list = world.Paas("secrets", "list", world.Project, "--output", "json");
        var removed = world.Paas("secrets", "rm", world.Project, "API_TOKEN", "--env", "dev");
        var again = world.Paas("secrets", "list", world.Project, "--output", "json");
        var added = world.Paas("repo", "add", "file:///srv/git/second.git", "--project", "second");
        var duplicate = world.Paas("repo", "add", "file:///srv/git/other.git", "--project", "second");
        var refused = world.Paas("repo", "add", "ftp://example.com/x.git", "--project", "third");
        var repositories = world.Paas("repo", "list", "--output", "json");
        var unwatched = world.Paas("repo", "rm", "second");
        var remaining = world.Paas("repo", "list", "--output", "json");

        Assert.Equal(3, locked.ExitCode); // without a login the state file is the server's, and the error says what to do
        Assert.Contains("paas login --server", locked.Error, StringComparison.Ordinal);
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.True(synced.ExitCode == 0, synced.ToString());
        Assert.Contains($"API_TOKEN={canary}", first);
        Assert.True(rotate.ExitCode == 0, rotate.ToString());
        Assert.Contains($"API_TOKEN={rotated}", second);
        Assert.Contains("\"version\": 1", list.Output, StringComparison.Ordinal);
        Assert.Equal(2, JsonDocument.Parse(list.Output).RootElement.GetArrayLength()); // all environments, and dev
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal(1, JsonDocument.Parse(again.Output).RootElement.GetArrayLength());
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("already has a watched repository", duplicate.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("ftp://", refused.Error, StringComparison.Ordinal);
        Assert.Equal(new[] { world.Project, "second" }.Order(StringComparer.Ordinal), JsonDocument.Parse(repositories.Output).RootElement.EnumerateArray().Select(r => r.GetProperty("project").GetString()).Order(StringComparer.Ordinal));
        Assert.True(unwatched.ExitCode == 0, unwatched.ToString());
        Assert.Equal([world.Project], JsonDocument.Parse(remaining.Output).RootElement.EnumerateArray().Select(r => r.GetProperty("project").GetString()));
        foreach (var output in new[] { locked, set, synced, rotate, list, removed, again }.SelectMany(r => new[] { r.Output, r.Error }))
        {
            Assert.DoesNotContain(canary, output, StringComparison.Ordinal);
            Assert.DoesNotContain(rotated, output, StringComparison.Ordinal);
        }
    }

    /// <summary>The environment of the running web replica, once it holds <paramref name="expected"/>.</summary>
    private static async Task<string> EnvironmentOfWebAsync(EngineWorld world, string expected)
    {
        var last = "";
        for (var deadline = DateTime.UtcNow + InProcessServer.Patience; DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            foreach (var (name, container) in await world.ContainersAsync())
            {
                if (container.Running)
                {
                    last = string.Join('\n', (await world.Client.Containers.InspectContainerAsync(name)).Config!.Env);
                    if (last.Contains(expected, StringComparison.Ordinal))
                    {
                        return last;
                    }
                }
            }
        }

        throw new TimeoutException($"no running web replica with {expected} within {InProcessServer.Patience}");
    }

    private static JsonElement Json(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement;
    }
}
