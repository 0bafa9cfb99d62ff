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

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Stopping_the_server_mid_deploy_lets_the_deploy_finish(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev }\n", "finished");
        // A replica that takes 4 s to answer: long enough to stop the server while it waits.
        git.Write("paas.yaml", $"version: 1\nproject: {world.Project}\nenvironments:\n  dev: {{ branch: dev }}\nservices:\n  web:\n    build: {{ context: web }}\n    command: [sh, -c, 'sleep 4; exec httpd -f -p 8080 -h /www']\n    port: 8080\n    health: {{ path: /index.html, interval: 1s, startPeriod: 20s }}\n");
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);

        using var server = PaasProcess.Start("server", "--data-dir", world.DataDirectory, "--listen", $"http://127.0.0.1:{FreePort.Next()}", "--poll", "1");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await world.ContainersAsync()).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the deploy did not start a replica within 60 s");
            await Task.Delay(100);
        }

        server.Terminate();
        var (exitCode, log) = await server.WaitAsync(TimeSpan.FromSeconds(60));
        var history = world.Paas("history", git.Work, "--env", "dev", "--output", "json");
        var containers = await world.ContainersAsync();

        Assert.True(exitCode == 0, log);
        Assert.Contains("waiting for the reconcile", log, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"succeeded\"", history.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"status\": \"interrupted\"", history.Output, StringComparison.Ordinal);
        Assert.True(Assert.Single(containers).Value.Running);
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
