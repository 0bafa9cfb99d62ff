using System.Text.Json;
using Gitops.Cli.Remote;

namespace Gitops.IntegrationTests;

/// <summary>
/// The CLI against a running server (the state file is the server's, so only the API can answer):
/// login, status, history, a deployment's log, suspend and resume.
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
        var dev = Assert.Single(status.EnumerateArray());
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
        var suspended = Json(world.Paas("status", "--project", world.Project, "--env", "dev", "--output", "json")).EnumerateArray().Single();
        Assert.True(suspended.GetProperty("suspended").GetBoolean());
        Assert.Equal("suspended", suspended.GetProperty("lastSync").GetProperty("outcome").GetString());

        Assert.Equal(0, world.Paas("env", "resume", world.Project, "--env", "dev").ExitCode);
        await ServerLoopTests.WaitForPageAsync(world, "version two");

        // Rollback through the server (the state is the server's): v1 again, pinned until a new commit.
        var rollback = world.Paas("rollback", world.Project, "--env", "dev");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        await ServerLoopTests.WaitForPageAsync(world, "version one");
        var pinned = Json(world.Paas("status", "--project", world.Project, "--env", "dev", "--output", "json")).EnumerateArray().Single();
        Assert.StartsWith("d-", pinned.GetProperty("pinned").GetProperty("deployment").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, world.Paas("rollback", world.Project, "--env", "dev", "--clear").ExitCode);
        await ServerLoopTests.WaitForPageAsync(world, "version two"); // un-pinned: the next poll deploys the branch again

        Assert.Equal(0, world.Paas("logout").ExitCode);
        Assert.False(File.Exists(Path.Combine(world.DataDirectory, Login.FileName)));
    }

    private static JsonElement Json(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement;
    }
}
