using System.Diagnostics;
using Gitops.Engine.State;

namespace Gitops.IntegrationTests;

/// <summary>
/// The platform's autoscaler on real engines, behind the real server and a real Caddy: load sent
/// through the ingress scales a service up, the load stopping brings it back to <c>min</c> after
/// the window, no request fails while replicas come and go (started first, drained before they stop), and every change is a deployment in the
/// history, an event and a line of <c>paas status</c>. CPU is read from the engine's stats.
/// </summary>
public sealed class AutoscaleTests(ITestOutputHelper output)
{
    /// <summary>Short enough for a test, the same logic as the defaults (15s, 5m, 30s).</summary>
    private const string Autoscaler = "autoscaler: { interval: 1s, scaleDownWindow: 10s, cooldown: 2s }\n";

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")] // the autoscaler sets the Swarm service's count; the route follows its tasks
    public async Task Requests_through_the_ingress_scale_a_service_up_and_back_to_min_after_the_window_with_no_failed_request(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        await using var ingress = new IngressWorld(world);
        await using var server = await ServeAsync(world, $"  web:\n    image: {world.Busybox}\n"
            + "    command: [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/etc\"]\n    port: 8080\n    public: true\n"
            + "    health: { path: /hostname, interval: 1s, timeout: 1s, retries: 3 }\n    deploy: { drain: 1s }\n"
            + "    autoscale: { min: 1, max: 3, rps: 20 }\n");
        var host = $"web-dev-{world.Project}.localhost";
        await ingress.WaitForAsync(ingress.Https(host, "/hostname"));
        Assert.Equal(1, await RunningAsync(world));
        using (var client = ingress.Client())
        {
            // What a request carries that is nobody else's business: it must not reach the access log the autoscaler reads.
            using var request = new HttpRequestMessage(HttpMethod.Get, ingress.Https(host, "/hostname?token=query-secret-1"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "header-secret-2");
            request.Headers.Add("Cookie", "session=cookie-secret-3");
            using var answer = await client.SendAsync(request);
        }

        // 100 requests a second over keep-alive connections, no retries (5 replicas' worth at 20 each,
        // capped at 3), then only a light 8 a second (1 replica's worth) while it scales back down.
        var trust = Gitops.Engine.Ingress.LocalHttps.TrustOnly(ingress.Caddy.RootCertificatePath);
        using var stopHeavy = new CancellationTokenSource();
        using var stopLight = new CancellationTokenSource();
        var light = KeepAliveLoad.RunAsync(host, ingress.Spec.HttpsPort, "/hostname", TimeSpan.FromMinutes(4), trust, connections: 2, rate: 8, stop: stopLight.Token);
        var heavy = KeepAliveLoad.RunAsync(host, ingress.Spec.HttpsPort, "/hostname", TimeSpan.FromMinutes(3), trust, connections: 8, rate: 92, stop: stopHeavy.Token);
        var up = await WaitForAsync(world, 3, TimeSpan.FromSeconds(90));
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few seconds at the new count, still under load
        await stopHeavy.CancelAsync();
        var underLoad = await heavy;
        var down = await WaitForAsync(world, 1, TimeSpan.FromSeconds(90));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the drained replicas are gone; the light load goes on a moment
        await stopLight.CancelAsync();
        var throughout = await light;
        output.WriteLine($"{engine}: up to 3 in {up.TotalSeconds:0.0} s; back to 1 {down.TotalSeconds:0.0} s after the heavy load stopped (window 10 s); heavy: {underLoad}; light, throughout: {throughout}");

        Assert.True(throughout.Errors == 0, throughout.ToString());
        var accessLog = await File.ReadAllTextAsync(ingress.Caddy.AccessLogPath);
        Assert.Contains($"\"host\":\"{host}:{ingress.Spec.HttpsPort}\"", accessLog, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", accessLog, StringComparison.Ordinal);
        Assert.DoesNotContain("remote_", accessLog, StringComparison.Ordinal); // nor the client's address and port
        Assert.True(underLoad.Errors == 0, underLoad.ToString());
        Assert.True(underLoad.Requests > 500, underLoad.ToString());
        var scales = server.State.History(world.Project, "dev", 50).Where(d => d.Autoscaled).OrderBy(d => d.StartedAt).ToList();
        Assert.All(scales, d => Assert.Equal(DeploymentStatus.Succeeded, d.Status));
        Assert.StartsWith("autoscale: web 1 → 2 (", scales[0].Trigger, StringComparison.Ordinal);
        // Down in one step, or two when the first reading after the heavy load still held part of it.
        Assert.Matches(@"^autoscale: web [23] → 1 \(.*per replica, target 20 for 10 s\)$", scales[^1].Trigger);
        Assert.Contains("req/s", scales[0].Trigger, StringComparison.Ordinal);
        await ServerLoopTests.MetricsWhenAsync(server, "paas_autoscale_changes_total", $"project=\"{world.Project}\"", scales.Count);

        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        var status = world.Paas("status", "--project", world.Project, "--env", "dev");
        Assert.Contains("web: autoscale 1..3 on 20 req/s per replica; 1 since", status.Output, StringComparison.Ordinal);
        Assert.Matches(@"\(down from [23]: ", status.Output);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")] // a task's container on this node, read like any other
    public async Task A_service_busy_on_its_cpu_is_scaled_up_from_the_engines_readings(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        // httpd answers the health check; the loop keeps a quarter of a CPU, its whole limit, busy.
        await using var server = await ServeAsync(world, $"  worker:\n    image: {world.Busybox}\n"
            + "    command: [\"sh\", \"-c\", \"httpd -p 8080 -h /etc; while :; do :; done\"]\n    port: 8080\n"
            + "    health: { path: /hostname, interval: 1s, timeout: 1s, retries: 3 }\n    resources: { cpu: 250m }\n"
            + "    autoscale: { min: 1, max: 2, cpu: 50 }\n");

        await WaitForAsync(world, 2, TimeSpan.FromSeconds(90), "worker");

        var scale = Assert.Single(server.State.History(world.Project, "dev", 50), d => d.Autoscaled);
        Assert.Matches(@"^autoscale: worker 1 → 2 \(cpu \d+% of the limit per replica, target 50%\)$", scale.Trigger);
        var percent = int.Parse(System.Text.RegularExpressions.Regex.Match(scale.Trigger, @"cpu (\d+)%").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(percent, 70, 130); // a busy loop under a quarter-CPU quota reads as about its whole limit
    }

    [Fact]
    public async Task A_restarted_server_keeps_the_count_its_autoscaler_chose_and_a_new_commit_rolls_out_at_that_count()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var git = new GitWorkTree(world.Root);
        var busy = $"  worker:\n    image: {world.Busybox}\n    command: [\"sh\", \"-c\", \"httpd -p 8080 -h /etc; while :; do :; done\"]\n    port: 8080\n"
            + "    health: { path: /hostname, interval: 1s, timeout: 1s, retries: 3 }\n    resources: { cpu: 250m }\n    autoscale: { min: 1, max: 2, cpu: 50 }\n";
        await using (var first = await ServeAsync(world, busy, git))
        {
            await WaitForAsync(world, 2, TimeSpan.FromSeconds(90), "worker");
        }

        // A commit lands while no server runs; the next server deploys it.
        git.Write("paas.yaml", Manifest(world, busy + "    env: { VERSION: two }\n"));
        var two = git.CommitAndPush("version two");
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow + InProcessServer.Patience;
        while (server.State.History(world.Project, "dev", 50).FirstOrDefault(d => d.Revision == two && d.Status == DeploymentStatus.Succeeded && !d.Autoscaled) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{two[..12]} was not deployed within {InProcessServer.Patience}");
            await Task.Delay(250);
        }

        var deployed = server.State.History(world.Project, "dev", 50).First(d => d.Revision == two && !d.Autoscaled);
        Assert.Equal(2, deployed.Desired!.Service("worker")!.Replicas); // the commit rolled out at the autoscaler's count, not min
        Assert.Single(server.State.History(world.Project, "dev", 50), d => d.Autoscaled); // and no second scale-up was needed
        Assert.Equal(2, await RunningAsync(world, "worker"));
    }

    /// <summary>The world's project from a Git repository whose dev branch holds <paramref name="services"/>, watched by a server with the test's autoscaler settings.</summary>
    private static async Task<InProcessServer> ServeAsync(EngineWorld world, string services, GitWorkTree? git = null)
    {
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName), Autoscaler);
        git ??= new GitWorkTree(world.Root);
        git.Write("paas.yaml", Manifest(world, services));
        git.CommitAndPush("an autoscaled service");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        return await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
    }

    private static string Manifest(EngineWorld world, string services) => $"version: 1\nproject: {world.Project}\nenvironments:\n  dev: {{ branch: dev }}\nservices:\n{services}";

    private static async Task<int> RunningAsync(EngineWorld world, string service = "web") =>
        (await world.ContainersAsync()).Count(c => c.Value.Service == service && c.Value.Running);

    /// <summary>Waits until the service runs exactly <paramref name="count"/> replicas; how long that took.</summary>
    private static async Task<TimeSpan> WaitForAsync(EngineWorld world, int count, TimeSpan patience, string service = "web")
    {
        var clock = Stopwatch.StartNew();
        while (await RunningAsync(world, service) != count)
        {
            Assert.True(clock.Elapsed < patience, $"{service} did not reach {count} running replicas within {patience.TotalSeconds:0} s (it runs {await RunningAsync(world, service)})");
            await Task.Delay(250);
        }

        return clock.Elapsed;
    }
}
