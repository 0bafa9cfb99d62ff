using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.State;

namespace Gitops.Tests.Conformance;

/// <summary>
/// What every target driver must do, the same tests for each: the in-memory fake, Docker, Podman,
/// and each kind added later. A driver's test class derives from this and says how to open its
/// target. Outcomes are checked through the driver (what it observes) and the state, never
/// through the target's own client.
/// </summary>
public abstract class TargetConformance
{
    /// <summary>A target to run one test against; disposed after it.</summary>
    protected abstract Task<ITargetUnderTest> OpenAsync();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task From_nothing_every_service_runs_its_replicas_on_the_desired_version()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var services = world.Web("web", "1", replicas: 2) + world.Web("api", "1");

        var deployment = await world.ApplyAsync(project, services, Token);

        AssertSucceeded(deployment);
        var desired = ConformanceHarness.Desired(project, services);
        var observed = await world.ObserveAsync(project, Token);
        Assert.True(observed.NetworkExists);
        AssertRuns(observed, "web", desired.Service("web")!.Fingerprint, 2);
        AssertRuns(observed, "api", desired.Service("api")!.Fingerprint, 1);
    }

    [Fact]
    public async Task Applying_the_same_manifest_again_changes_and_restarts_nothing()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var services = world.Web("web", "1", replicas: 2);
        AssertSucceeded(await world.ApplyAsync(project, services, Token));
        var before = await world.ObserveAsync(project, Token);

        var plan = await world.PlanAsync(project, services, Token);
        var again = await world.ApplyAsync(project, services, Token);

        Assert.False(plan.HasChanges, PlanText.Render(plan));
        AssertSucceeded(again);
        Assert.Equal(Ids(before), Ids(await world.ObserveAsync(project, Token)));
    }

    [Fact]
    public async Task A_changed_service_is_replaced_and_an_unchanged_one_keeps_its_instances()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        AssertSucceeded(await world.ApplyAsync(project, world.Web("web", "1") + world.Web("api", "1"), Token));
        var before = await world.ObserveAsync(project, Token);

        var changed = world.Web("web", "2") + world.Web("api", "1");
        AssertSucceeded(await world.ApplyAsync(project, changed, Token));

        var after = await world.ObserveAsync(project, Token);
        AssertRuns(after, "web", ConformanceHarness.Desired(project, changed).Service("web")!.Fingerprint, 1);
        Assert.Equal(Ids(before, "api"), Ids(after, "api"));
        Assert.Empty(Ids(before, "web").Intersect(Ids(after, "web")));
    }

    [Fact]
    public async Task A_restart_replaces_every_instance_of_the_service_alone_with_the_same_version()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var services = world.Web("web", "1", replicas: 2) + world.Web("api", "1");
        AssertSucceeded(await world.ApplyAsync(project, services, Token));
        var before = await world.ObserveAsync(project, Token);

        var restarts = new Dictionary<string, string> { ["web"] = "2026-12-02T07:30:00.000Z" }; // what paas restart web stamps
        AssertSucceeded(await world.ApplyAsync(project, services, Token, restarts: restarts));
        var after = await world.ObserveAsync(project, Token);
        var again = await world.PlanAsync(project, services, Token, restarts);

        AssertRuns(after, "web", ConformanceHarness.Desired(project, services, restarts).Service("web")!.Fingerprint, 2);
        Assert.Empty(Ids(before, "web").Intersect(Ids(after, "web")));
        Assert.Equal(Ids(before, "api"), Ids(after, "api"));
        Assert.False(again.HasChanges, PlanText.Render(again)); // the next compile keeps the restart's instances
    }

    [Fact]
    public async Task Scaling_up_then_down_keeps_the_replicas_that_stay()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        AssertSucceeded(await world.ApplyAsync(project, world.Web("web", "1", replicas: 1), Token));
        var one = await world.ObserveAsync(project, Token);

        AssertSucceeded(await world.ApplyAsync(project, world.Web("web", "1", replicas: 3), Token));
        var three = await world.ObserveAsync(project, Token);
        AssertSucceeded(await world.ApplyAsync(project, world.Web("web", "1", replicas: 2), Token));
        var two = await world.ObserveAsync(project, Token);

        var fingerprint = ConformanceHarness.Desired(project, world.Web("web", "1")).Service("web")!.Fingerprint;
        AssertRuns(three, "web", fingerprint, 3);
        AssertRuns(two, "web", fingerprint, 2);
        Assert.Subset(Ids(three).ToHashSet(), Ids(one).ToHashSet());
        Assert.Subset(Ids(three).ToHashSet(), Ids(two).ToHashSet());
    }

    [Fact]
    public async Task A_service_removed_from_the_manifest_is_pruned()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        AssertSucceeded(await world.ApplyAsync(project, world.Web("web", "1") + world.Web("api", "1"), Token));

        AssertSucceeded(await world.ApplyAsync(project, world.Web("web", "1"), Token));

        var observed = await world.ObserveAsync(project, Token);
        Assert.DoesNotContain(observed.Containers, c => c.Service == "api");
        Assert.Single(observed.Containers, c => c.Service == "web");
    }

    [Fact]
    public async Task An_instance_removed_behind_the_platforms_back_is_planned_as_drift_and_restarted()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var services = world.Web("web", "1", replicas: 2);
        AssertSucceeded(await world.ApplyAsync(project, services, Token));
        var gone = (await world.ObserveAsync(project, Token)).Containers.OrderBy(c => c.Replica).Last();

        await target.RemoveBehindThePlatformsBackAsync(gone.Name, Token);
        var plan = await world.PlanAsync(project, services, Token);
        AssertSucceeded(await world.ApplyAsync(project, services, Token));

        Assert.Contains(plan.Nodes, n => n.Id == "service/web" && n.Action == PlanAction.Update && n.Cause.Contains("drift", StringComparison.Ordinal));
        AssertRuns(await world.ObserveAsync(project, Token), "web", ConformanceHarness.Desired(project, services).Service("web")!.Fingerprint, 2);
    }

    [Fact]
    public async Task A_version_failing_its_health_check_is_rolled_back_and_the_old_version_keeps_running()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        AssertSucceeded(await world.ApplyAsync(project, world.Web("web", "1", replicas: 2), Token));
        var before = await world.ObserveAsync(project, Token);

        var broken = await world.ApplyAsync(project, world.Web("web", "2", replicas: 2, health: "/missing"), Token);

        Assert.Equal(DeploymentStatus.RolledBack, broken.Status);
        Assert.Contains("unhealthy", broken.Error, StringComparison.Ordinal);
        var after = await world.ObserveAsync(project, Token);
        Assert.Equal(Ids(before), Ids(after));
        Assert.All(after.Containers, c => Assert.True(c.Running, $"{c.Name} stopped"));
        Assert.Equal("rev-" + Gitops.Engine.Desired.Fingerprint.Hash(world.Web("web", "1", replicas: 2))[..8], world.State.Recorded(project, ConformanceHarness.Environment).Revision);
    }

    /// <summary>Most steps a target journals for one change of the crash test (<see cref="ITargetUnderTest.StepsOf"/>).</summary>
    private const int MostSteps = 4;

    /// <summary>
    /// Every journaled step of two changes, before and after its side effect: from nothing (on the
    /// container family: 1 create the environment, 2-3 start a replica) and a replacement of two
    /// replicas (1-2 start the new ones, 3-4 remove the old ones). A target journals as many as it
    /// says (<see cref="ITargetUnderTest.StepsOf"/>); the points beyond check that it takes no more.
    /// </summary>
    public static TheoryData<string, int, bool> CrashPoints()
    {
        var points = new TheoryData<string, int, bool>();
        foreach (var change in new[] { "create", "replace" })
        {
            for (var step = 1; step <= MostSteps; step++)
            {
                points.Add(change, step, false);
                points.Add(change, step, true);
            }
        }

        return points;
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task An_apply_stopped_at_a_journaled_step_converges_on_the_next_apply(string change, int step, bool afterEffect)
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var first = world.Web("web", "1", replicas: 2);
        var wanted = change == "create" ? first : world.Web("web", "2", replicas: 2);
        var project = world.NewProject();
        if (change == "replace")
        {
            AssertSucceeded(await world.ApplyAsync(project, first, Token));
        }

        var crash = new CrashAt(step, afterEffect);
        using var dying = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var apply = world.ApplyAsync(project, wanted, dying.Token, crash);
        if (step > target.StepsOf(change))
        {
            // No such step on this target: the apply finishes without reaching it, in exactly the steps it says.
            var whole = await apply;
            AssertSucceeded(whole);
            Assert.False(crash.Crashed.IsCompleted, $"the apply reached step {crash}, more than the {target.StepsOf(change)} it takes");
            Assert.Equal(target.StepsOf(change), world.State.JournalOf(whole.Id).Select(e => e.Sequence).Distinct().Count());
            return;
        }

        Assert.True(await Task.WhenAny(crash.Crashed, apply) == crash.Crashed, $"the apply never reached step {crash}");
        await dying.CancelAsync(); // the process is gone: nothing of that apply runs any more
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => apply);

        var recovered = await world.ApplyAsync(project, wanted, Token);

        AssertSucceeded(recovered);
        AssertRuns(await world.ObserveAsync(project, Token), "web", ConformanceHarness.Desired(project, wanted).Service("web")!.Fingerprint, 2);
        var history = world.State.History(project, ConformanceHarness.Environment);
        Assert.Equal(DeploymentStatus.Interrupted, history.Single(d => d.Id != recovered.Id && d.Status != DeploymentStatus.Succeeded).Status);
        Assert.All(history, d => Assert.DoesNotContain(
            world.State.JournalOf(d.Id),
            e => e.Phase == JournalPhase.Started && !world.State.JournalOf(d.Id).Any(f => f.Sequence == e.Sequence && f.Phase != JournalPhase.Started)));
        // The inventory names exactly what runs of the service: its replicas (or the one service a target that rolls out itself runs).
        var inventory = world.State.Recorded(project, ConformanceHarness.Environment).Inventory;
        var observed = await world.ObserveAsync(project, Token);
        var ofWeb = Gitops.Engine.Desired.Names.Network(project, ConformanceHarness.Environment) + "_web";
        Assert.Equal(observed.Containers.Select(c => c.Name).Distinct().Order(StringComparer.Ordinal), inventory.Where(n => n.StartsWith(ofWeb, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Projects_with_the_same_service_names_never_see_or_touch_each_other()
    {
        await using var target = await OpenAsync();
        await using var world = new ConformanceHarness(target);
        var (mine, theirs) = (world.NewProject(), world.NewProject());
        AssertSucceeded(await world.ApplyAsync(theirs, world.Web("web", "1") + world.Web("api", "1"), Token));
        var theirsBefore = await world.ObserveAsync(theirs, Token);

        AssertSucceeded(await world.ApplyAsync(mine, world.Web("web", "2", replicas: 2), Token));
        var mineObserved = await world.ObserveAsync(mine, Token);
        AssertSucceeded(await world.ApplyAsync(mine, world.Web("web", "3"), Token)); // replaces and scales down: removes only its own

        Assert.Empty(Ids(mineObserved).Intersect(Ids(theirsBefore)));
        Assert.DoesNotContain(mineObserved.Containers, c => c.Service == "api");
        Assert.Equal(Ids(theirsBefore), Ids(await world.ObserveAsync(theirs, Token)));
    }

    private static void AssertSucceeded(Deployment deployment) =>
        Assert.True(deployment.Status == DeploymentStatus.Succeeded, $"{deployment.Status}: {deployment.Error}");

    private static void AssertRuns(ObservedState observed, string service, string fingerprint, int replicas)
    {
        var instances = observed.Containers.Where(c => c.Service == service).ToList();
        Assert.True(
            instances.Count == replicas && instances.All(c => c.Running && c.Fingerprint == fingerprint),
            $"{service} should run {replicas} replica(s) of {fingerprint}; runs: {string.Join(", ", instances.Select(c => $"{c.Name} running={c.Running}"))}");
        Assert.Equal(Enumerable.Range(1, replicas), instances.Select(c => c.Replica).Order());
    }

    private static List<string> Ids(ObservedState observed, string? service = null) =>
        observed.Containers.Where(c => service is null || c.Service == service).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
}
