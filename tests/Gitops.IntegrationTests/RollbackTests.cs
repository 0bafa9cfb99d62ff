namespace Gitops.IntegrationTests;

/// <summary>
/// paas rollback: the previous deployment's exact image and configuration come back, the
/// environment stays pinned while its branch does not move, and the next commit un-pins it.
/// </summary>
public sealed class RollbackTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Rollback_restores_the_previous_version_until_the_next_commit(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = ServerLoopTests.App(world);
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        Assert.Equal(0, world.Paas("sync").ExitCode);
        git.Write("web/www/index.html", "version two\n");
        git.CommitAndPush("v2");
        Assert.Equal(0, world.Paas("sync").ExitCode);
        await ServerLoopTests.WaitForPageAsync(world, "version two");

        var rollback = world.Paas("rollback", world.Project, "--env", "dev");
        await ServerLoopTests.WaitForPageAsync(world, "version one");
        var status = world.Paas("status", git.Work, "--env", "dev");
        var stillPinned = world.Paas("sync");
        var afterSync = await PageAsync(world);
        git.Write("web/www/index.html", "version three\n");
        git.CommitAndPush("v3");
        var moved = world.Paas("sync");
        await ServerLoopTests.WaitForPageAsync(world, "version three");
        var unpinned = world.Paas("status", git.Work, "--env", "dev");
        var noEarlier = world.Paas("rollback", world.Project, "--env", "dev", "--to", "d-20990101-000000-000000");

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Contains("rollback to d-", rollback.Output + world.Paas("history", git.Work, "--env", "dev").Output, StringComparison.Ordinal);
        Assert.Contains("pinned", status.Output, StringComparison.Ordinal);
        Assert.Contains("pinned to d-", stillPinned.Output, StringComparison.Ordinal); // the loop leaves it alone
        Assert.Equal("version one", afterSync);
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.DoesNotContain("pinned", unpinned.Output, StringComparison.Ordinal);
        Assert.Equal(1, noEarlier.ExitCode);
    }

    private static async Task<string> PageAsync(EngineWorld world)
    {
        foreach (var (name, container) in await world.ContainersAsync())
        {
            foreach (var page in new[] { "version one", "version two", "version three" })
            {
                if (container.Running && await world.ExecAsync(name, "grep", "-q", page, "/www/index.html") == 0)
                {
                    return page;
                }
            }
        }

        return "(none)";
    }
}
