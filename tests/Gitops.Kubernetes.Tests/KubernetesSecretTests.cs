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
        var secret = await world.Cluster.GetAsync(KubeResource.Secret, world.Namespace, "web-secrets");
        Assert.Equal(canary, Encoding.UTF8.GetString(Convert.FromBase64String((string)secret!["data"]!["API_TOKEN"]!)));
        var deployment = await world.Cluster.GetAsync(KubeResource.Deployment, world.Namespace, "web");
        var env = deployment!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Contains(env, e => (string?)e!["name"] == "API_TOKEN" && (string?)e["valueFrom"]!["secretKeyRef"]!["name"] == "web-secrets");
        foreach (var text in outputs.SelectMany(o => new[] { o.Output, o.Error }).Append(File.ReadAllText(planFile)).Append(deployment.ToJsonString()))
        {
            Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
        }

        foreach (var file in Directory.GetFiles(world.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.False(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)).Contains(canary, StringComparison.Ordinal), $"{file} holds the secret");
        }
    }
}
