using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Engine.Planning;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>
/// The executor's walk over the plan's DAG, against an in-memory driver: every node is applied
/// exactly once, each after everything it depends on, and a node left over fails the deployment.
/// </summary>
public sealed class ExecutorWalkTests : IDisposable
{
    private const string Project = "shop";

    private readonly string _directory = Directory.CreateTempSubdirectory("paas-walk-").FullName;

    [Fact]
    public async Task Every_node_of_a_random_dag_runs_exactly_once_and_after_its_dependencies()
    {
        using var state = StateStore.Open(_directory);
        var secrets = new SecretStore(state);
        for (var seed = 0; seed < 300; seed++)
        {
            var environment = $"e{seed}";
            var plan = RandomPlan(new Random(seed), environment);
            var driver = new RecordingFakeDriver();

            var deployment = await new Executor(driver, state, secrets, new Progress<ExecutorEvent>())
                .ApplyAsync(plan, NewDeployment(plan), TestContext.Current.CancellationToken);

            var context = $"seed {seed}: {string.Join("; ", plan.Nodes.Select(n => $"{n.Id} {n.Action} after [{string.Join(", ", n.DependsOn)}]"))}";
            Assert.True(deployment.Status == DeploymentStatus.Succeeded, $"{context}\n{deployment.Status}: {deployment.Error}");
            foreach (var node in plan.Nodes)
            {
                Assert.True(Expected(node).SequenceEqual(driver.CallsFor(node.Name)), $"{context}\n{node.Id} made calls [{string.Join(", ", driver.CallsFor(node.Name))}]");
                foreach (var dependency in Closure(plan, node).Where(d => d.Action != PlanAction.NoOp))
                {
                    Assert.True(
                        node.Action == PlanAction.NoOp || driver.LastEnd(dependency.Name) < driver.FirstBegin(node.Name),
                        $"{context}\n{node.Id} began before its dependency {dependency.Id} ended");
                }
            }

            // A no-op service touches no engine; that it was applied shows in what the deployment recorded.
            var recorded = state.Recorded(Project, environment).Services;
            Assert.All(plan.Nodes.Where(n => n.Kind == ResourceKind.Service), n => Assert.True(recorded.ContainsKey(n.Name), $"{context}\n{n.Id} was never applied"));
            Assert.Equal(plan.Revision, state.Recorded(Project, environment).Revision);
        }
    }

    [Fact]
    public async Task A_node_that_can_never_become_ready_fails_the_deployment_naming_it()
    {
        using var state = StateStore.Open(_directory);
        var plan = new Plan(Project, "dev", "rev-1", 0, new ValueList<PlanNode>(
        [
            Node(ResourceKind.Volume, "data", PlanAction.Create, []),
            Node(ResourceKind.Network, "net", PlanAction.Create, ["volume/no-such-node"]),
        ]));
        var driver = new RecordingFakeDriver();

        var deployment = await new Executor(driver, state, new SecretStore(state), new Progress<ExecutorEvent>())
            .ApplyAsync(plan, NewDeployment(plan), TestContext.Current.CancellationToken);

        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.Contains("network/net", deployment.Error, StringComparison.Ordinal);
        Assert.Empty(driver.CallsFor("net"));
        Assert.NotEqual("rev-1", state.Recorded(Project, "dev").Revision);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// A DAG of up to 24 nodes: networks, volumes and services, about half of them no-ops (the
    /// case that once lost nodes), each depending on a random few of the earlier ones, so
    /// dependencies are shared and many nodes are ready at once.
    /// </summary>
    private static Plan RandomPlan(Random random, string environment)
    {
        var nodes = new List<PlanNode>();
        var count = random.Next(1, 25);
        for (var i = 0; i < count; i++)
        {
            var kind = (ResourceKind)random.Next(3);
            var action = random.Next(2) == 0 ? PlanAction.NoOp : kind == ResourceKind.Service ? PlanAction.Replace : random.Next(4) == 0 ? PlanAction.Delete : PlanAction.Create;
            var dependsOn = nodes.Where(_ => random.Next(4) == 0).Select(n => n.Id).ToList();
            nodes.Add(Node(kind, $"n{i}", action, dependsOn));
        }

        return new Plan(Project, environment, $"rev-{environment}", 0, new ValueList<PlanNode>(nodes));
    }

    private static PlanNode Node(ResourceKind kind, string name, PlanAction action, IEnumerable<string> dependsOn)
    {
        var node = new PlanNode
        {
            Id = $"{kind.ToString().ToLowerInvariant()}/{name}",
            Kind = kind,
            Name = name,
            Action = action,
            Cause = "test",
            DependsOn = new ValueList<string>(dependsOn),
        };
        if (kind != ResourceKind.Service)
        {
            return node;
        }

        var desired = new DesiredService(name, new ServiceSpec { Image = "busybox:1.36" }, Fingerprint.Hash(name), 1, DeployStrategy.Rolling, Duration.FromSeconds(1), ValueList<string>.Empty);
        return action == PlanAction.NoOp
            ? node with { Desired = desired }
            : node with { Desired = desired, Start = new ValueList<int>([1]), Remove = new ValueList<string>([$"{name}-old"]) };
    }

    /// <summary>The driver calls a node makes, in order.</summary>
    private static string[] Expected(PlanNode node) => (node.Kind, node.Action) switch
    {
        (_, PlanAction.NoOp) => [],
        (ResourceKind.Network, PlanAction.Create) => ["ensure-network"],
        (ResourceKind.Volume, PlanAction.Create) => ["ensure-volume"],
        (ResourceKind.Volume, PlanAction.Delete) => ["remove-volume"],
        (ResourceKind.Network, PlanAction.Delete) => ["remove-network"],
        (ResourceKind.Service, _) => ["start-replica", "wait-healthy", "remove-container"],
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.Id, "no expected calls"),
    };

    /// <summary>Every node <paramref name="node"/> depends on, directly or through others.</summary>
    private static HashSet<PlanNode> Closure(Plan plan, PlanNode node)
    {
        var byId = plan.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var found = new HashSet<PlanNode>();
        var queue = new Queue<string>(node.DependsOn);
        while (queue.TryDequeue(out var id))
        {
            if (found.Add(byId[id]))
            {
                foreach (var next in byId[id].DependsOn)
                {
                    queue.Enqueue(next);
                }
            }
        }

        return found;
    }

    private static Deployment NewDeployment(Plan plan) => new()
    {
        Id = DeploymentIds.New(),
        Project = plan.Project,
        Environment = plan.Environment,
        Revision = plan.Revision,
        Trigger = "test",
        PlanText = PlanText.Render(plan),
        StartedAt = DateTimeOffset.UtcNow,
    };
}
