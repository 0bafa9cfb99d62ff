using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Server;

namespace Gitops.IntegrationTests;

public sealed class ServerCrashTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Server_killed_during_a_deploy_converges_after_restart(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev }\n", "survived");
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);

        // Journal entry 2 is the replica's start: the server dies right after it is written.
        var (crashed, _) = await RunServerAsync(world, crashAt: "2", TimeSpan.FromSeconds(60));
        Assert.Equal(137, crashed);
        var (_, log) = await RunServerAsync(world, crashAt: null, TimeSpan.FromSeconds(15));
        var containers = await world.ContainersAsync();
        var history = world.Paas("history", git.Work, "--env", "dev", "--output", "json");

        var web = Assert.Single(containers);
        Assert.True(web.Value.Running, log);
        Assert.Equal(0, await world.ExecAsync(web.Key, "grep", "-q", "survived", "/www/index.html"));
        Assert.Contains("\"status\": \"interrupted\"", history.Output, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"succeeded\"", history.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_refuses_to_start_without_the_master_key_of_its_secrets()
    {
        var directory = Directory.CreateTempSubdirectory("paas-key-").FullName;
        try
        {
            using (var state = StateStore.Open(directory))
            {
                new SecretStore(state).Set("shop", null, "TOKEN", "value");
            }

            File.Delete(Path.Combine(directory, MasterKey.FileName));

            var error = Assert.Throws<InvalidOperationException>(() => PaasServer.Build(new ServerOptions { DataDirectory = directory, Listen = "http://127.0.0.1:0" }, TextWriter.Null));
            Assert.Contains("master key", error.Message, StringComparison.Ordinal);
            using var reopened = StateStore.Open(directory); // the refused start released the state
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Log)> RunServerAsync(EngineWorld world, string? crashAt, TimeSpan runFor)
    {
        var run = await PaasProcess.RunAsync(crashAt, runFor, "server", "--data-dir", world.DataDirectory, "--listen", $"http://127.0.0.1:{FreePort.Next()}", "--poll", "1");
        return (run.ExitCode, run.Output + run.Error);
    }
}
