using Gitops.Engine.Reconcile;
using Gitops.Engine.State;

namespace Gitops.IntegrationTests;

/// <summary>
/// Notifications behind the real server on real Docker: a commit's deploy reaches the webhook its
/// notify rule names, signed, with the commit and a link; a channel that is down delays nothing and
/// shows as failing in <c>paas notify list</c>; a rule naming no channel refuses the commit.
/// </summary>
public sealed class NotificationServerTests
{
    private const string SigningKey = "server-test-signing-key";

    [Fact]
    public async Task A_deploy_notifies_the_webhook_its_rule_names_and_a_dead_channel_delays_nothing_and_shows_as_failing()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        using var receiver = new HttpReceiver();
        var dead = FreePort.Next(); // nothing listens there
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName),
            $"notifications:\n  dashboardUrl: https://paas.example.com\n  channels:\n    hooks: {{ kind: webhook, url: \"{receiver.Url}/in\" }}\n    dead: {{ kind: webhook, url: \"http://127.0.0.1:{dead}/in\" }}\n");
        Assert.Equal(0, world.PaasWithInput(SigningKey, "notify", "secret", "hooks").ExitCode);
        Assert.Equal(0, world.PaasWithInput("dead-key", "notify", "secret", "dead").ExitCode);
        var git = new GitWorkTree(world.Root);
        git.Write("paas.yaml", Manifest(world, "notify:\n  - { channel: hooks, on: [deploy.succeeded, deploy.failed] }\n  - { channel: dead, on: [deploy.succeeded] }\n"));
        var commit = git.CommitAndPush("notified");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        HttpReceiver.Received? hook = null;
        await WaitForAsync(() => (hook = receiver.Requests.FirstOrDefault()) is not null, "the webhook never heard of the deploy");

        var deployment = server.State.History(world.Project, "dev", 5).Single();
        Assert.Equal(DeploymentStatus.Succeeded, deployment.Status);
        Assert.Equal(Gitops.Engine.Notifications.ChannelSenders.Signature(SigningKey, hook!.Body), hook.Headers[Gitops.Engine.Notifications.ChannelSenders.SignatureHeader]);
        Assert.Equal(("deploy.succeeded", commit, deployment.Id), (hook.Json.GetProperty("event").GetString(), hook.Json.GetProperty("commit").GetString(), hook.Json.GetProperty("deployment").GetString()));
        Assert.Equal($"https://paas.example.com/#/deployments/{deployment.Id}", hook.Json.GetProperty("link").GetString());
        Assert.Equal($"{world.Project}/dev: deployed", hook.Json.GetProperty("title").GetString());

        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        CliRun list = default!;
        await WaitForAsync(() => (list = world.Paas("notify", "list")).Output.Contains("since", StringComparison.Ordinal), "the dead channel is not shown failing");
        var deadLine = list.Output.Split('\n').Single(l => l.Contains("dead", StringComparison.Ordinal));
        Assert.Contains("refused", deadLine, StringComparison.OrdinalIgnoreCase); // connection refused, said as the system says it
        Assert.DoesNotContain("dead-key", list.Output, StringComparison.Ordinal);
        var hooksLine = list.Output.Split('\n').Single(l => l.Contains("hooks", StringComparison.Ordinal));
        var cells = hooksLine.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["hooks", "webhook", "set", "1", "0", "0"], cells[..6]); // channel, kind, secret, delivered, waiting, dropped

        // A rule naming a channel the platform does not have is refused like a manifest error, and nothing is deployed.
        git.Write("paas.yaml", Manifest(world, "notify:\n  - { channel: nope, on: [deploy.failed] }\n").Replace("one", "two", StringComparison.Ordinal));
        var refused = git.CommitAndPush("a rule to nowhere");
        SyncRecord? sync = null;
        await WaitForAsync(() => (sync = new EnvironmentRecords(server.State).LastSync(world.Project, "dev")) is { Outcome: ReconcileOutcome.InvalidManifest } && sync.Commit == refused, "the commit with an unknown channel was not refused");
        Assert.Contains("notify[0].channel: no channel 'nope' on this platform (channels: dead, hooks)", sync!.Detail, StringComparison.Ordinal);
        Assert.Single(server.State.History(world.Project, "dev", 5));
    }

    private static string Manifest(EngineWorld world, string notify) =>
        $"version: 1\nproject: {world.Project}\nenvironments:\n  dev: {{ branch: dev }}\nservices:\n{world.WebService("web", "    env: { VERSION: one }\n")}{notify}";

    private static async Task WaitForAsync(Func<bool> done, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(250);
        }
    }
}
