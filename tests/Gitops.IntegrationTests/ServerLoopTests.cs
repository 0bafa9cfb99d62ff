using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gitops.Server;
using Microsoft.AspNetCore.Builder;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas server</c> in-process against a real bare repository and a real engine: a push deploys
/// within a poll; with polling off, only a genuine webhook deploys, and forged, unsigned or
/// replayed ones enqueue nothing.
/// </summary>
public sealed class ServerLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Push_to_the_branch_is_deployed_by_the_poller(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = App(world);
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);

        await using var server = await StartAsync(world, TimeSpan.FromSeconds(1));
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
    public async Task Only_a_genuine_new_webhook_enqueues_a_deploy(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var git = App(world);
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        const string Secret = "webhook-secret-0123456789";
        Assert.Equal(0, world.PaasWithInput(Secret, "repo", "webhook", world.Project).ExitCode);

        await using var server = await StartAsync(world, TimeSpan.FromHours(1));
        await WaitForReconcilesAsync(server, 1); // the start-up poll: nothing pushed yet
        git.CommitAndPush("v1");
        var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/dev\",\"repository\":{\"clone_url\":\"https://evil.example/x.git\"}}");

        var unsigned = await PostAsync(server, world.Project, body, null, "d1");
        var forged = await PostAsync(server, world.Project, body, Sign("wrong-secret-0123456789", body), "d2");
        var otherRepository = await PostAsync(server, "no-such-project", body, Sign(Secret, body), "d3");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(await world.ContainersAsync());
        Assert.Equal(1, await ReconcilesAsync(server));

        var genuine = await PostAsync(server, world.Project, body, Sign(Secret, body), "d4");
        await WaitForPageAsync(world, "version one");
        await WaitForReconcilesAsync(server, 2);
        var replayed = await PostAsync(server, world.Project, body, Sign(Secret, body), "d4");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned);
        Assert.Equal(HttpStatusCode.Unauthorized, forged);
        Assert.Equal(HttpStatusCode.NotFound, otherRepository);
        Assert.Equal(HttpStatusCode.Accepted, genuine);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
        Assert.Equal(2, await ReconcilesAsync(server));
    }

    private static GitWorkTree App(EngineWorld world)
    {
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev }\n", "version one");
        return git;
    }

    private static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static async Task<HttpStatusCode> PostAsync(RunningServer server, string project, byte[] body, string? signature, string delivery)
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

    private static async Task<long> ReconcilesAsync(RunningServer server)
    {
        var metrics = await server.Http.GetStringAsync("/metrics");
        return long.Parse(metrics.Split('\n').Single(l => l.StartsWith("paas_reconciles_total ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForReconcilesAsync(RunningServer server, long count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await ReconcilesAsync(server) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} reconciles after {Patience}");
            await Task.Delay(200);
        }
    }

    private static async Task WaitForPageAsync(EngineWorld world, string text)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            foreach (var (name, container) in await world.ContainersAsync())
            {
                if (container.Running && await world.ExecAsync(name, "grep", "-q", text, "/www/index.html") == 0)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"'{text}' was not deployed within {Patience}");
            await Task.Delay(500);
        }
    }

    private static async Task<RunningServer> StartAsync(EngineWorld world, TimeSpan poll)
    {
        var port = FreePort.Next();
        var app = PaasServer.Build(new ServerOptions { DataDirectory = world.DataDirectory, Listen = $"http://127.0.0.1:{port}", PollInterval = poll }, TextWriter.Null);
        await app.StartAsync();
        return new RunningServer(app, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
    }

    private sealed record RunningServer(WebApplication App, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
