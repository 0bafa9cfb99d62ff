using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas server</c> in-process against a real bare repository and a real engine: a push deploys
/// within a poll; with polling off, only a genuine webhook deploys, and forged, unsigned or
/// replayed ones enqueue nothing.
/// </summary>
public sealed class ServerLoopTests
{
    private static readonly TimeSpan Patience = InProcessServer.Patience;

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Push_to_the_branch_is_deployed_by_the_poller(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = App(world);
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        await WaitForPageAsync(world, "version one");
        git.Write("web/www/index.html", "version two\n");
        git.CommitAndPush("v2");
        await WaitForPageAsync(world, "version two");

        using var health = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var anonymous = await server.Http.GetAsync("/api/v1/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_replica_removed_behind_the_platforms_back_is_repaired_and_metrics_count_the_deploy_and_the_drift(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = App(world);
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        var mine = $"project=\"{world.Project}\"";
        // The duration is recorded just after the count, so waiting for it sees both (the page can answer before the deploy is done).
        var deployed = await MetricsWhenAsync(server, "paas_deploy_duration_seconds_count", mine, 1);

        var (removed, _) = (await world.ContainersAsync()).Single();
        await world.Client.Containers.RemoveContainerAsync(removed, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
        var repaired = await MetricsWhenAsync(server, "paas_deploy_duration_seconds_count", mine, 2); // the repair is a deploy too
        Assert.DoesNotContain(repaired.Split('\n'), l => l.StartsWith("paas_deploys_total{", StringComparison.Ordinal) && l.Contains(mine, StringComparison.Ordinal) && !l.Contains("outcome=\"succeeded\"", StringComparison.Ordinal));
        await WaitForPageAsync(world, "version one");
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        var status = world.Paas("status", "--project", world.Project, "--env", "dev");

        Assert.Matches(@"drift put back \d{4}-\d\d-\d\d [\d:]+Z: service web: ", status.Output); // what the loop found and repaired, said by status
        Assert.Equal(1, InProcessServer.Metric(deployed, "paas_deploys_total", mine));
        Assert.Contains($"outcome=\"succeeded\"", deployed.Split('\n').Single(l => l.StartsWith("paas_deploys_total{", StringComparison.Ordinal) && l.Contains(mine, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains($"target_kind=\"{engine}\"", deployed.Split('\n').Single(l => l.StartsWith("paas_deploys_total{", StringComparison.Ordinal) && l.Contains(mine, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(1, InProcessServer.Metric(deployed, "paas_deploy_duration_seconds_count", mine));
        Assert.Equal(1, InProcessServer.Metric(repaired, "paas_drift_total", mine));
        Assert.Equal(1, InProcessServer.Metric(repaired, "paas_health_degraded_total", mine));
        Assert.Equal(2, InProcessServer.Metric(repaired, "paas_deploys_total", mine));
        Assert.NotNull(InProcessServer.Metric(repaired, "paas_queue_depth"));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Only_a_genuine_new_webhook_enqueues_a_deploy(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = App(world);
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        const string Secret = "webhook-secret-0123456789";
        Assert.Equal(0, world.PaasWithInput(Secret, "repo", "webhook", world.Project).ExitCode);

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        await server.WaitForReconcilesAsync(1); // the start-up poll: nothing pushed yet
        git.CommitAndPush("v1");
        var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/dev\",\"repository\":{\"clone_url\":\"https://evil.example/x.git\"}}");

        var unsigned = await PostAsync(server, world.Project, body, null, "d1");
        var forged = await PostAsync(server, world.Project, body, Sign("wrong-secret-0123456789", body), "d2");
        var otherRepository = await PostAsync(server, "no-such-project", body, Sign(Secret, body), "d3");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(await world.ContainersAsync());
        Assert.Equal(1, await server.ReconcilesAsync());

        var genuine = await PostAsync(server, world.Project, body, Sign(Secret, body), "d4");
        await WaitForPageAsync(world, "version one");
        await server.WaitForReconcilesAsync(2);
        var replayed = await PostAsync(server, world.Project, body, Sign(Secret, body), "d4");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned);
        Assert.Equal(HttpStatusCode.Unauthorized, forged);
        Assert.Equal(HttpStatusCode.Unauthorized, otherRepository); // like a wrong signature: no oracle of which projects exist
        Assert.Equal(HttpStatusCode.Accepted, genuine);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
        Assert.Equal(2, await server.ReconcilesAsync());
    }

    /// <summary>/metrics once <paramref name="name"/> (the series with <paramref name="label"/>) reached <paramref name="value"/>.</summary>
    internal static async Task<string> MetricsWhenAsync(InProcessServer server, string name, string label, double value)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", $"Bearer {server.Token}" } } };
            using var response = await server.Http.SendAsync(request);
            var metrics = await response.Content.ReadAsStringAsync();
            if (InProcessServer.Metric(metrics, name, label) >= value)
            {
                return metrics;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{name}{{{label}}} did not reach {value} after {Patience}:\n{metrics}");
            await Task.Delay(200);
        }
    }

    internal static GitWorkTree App(EngineWorld world)
    {
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev }\n", "version one");
        return git;
    }

    private static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static async Task<HttpStatusCode> PostAsync(InProcessServer server, string project, byte[] body, string? signature, string delivery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{project}") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-GitHub-Delivery", delivery);
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }

        using var response = await server.Http.SendAsync(request);
        return response.StatusCode;
    }

    internal static async Task WaitForPageAsync(EngineWorld world, string text)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var containers = await world.ContainersAsync();
            foreach (var (name, container) in containers)
            {
                try
                {
                    if (container.Running && await world.ExecAsync(name, "grep", "-q", text, "/www/index.html") == 0)
                    {
                        return;
                    }
                }
                catch (Docker.DotNet.DockerApiException)
                {
                    // The replica was replaced between the listing and the exec: look again.
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"'{text}' was not deployed within {Patience}; the project's containers: "
                + string.Join(", ", containers.Select(c => $"{c.Key} ({(c.Value.Running ? "running" : "not running")})")));
            await Task.Delay(500);
        }
    }
}
