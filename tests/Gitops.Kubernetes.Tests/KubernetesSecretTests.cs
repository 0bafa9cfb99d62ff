using System.Text;
using Gitops.Providers.Kubernetes;

namespace Gitops.Kubernetes.Tests;

/// <summary>
/// A secret's value reaches the cluster only as the data of the service's Secret, which the pod
/// reads by reference: it is in no plan, output, history, state file, nor in the Deployment or its record.
/// </summary>
public sealed class KubernetesSecretTests
{
    [Fact]
    public async Task A_secret_canary_reaches_the_clusters_secret_and_nothing_else()
    {
        await using var world = await ClusterWorld.StartAsync();
        var canary = $"canary-{Guid.NewGuid():N}";
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    secrets: [API_TOKEN]\n"));
        var set = world.PaasWithInput(canary + "\n", "secrets", "set", world.Project, "API_TOKEN");
        var planFile = Path.Combine(world.Cluster.Directory, "plan.json");

        var outputs = new List<CliRun>
        {
            set,
            world.Paas("plan", world.AppDirectory, "--env", ClusterWorld.Environment, "--out", planFile),
            world.Apply(),
            world.Paas("history", world.AppDirectory, "--env", ClusterWorld.Environment, "--output", "json"),
            world.Paas("status", world.AppDirectory, "--env", ClusterWorld.Environment, "--output", "json"),
        };

        Assert.All(outputs, o => Assert.True(o.ExitCode == 0, o.ToString()));
        var deployment = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        Assert.Equal(canary, await ValueReadByWebAsync(world));
        foreach (var text in outputs.SelectMany(o => new[] { o.Output, o.Error }).Append(File.ReadAllText(planFile)).Append(deployment!.ToJsonString()))
        {
            Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
        }

        foreach (var file in Directory.GetFiles(world.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.False(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)).Contains(canary, StringComparison.Ordinal), $"{file} holds the secret");
        }
    }

    [Fact]
    public async Task A_new_value_whose_rollout_fails_leaves_the_old_pods_reading_the_old_value_and_a_good_one_removes_it()
    {
        await using var world = await ClusterWorld.StartAsync();
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    secrets: [API_TOKEN]\n"));
        Assert.Equal(0, world.PaasWithInput("first\n", "secrets", "set", world.Project, "API_TOKEN").ExitCode);
        world.Apply().Succeeded();

        Assert.Equal(0, world.PaasWithInput("second\n", "secrets", "set", world.Project, "API_TOKEN").ExitCode);
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    secrets: [API_TOKEN]\n", health: "/missing"));
        var failed = world.Apply();
        var afterFailure = await ValueReadByWebAsync(world);
        world.WriteManifest(KubernetesCliTests.Web("web", "1", "    secrets: [API_TOKEN]\n"));
        var fixedUp = world.Apply();

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Equal("first", afterFailure);
        Assert.True(fixedUp.ExitCode == 0, fixedUp.ToString());
        Assert.Equal("second", await ValueReadByWebAsync(world));
        Assert.Single(world.Cluster.Server.List("Secret", world.Namespace));
    }

    /// <summary>The value of API_TOKEN in the Secret the web Deployment's pods read it from.</summary>
    private static async Task<string> ValueReadByWebAsync(ClusterWorld world)
    {
        var deployment = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        var reference = deployment!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .Single(e => (string?)e!["name"] == "API_TOKEN")!["valueFrom"]!["secretKeyRef"]!;
        var secret = await world.Cluster.GetAsync(KubeResource.Secret, world.Namespace, (string)reference["name"]!);
        return Encoding.UTF8.GetString(Convert.FromBase64String((string)secret!["data"]![(string)reference["key"]!]!));
    }
}
