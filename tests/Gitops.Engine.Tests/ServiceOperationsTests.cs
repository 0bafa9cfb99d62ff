using Gitops.Engine.Operations;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Tests;

/// <summary>
/// <c>paas logs SERVICE</c> and <c>paas exec</c> are refused before anything is read or run when the
/// environment runs nothing, runs no such service (the error names those it runs), or runs on a
/// target that cannot do it (the fake here, like Kubernetes today): never an empty answer.
/// </summary>
public sealed class ServiceOperationsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-operations-").FullName;

    [Fact]
    public async Task Logs_and_exec_name_what_is_missing_or_what_the_target_cannot_do_before_anything_runs()
    {
        using var state = StateStore.Open(_directory);
        var connections = 0;
        Func<string, string, TargetConnection> connect = (_, _) =>
        {
            connections++;
            return new TargetConnection(new FakeContainerTarget(), null!);
        };
        var logs = new ServiceLogs(state, connect);
        var exec = new ServiceExec(state, connect);

        var nothing = Assert.Throws<ServiceRefusedException>(() => logs.Open(new RuntimeLogQuery("shop", "dev", "web")));
        state.SaveDeployment(new Deployment
        {
            Id = "d-20261202-000000-aaaaaa", Project = "shop", Environment = "dev", Revision = "rev-2", Trigger = "test", PlanText = "",
            Status = DeploymentStatus.Succeeded, StartedAt = DateTimeOffset.UtcNow,
            Desired = Scenario.Desired("services:\n  web: { image: nginx:1.27, port: 80 }\n  worker: { image: busybox:1.36 }\n"),
        });
        var typo = Assert.Throws<ServiceRefusedException>(() => logs.Open(new RuntimeLogQuery("shop", "dev", "wbe")));
        var badReplica = Assert.Throws<ServiceRefusedException>(() => logs.Open(new RuntimeLogQuery("shop", "dev", "web", Replica: 0)));
        var connectionsBeforeTarget = connections;
        var cannotRead = Assert.Throws<ServiceRefusedException>(() => logs.Open(new RuntimeLogQuery("shop", "dev", "web")));
        var cannotRun = await Assert.ThrowsAsync<ServiceRefusedException>(() => exec.StartAsync(new ExecRequest("shop", "dev", "web", null, ["sh"], Tty: false), TestContext.Current.CancellationToken));
        var noCommand = await Assert.ThrowsAsync<ServiceRefusedException>(() => exec.StartAsync(new ExecRequest("shop", "dev", "web", null, [], Tty: false), TestContext.Current.CancellationToken));

        Assert.Equal(("shop/dev has no running deployment (paas status lists what runs)", true), (nothing.Message, nothing.NotFound));
        Assert.Equal(("shop/dev runs no service 'wbe'; it runs web, worker", true), (typo.Message, typo.NotFound));
        Assert.Equal("--replica 0: replicas are numbered from 1", badReplica.Message);
        Assert.Equal(0, connectionsBeforeTarget); // nothing asked of the target for a wrong name
        Assert.Equal(("shop/dev runs on a fake target, whose application logs paas cannot read yet; read them with the target's own tool", false), (cannotRead.Message, cannotRead.NotFound));
        Assert.StartsWith("shop/dev runs on a fake target, in whose replicas paas cannot run commands yet", cannotRun.Message, StringComparison.Ordinal);
        Assert.StartsWith("say which command to run", noCommand.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
