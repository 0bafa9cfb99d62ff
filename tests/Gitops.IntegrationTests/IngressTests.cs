using System.Net;

namespace Gitops.IntegrationTests;

/// <summary>
/// Traffic through a real Caddy to real containers: HTTPS on the default domain with HTTP
/// redirected, a rollout under steady load without one failed request, a broken version that
/// never receives traffic, and route changes that leave other services' routes alone. They run
/// alone, after the other tests: the load they measure must be theirs, not the rest of the suite's.
/// </summary>
[Collection(nameof(IngressTests))]
public sealed class IngressTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_public_service_answers_over_https_on_its_default_domain_and_http_redirects(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        await using var ingress = new IngressWorld(world);
        world.WriteManifest("services:\n" + Versioned(world, "web", "one", public_: true) + Versioned(world, "worker", "private", public_: false));

        var plan = world.Plan();
        var applied = world.Apply();
        var host = $"web-dev-{world.Project}.localhost";
        var body = await ingress.WaitForAsync(ingress.Https(host, "/index.html"));
        using var client = ingress.Client();
        using var redirect = await client.GetAsync(ingress.Http(host, "/index.html"));
        var routes = await ingress.Caddy.ObserveAsync(world.Project, "dev", CancellationToken.None);
        // The edge gets certificates only for names the router routes: any other is refused at the handshake.
        var unrouted = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(ingress.Https($"worker-dev-{world.Project}.localhost", "/index.html")));

        Assert.Contains($"route   web: not routed yet: {host}", plan.Output, StringComparison.Ordinal);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal("one", body.Trim());
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
        // To the HTTPS port in use (Caddy's own redirect would assume 443), and the address answers.
        Assert.Equal(ingress.Https(host, "/index.html"), redirect.Headers.Location);
        Assert.Equal("web", Assert.Single(routes).Service); // the private service has no route
        Assert.IsType<System.Security.Authentication.AuthenticationException>(unrouted.InnerException);
        Assert.DoesNotContain("route", world.Plan().Output.Split('\n').Where(l => !l.StartsWith("Plan", StringComparison.Ordinal)), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Status_shows_where_a_public_service_answers_and_reads_the_same_here_and_through_a_server()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        await using var ingress = new IngressWorld(world);
        world.WriteManifest("services:\n" + Versioned(world, "web", "one", public_: true) + Versioned(world, "worker", "private", public_: false));
        Assert.Equal(0, world.Apply().ExitCode);
        var url = ingress.Https($"web-dev-{world.Project}.localhost").ToString();

        var text = world.Paas("status", world.AppDirectory, "--env", "dev");
        var local = Environment(world.Paas("status", world.AppDirectory, "--env", "dev", "-o", "json"));
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        var remote = Environment(world.Paas("status", "--project", world.Project, "--env", "dev", "-o", "json"));

        Assert.Contains(url, text.Output, StringComparison.Ordinal);
        foreach (var status in new[] { local, remote })
        {
            Assert.Equal([url], Service(status, "web").GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
            Assert.Empty(Service(status, "worker").GetProperty("urls").EnumerateArray()); // private: no address
        }

        // One document: the same fields, the same values; only a local status holds the services against the working tree.
        Assert.Equal(Names(local), Names(remote));
        Assert.Equal(Names(Service(local, "web")), Names(Service(remote, "web")));
        Assert.Equal("in sync", Service(local, "web").GetProperty("sync").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, Service(remote, "web").GetProperty("sync").ValueKind);
        Assert.Equal(local.GetProperty("revision").GetString(), remote.GetProperty("revision").GetString());

        static System.Text.Json.JsonElement Environment(CliRun run)
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            return Assert.Single(System.Text.Json.JsonDocument.Parse(run.Output).RootElement.GetProperty("environments").EnumerateArray());
        }

        static System.Text.Json.JsonElement Service(System.Text.Json.JsonElement environment, string name) =>
            environment.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service").GetString() == name);

        static List<string> Names(System.Text.Json.JsonElement value) => [.. value.EnumerateObject().Select(p => p.Name)];
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Another_project_naming_a_routed_host_is_refused_and_the_owner_keeps_its_traffic(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        await using var ingress = new IngressWorld(world);
        world.WriteManifest("services:\n" + Versioned(world, "web", "victim", public_: true));
        var host = $"web-dev-{world.Project}.localhost";
        Assert.Equal(0, world.Apply().ExitCode);
        await ingress.WaitForAsync(ingress.Https(host, "/index.html"), "victim");
        var attacker = $"{world.Project}x";
        var attackerApp = Directory.CreateDirectory(Path.Combine(world.Root, "attacker")).FullName;
        File.WriteAllText(Path.Combine(attackerApp, "paas.yaml"), $"version: 1\nproject: {attacker}\nenvironments:\n  dev: {{ branch: main }}\nservices:\n"
            + Versioned(world, "web", "attacker", public_: true, domains: $"[{host}]"));

        var planned = world.Paas("plan", attackerApp, "--env", "dev");
        var applied = world.Paas("apply", attackerApp, "--env", "dev", "--yes");
        using var client = ingress.Client();
        var served = await client.GetStringAsync(ingress.Https(host, "/index.html"));
        var attackerContainers = await world.Client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"paas.project={attacker}"] = true } },
        });

        Assert.Equal(1, planned.ExitCode);
        Assert.Contains($"domain '{host}' is already routed by another project", planned.Error, StringComparison.Ordinal);
        Assert.Equal(1, applied.ExitCode);
        Assert.Contains($"domain '{host}' is already routed by another project", applied.Error, StringComparison.Ordinal);
        Assert.Equal("victim", served.Trim());
        Assert.Empty(attackerContainers);
        Assert.Empty(await ingress.Caddy.ObserveAsync(attacker, "dev", CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Caddy_in_a_container_serves_https_with_nothing_but_the_host_network_and_comes_back_when_removed(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        await using var ingress = new IngressWorld(world, inContainer: true);
        world.WriteManifest("services:\n" + Versioned(world, "web", "boxed", public_: true));
        var host = $"web-dev-{world.Project}.localhost";

        var applied = world.Apply();
        var body = await ingress.WaitForAsync(ingress.Https(host, "/index.html"));
        var container = await world.Client.Containers.InspectContainerAsync(ingress.ContainerName);
        var status = File.ReadAllLines($"/proc/{container.State!.Pid}/status").Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());
        // Someone removes the ingress containers: Caddy is gone with them (so it ran there, not beside
        // it); the next apply starts new ones, and the router's autosaved routes come back.
        var edge = await world.Client.Containers.InspectContainerAsync($"{ingress.ContainerName}-edge");
        await world.Client.Containers.RemoveContainerAsync(ingress.ContainerName, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
        await world.Client.Containers.RemoveContainerAsync(edge.ID, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
        await ingress.WaitUntilStoppedAsync();
        world.WriteManifest("services:\n" + Versioned(world, "web", "again", public_: true));
        var reapplied = world.Apply();
        var again = await ingress.WaitForAsync(ingress.Https(host, "/index.html"), "again");
        await ingress.Caddy.StopAsync(CancellationToken.None);
        var left = await world.Client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters { All = true });

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal("boxed", body.Trim());
        Assert.True(container.State?.Running == true);
        Assert.Equal("host", container.HostConfig?.NetworkMode);
        Assert.True(container.HostConfig!.ReadonlyRootfs);
        // Created through the policy choke point with the ingress's allow-list: one bind, its own
        // data directory at the same path, and the limits every container has.
        var bind = Assert.Single(container.HostConfig.Binds ?? []).Split(':');
        Assert.Equal(bind[0], bind[1]);
        Assert.StartsWith(world.DataDirectory, bind[0], StringComparison.Ordinal);
        Assert.True(container.HostConfig.PidsLimit > 0, "the ingress has no pids limit");
        Assert.True(container.HostConfig.Memory > 0, "the ingress has no memory limit");
        // What the kernel enforces on Caddy, whichever way the engine reports it: only CAP_NET_BIND_SERVICE (bit 10), no new privileges.
        Assert.Equal("0000000000000400", status["CapEff"]);
        Assert.Equal("1", status["NoNewPrivs"]);
        Assert.True(reapplied.ExitCode == 0, reapplied.ToString());
        Assert.Equal("again", again.Trim());
        Assert.DoesNotContain(left, c => c.Names.Any(n => n.TrimStart('/').StartsWith(ingress.ContainerName, StringComparison.Ordinal))); // router and edge
        Assert.Equal("host", edge.HostConfig?.NetworkMode);
        Assert.True(edge.HostConfig!.ReadonlyRootfs);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")] // Swarm rolls out itself; the route follows the tasks that serve
    public async Task Rollouts_under_load_lose_no_request_and_a_broken_version_never_gets_traffic(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        await using var ingress = new IngressWorld(world);
        var url = ingress.Https($"web-dev-{world.Project}.localhost", "/index.html");
        world.WriteManifest("services:\n" + Versioned(world, "web", "v1", public_: true, replicas: 2));
        Assert.Equal(0, world.Apply().ExitCode);
        await ingress.WaitForAsync(url, "v1");

        world.WriteManifest("services:\n" + Versioned(world, "web", "v2", public_: true, replicas: 2));
        var (rollout, good) = await UnderLoadAsync(ingress, url, () => world.Apply());
        world.WriteManifest("services:\n" + Versioned(world, "web", "v3", public_: true, replicas: 2, health: "/missing"));
        var (broken, bad) = await UnderLoadAsync(ingress, url, () => world.Apply());
        var history = world.Paas("history", world.AppDirectory, "--env", "dev", "--output", "json").Output;

        Assert.True(rollout.ExitCode == 0, rollout.ToString());
        Assert.True(good.Failed == 0, $"{good.Failed} of {good.Total} requests failed during the rollout: {string.Join("; ", good.Errors.Distinct().Take(5))}");
        Assert.True(good.Total >= 400, $"only {good.Total} requests"); // 200 a second for the second before and after the rollout alone: the load ran throughout (how long the rollout takes is the machine's)
        Assert.True(good.Bodies.ContainsKey("v1") && good.Bodies.ContainsKey("v2"), string.Join(", ", good.Bodies.Keys));
        Assert.Contains("switch route", rollout.Output, StringComparison.Ordinal);
        Assert.Equal(3, broken.ExitCode);
        Assert.True(bad.Failed == 0, $"{bad.Failed} of {bad.Total} requests failed during the broken rollout: {string.Join("; ", bad.Errors.Distinct().Take(5))}");
        Assert.Equal(["v2"], bad.Bodies.Keys);
        Assert.Contains("\"status\": \"rolledBack\"", history, StringComparison.Ordinal);
        Assert.Equal("v2", (await ingress.WaitForAsync(url)).Trim());
    }

    [Fact]
    public async Task Changing_one_services_domains_leaves_other_routes_untouched_and_removal_unroutes()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        await using var ingress = new IngressWorld(world);
        world.WriteManifest("services:\n" + Versioned(world, "web", "web", public_: true) + Versioned(world, "api", "api", public_: true, replicas: 2));
        Assert.Equal(0, world.Apply().ExitCode);
        var before = await ingress.Caddy.ObserveAsync(world.Project, "dev", CancellationToken.None);

        world.WriteManifest("services:\n" + Versioned(world, "web", "web", public_: true, domains: "[shop.localhost, www.shop.localhost]") + Versioned(world, "api", "api", public_: true, replicas: 2));
        var changed = world.Apply();
        var after = await ingress.Caddy.ObserveAsync(world.Project, "dev", CancellationToken.None);
        var served = await ingress.WaitForAsync(ingress.Https("www.shop.localhost", "/index.html"));
        // A long-running platform outlives its Caddy: the same ingress object starts it again, routes intact.
        await ingress.Caddy.StopAsync(CancellationToken.None);
        await ingress.WaitUntilStoppedAsync();
        var afterRestart = await ingress.Caddy.ObserveAsync(world.Project, "dev", CancellationToken.None);
        world.WriteManifest("services:\n" + Versioned(world, "web", "web", public_: true, domains: "[shop.localhost, www.shop.localhost]"));
        var pruned = world.Apply();
        var last = await ingress.Caddy.ObserveAsync(world.Project, "dev", CancellationToken.None);

        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Contains("~ route   web: domains changed", changed.Output, StringComparison.Ordinal);
        Assert.Equal(before.Single(r => r.Service == "api"), after.Single(r => r.Service == "api")); // same domains, same upstreams
        Assert.Equal(["shop.localhost", "www.shop.localhost"], after.Single(r => r.Service == "web").Domains);
        Assert.Equal("web", served.Trim());
        Assert.Equal(after, afterRestart);
        Assert.True(pruned.ExitCode == 0, pruned.ToString());
        Assert.Equal("web", Assert.Single(last).Service);
    }

    /// <summary>A busybox web service that serves its version at /index.html.</summary>
    /// <summary>
    /// A server's ingress lives as long as the server: when the edge process dies (a crash, an OOM kill),
    /// the next ingress call (every plan observes the routes) starts it again.
    /// </summary>
    [Fact]
    public async Task An_edge_that_died_is_started_again_by_the_next_ingress_call_of_a_long_lived_ingress()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        await using var ingress = new IngressWorld(world);
        var host = $"web-dev-{world.Project}.localhost";
        world.WriteManifest("services:\n" + Versioned(world, "web", "up", public_: true));
        Assert.Equal(0, world.Apply().ExitCode);
        await ingress.WaitForAsync(ingress.Https(host, "/index.html"), "up");
        await ingress.Caddy.ObserveAsync(world.Project, "dev", CancellationToken.None); // this instance has started both

        var pid = int.Parse(File.ReadAllText(Path.Combine(world.DataDirectory, "caddy", "edge", "caddy.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using (var edge = System.Diagnostics.Process.GetProcessById(pid))
        {
            edge.Kill();
            await edge.WaitForExitAsync();
        }

        using var client = ingress.Client();
        var whileDead = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(ingress.Https(host, "/index.html")));
        var routes = await ingress.Caddy.ObserveAsync(world.Project, "dev", CancellationToken.None);

        Assert.NotNull(whileDead);
        Assert.Single(routes);
        Assert.Equal("up", (await ingress.WaitForAsync(ingress.Https(host, "/index.html"), "up")).Trim());
    }

    /// <summary>
    /// Keep-alive clients at saturation (32 connections, no pacing, no retry: <see cref="KeepAliveLoad"/>)
    /// while rollouts and scaling change the route again and again: not one request without an answer
    /// or with a failed status. With one Caddy the same kind of load (wrk) lost requests on every change
    /// (its server restarts and closes idle keep-alive connections); the edge never restarts.
    /// </summary>
    [Fact]
    public async Task Route_changes_under_keep_alive_load_at_saturation_drop_no_client_connection()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        await using var ingress = new IngressWorld(world);
        var host = $"web-dev-{world.Project}.localhost";
        string Manifest(string version, int replicas) => "services:\n" + Versioned(world, "web", version, public_: true, replicas: replicas);
        world.WriteManifest(Manifest("v1", 2));
        Assert.Equal(0, world.Apply().ExitCode);
        await ingress.WaitForAsync(ingress.Https(host, "/index.html"), "v1");

        var load = KeepAliveLoad.RunAsync(host, ingress.Spec.HttpsPort, "/index.html", TimeSpan.FromSeconds(30), Gitops.Engine.Ingress.LocalHttps.TrustOnly(ingress.Caddy.RootCertificatePath));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var changes = new List<CliRun>();
        foreach (var (version, replicas) in new[] { ("v2", 2), ("v2", 3), ("v3", 3), ("v3", 2), ("v4", 2) })
        {
            world.WriteManifest(Manifest(version, replicas));
            changes.Add(await Task.Run(world.Apply));
        }

        var result = await load;

        Assert.All(changes, c => Assert.True(c.ExitCode == 0, c.ToString()));
        Assert.True(result.Requests > 1000, result.ToString());
        Assert.True(result.Errors == 0, result.ToString());
        Assert.Equal("v4", (await ingress.WaitForAsync(ingress.Https(host, "/index.html"), "v4")).Trim());
    }

    internal static string Versioned(EngineWorld world, string name, string version, bool public_, int replicas = 1, string health = "/index.html", string? domains = null) => $$"""
          {{name}}:
            image: {{world.Busybox}}
            command: ["sh", "-c", "mkdir -p /tmp/w && echo $VERSION > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]
            port: 8080
            public: {{(public_ ? "true" : "false")}}
            replicas: {{replicas}}
            env: { VERSION: "{{version}}" }
            health: { path: {{health}}, interval: 1s, timeout: 1s, retries: 2 }
            deploy: { drain: 5s }
        {{(domains is null ? "" : $"    domains: {domains}\n")}}
        """;

    internal static async Task<(CliRun Run, LoadResult Load)> UnderLoadAsync(IngressWorld ingress, Uri url, Func<CliRun> change)
    {
        using var stop = new CancellationTokenSource();
        var load = Load.RunAsync(ingress.Client, url, ratePerSecond: 200, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var run = await Task.Run(change);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        return (run, await load);
    }
}

/// <summary>Runs the ingress tests by themselves, not beside the other test classes.</summary>
[CollectionDefinition(nameof(IngressTests), DisableParallelization = true)]
public sealed class IngressTestsCollection;

