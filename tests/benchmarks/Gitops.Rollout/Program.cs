// The rollout benchmark (issues 5 and 12): a steady request rate over HTTPS through Caddy while the
// version changes, counting every non-2xx and connection error, with p50/p99 latency: on the docker
// target, then on a swarm target (the same engine in swarm mode). In the same run the same change is
// made with `docker-compose up -d`, behind the same Caddy (a route to its published port) and on
// that port directly. Usage: dotnet run -c Release --project tests/benchmarks/Gitops.Rollout -- [REQUESTS=10000] [RATE=250]
using System.Diagnostics;
using System.Globalization;
using Gitops.Engine.Ingress;
using Gitops.Cli;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;
using Gitops.Providers.Caddy;
using Gitops.Schema.Model;
using Gitops.Tests;
using static Gitops.Benchmarks.Shared.Processes;

var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 250;
var work = Directory.CreateTempSubdirectory("paas-rollout-").FullName;
var data = Directory.CreateDirectory(Path.Combine(work, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
var app = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
var compose = Directory.CreateDirectory(Path.Combine(work, "compose")).FullName;
var ingress = new CaddyOptions { BaseDomain = "localhost", HttpPort = FreePort(), HttpsPort = FreePort(), Bind = "127.0.0.1", AdminPort = FreePort(), RouterPort = FreePort(), Tls = new TlsSpec { Internal = true } };
var composePort = FreePort();
File.WriteAllText(Path.Combine(data, PlatformConfig.FileName),
    $"targets: {{ local: {{ kind: docker }}, swarm: {{ kind: swarm }} }}\ningress: {{ baseDomain: localhost, httpPort: {ingress.HttpPort}, httpsPort: {ingress.HttpsPort}, bind: 127.0.0.1, adminPort: {ingress.AdminPort}, routerPort: {ingress.RouterPort}, tls: {{ internal: true }} }}\n");
using var caddy = new CaddyIngress(ingress, data);
var results = new List<(string Name, LoadResult Load, TimeSpan Change)>();
try
{
    // paas: v1 on two replicas, then v2 under load.
    Manifest("v1");
    Paas("apply", app, "--env", "dev", "--yes");
    var paasUrl = new Uri($"https://web-dev-rollout.localhost:{ingress.HttpsPort}/index.html");
    await WaitAsync(paasUrl, "v1");
    results.Add(await UnderLoadAsync("paas apply (start-first, health-checked, drained)", paasUrl, Client, () =>
    {
        Manifest("v2");
        Paas("apply", app, "--env", "dev", "--yes");
    }));

    // paas on a swarm target (the same engine in swarm mode): Swarm replaces the tasks start-first, the route follows them.
    Paas("apply", app, "--env", "swarm", "--yes");
    var swarmUrl = new Uri($"https://web-swarm-rollout.localhost:{ingress.HttpsPort}/index.html");
    await WaitAsync(swarmUrl, "v2");
    results.Add(await UnderLoadAsync("paas apply, swarm target (Swarm start-first, route follows its tasks)", swarmUrl, Client, () =>
    {
        Manifest("v3");
        Paas("apply", app, "--env", "swarm", "--yes");
    }));

    // docker-compose: the same service published on a port, behind a Caddy route configured like ours, and direct.
    Compose("1");
    Run("docker-compose", "-p", "rolloutcompose", "-f", Path.Combine(compose, "docker-compose.yml"), "up", "-d");
    await caddy.SetRouteAsync(new DesiredRoute("bench.compose", "compose", new ValueList<string>(["compose.localhost"]), composePort), [$"127.0.0.1:{composePort}"], CancellationToken.None);
    var composeUrl = new Uri($"https://compose.localhost:{ingress.HttpsPort}/index.html");
    await WaitAsync(composeUrl, "1");
    results.Add(await UnderLoadAsync("docker-compose up -d, behind the same Caddy", composeUrl, Client, () =>
    {
        Compose("2");
        Run("docker-compose", "-p", "rolloutcompose", "-f", Path.Combine(compose, "docker-compose.yml"), "up", "-d");
    }));
    var directUrl = new Uri($"http://127.0.0.1:{composePort}/index.html");
    results.Add(await UnderLoadAsync("docker-compose up -d, its published port", directUrl, () => new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, () =>
    {
        Compose("3");
        Run("docker-compose", "-p", "rolloutcompose", "-f", Path.Combine(compose, "docker-compose.yml"), "up", "-d");
    }));
}
finally
{
    Paas("destroy", app, "--env", "dev", "--yes");
    Paas("destroy", app, "--env", "swarm", "--yes");
    Run("docker-compose", "-p", "rolloutcompose", "-f", Path.Combine(compose, "docker-compose.yml"), "down", "-t", "1");
    await caddy.StopAsync(CancellationToken.None);
    Directory.Delete(work, recursive: true);
}

Console.WriteLine();
Console.WriteLine($"{requests} requests at {rate}/s for each version change (HTTPS through Caddy, or plain HTTP on the published port)");
Console.WriteLine("| version change | requests | failed | p50 | p99 | change took |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
foreach (var (name, load, change) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {load.Total} | {load.Failed} | {load.P50.TotalMilliseconds:0.0} ms | {load.P99.TotalMilliseconds:0.0} ms | {change.TotalSeconds:0.0} s |"));
}

return 0;

HttpClient Client() => LocalHttps.Client(caddy.RootCertificatePath);

void Manifest(string version) => File.WriteAllText(Path.Combine(app, "paas.yaml"), $$"""
    version: 1
    project: rollout
    environments:
      dev: { branch: main }
      swarm: { branch: main, target: swarm }
    services:
      web:
        image: busybox:1.36
        command: ["sh", "-c", "mkdir -p /tmp/w && echo $VERSION > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]
        port: 8080
        public: true
        replicas: 2
        env: { VERSION: "{{version}}" }
        health: { path: /index.html, interval: 1s, timeout: 1s, retries: 2 }
        deploy: { drain: 5s }

    """);

void Compose(string version) => File.WriteAllText(Path.Combine(compose, "docker-compose.yml"), $$"""
    version: "3.7"
    services:
      web:
        image: busybox:1.36
        command: ["sh", "-c", "mkdir -p /tmp/w && echo $$VERSION > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]
        environment: { VERSION: "{{version}}" }
        ports: ["127.0.0.1:{{composePort}}:8080"]
        init: true
        security_opt: ["no-new-privileges"]
        cap_drop: [ALL]

    """);

void Paas(params string[] arguments) => Gitops.Benchmarks.Shared.Processes.Paas(data, arguments);


async Task WaitAsync(Uri url, string version)
{
    for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(200))
    {
        try
        {
            using var client = url.Scheme == "https" ? Client() : new HttpClient();
            if ((await client.GetStringAsync(url)).Trim() == version)
            {
                return;
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or FileNotFoundException && DateTime.UtcNow < deadline)
        {
            // Not answering yet (or the CA root not written yet).
        }

        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"{url} did not answer {version} within 30 s");
        }
    }
}

// The change starts 2 s into the load; the load goes on until the request count is reached.
async Task<(string, LoadResult, TimeSpan)> UnderLoadAsync(string name, Uri url, Func<HttpClient> client, Action change)
{
    Console.Error.WriteLine($"{name}: {requests} requests at {rate}/s...");
    var load = Load.RunAsync(client, url, rate, CancellationToken.None, requests);
    await Task.Delay(TimeSpan.FromSeconds(2));
    var watch = Stopwatch.StartNew();
    await Task.Run(change);
    var took = watch.Elapsed;
    var result = await load;
    Console.Error.WriteLine($"  {result.Failed} of {result.Total} failed ({string.Join("; ", result.Errors.Distinct().Take(3))}); p50 {result.P50.TotalMilliseconds:0.0} ms, p99 {result.P99.TotalMilliseconds:0.0} ms; versions seen: {string.Join(", ", result.Bodies.Keys)}");
    return (name, result, took);
}
