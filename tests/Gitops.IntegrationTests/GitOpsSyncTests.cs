namespace Gitops.IntegrationTests;

/// <summary>
/// The GitOps loop against a real bare repository: a push to the environment's branch deploys
/// the commit's tree; a bad commit fails without touching what runs and is not retried; an
/// unreachable remote leaves everything running and says so.
/// </summary>
public sealed class GitOpsSyncTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Push_to_the_dev_branch_deploys_the_commit_and_bad_commits_change_nothing(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev }\n", "version one");
        var first = git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);

        var deployFirst = world.Paas("sync");
        git.Write("web/www/index.html", "version two\n");
        var second = git.CommitAndPush("v2");
        var deploySecond = world.Paas("sync");
        var quiet = world.Paas("sync");
        var history = world.Paas("history", git.Work, "--env", "dev", "--output", "json");

        Assert.True(deployFirst.ExitCode == 0, deployFirst.ToString());
        Assert.Contains("Applied", deployFirst.Output, StringComparison.Ordinal);
        Assert.True(deploySecond.ExitCode == 0, deploySecond.ToString());
        Assert.Contains("InSync", quiet.Output, StringComparison.Ordinal);
        Assert.Contains($"\"revision\": \"{second}\"", history.Output, StringComparison.Ordinal);
        Assert.Contains($"\"revision\": \"{first}\"", history.Output, StringComparison.Ordinal);
        var web = (await world.ContainersAsync()).Single().Key;
        Assert.Equal(0, await world.ExecAsync(web, "grep", "-q", "version two", "/www/index.html"));

        // A commit whose build context links to the host's /etc/passwd fails; v2 keeps running.
        File.CreateSymbolicLink(Path.Combine(git.Work, "web", "www", "leak"), "/etc/passwd");
        var evil = git.CommitAndPush("leak");
        var refused = world.Paas("sync");
        var notRetried = world.Paas("sync");

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("points outside the context", refused.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("root:x:0:0", refused.Output + refused.Error, StringComparison.Ordinal);
        Assert.Contains("SkippedFailedRevision", notRetried.Output, StringComparison.Ordinal);
        Assert.Equal(web, (await world.ContainersAsync()).Single(c => c.Value.Running).Key);
        Assert.NotEqual(second, evil);

        // A broken paas.yaml on the only branch is reported, never skipped as if nothing was pushed.
        var manifest = File.ReadAllText(Path.Combine(git.Work, "paas.yaml"));
        git.Write("paas.yaml", manifest.Replace("port: 8080", "port: eighty", StringComparison.Ordinal));
        var broken = git.CommitAndPush("broken manifest");
        var reported = world.Paas("sync");
        git.Write("paas.yaml", manifest);
        Gitops.Engine.Reconcile.SyncRecord? sync;
        using (var state = Gitops.Engine.State.StateStore.Open(world.DataDirectory))
        {
            sync = new Gitops.Engine.Reconcile.EnvironmentRecords(state).LastSync(world.Project, "dev"); // the sync state status and the dashboard show
        }

        Assert.Equal(3, reported.ExitCode);
        Assert.Contains("InvalidManifest", reported.Output, StringComparison.Ordinal);
        Assert.Contains("paas.yaml:", reported.Output, StringComparison.Ordinal);
        Assert.Equal((Gitops.Engine.Reconcile.ReconcileOutcome.InvalidManifest, broken), (sync?.Outcome, sync?.Commit)); // not "in sync" at the old commit
        Assert.Equal(web, (await world.ContainersAsync()).Single(c => c.Value.Running).Key);

        // The remote goes away: nothing stops, the source shows the error, and it recovers on return.
        Directory.Move(git.Remote, git.Remote + ".gone");
        var unreachable = world.Paas("sync");
        var listed = world.Paas("repo", "list", "--output", "json");
        Directory.Move(git.Remote + ".gone", git.Remote);
        File.Delete(Path.Combine(git.Work, "web", "www", "leak")); // the link first: writing to it would write the host's /etc/passwd
        git.Write("web/www/leak", "no longer a link\n");
        git.CommitAndPush("remove the link");
        var back = world.Paas("sync");

        Assert.Equal(3, unreachable.ExitCode);
        Assert.Contains("SourceUnavailable", unreachable.Output, StringComparison.Ordinal);
        Assert.Contains("\"error\": \"", listed.Output, StringComparison.Ordinal);
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Contains("\"error\": null", world.Paas("repo", "list", "--output", "json").Output, StringComparison.Ordinal);
    }
}

public sealed class ApprovalTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Environment_requiring_approval_waits_for_paas_approve_of_that_commit(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev, approval: required }\n", "needs a person");
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);

        var sync = world.Paas("sync");

        Assert.Equal(0, sync.ExitCode);
        Assert.Contains("AwaitingApproval", sync.Output, StringComparison.Ordinal);
        Assert.Contains("nothing applied", sync.Output, StringComparison.Ordinal);
        Assert.Empty(await world.ContainersAsync());

        var approve = world.Paas("approve", world.Project, "--env", "dev");
        git.Write("web/www/index.html", "newer, not approved\n");
        git.CommitAndPush("v2");
        var afterPush = world.Paas("sync");

        Assert.True(approve.ExitCode == 0, approve.ToString());
        Assert.Contains("+ service web", approve.Output, StringComparison.Ordinal);
        Assert.Contains("Applied", approve.Output, StringComparison.Ordinal);
        Assert.Contains("AwaitingApproval", afterPush.Output, StringComparison.Ordinal);
        var web = (await world.ContainersAsync()).Single().Key;
        Assert.Equal(0, await world.ExecAsync(web, "grep", "-q", "needs a person", "/www/index.html"));
    }
}
