// The autoscaling benchmark (issue 17): CPU-bound requests (a CGI script, about 10 ms of CPU each)
// through Caddy at a steady rate against a service limited to a quarter of a CPU: autoscaled by the
// platform (autoscale: { min: 1, max: 4, cpu: 60 }), then the same container at one replica under
// docker-compose behind the same Caddy (what a platform without an autoscaler runs). The platform's
// autoscaler runs in this process exactly as `paas server` runs it (measure, then scale, on its
// interval). Usage: dotnet run -c Release --project tests/benchmarks/Gitops.Autoscale -- [RATE=40] [SECONDS=60]
using System.Diagnostics;
using System.Globalization;
using Gitops.Cli;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Engine.Ingress;
using Gitops.Engine.Scaling;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Providers.Caddy;
using Gitops.Schema.Model;
using Gitops.Tests;
using static Gitops.Benchmarks.Shared.Processes;

var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
const string Settings = "autoscaler: { interval: 2s, scaleDownWindow: 30s, cooldown: 6s }";
var work = Directory.CreateTempSubdirectory("paas-autoscale-").FullName;
var data = Directory.CreateDirectory(Path.Combine(work, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
var app = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
var compose = Directory.CreateDirectory(Path.Combine(work, "compose")).FullName;
var ingress = new CaddyOptions { BaseDomain = "localhost", HttpPort = FreePort(), HttpsPort = FreePort(), Bind = "127.0.0.1", AdminPort = FreePort(), RouterPort = FreePort(), Tls = new TlsSpec { Internal = true } };
var composePort = FreePort();
File.WriteAllText(Path.Combine(data, PlatformConfig.FileName),
    $"targets: {{ local: {{ kind: docker }} }}\ningress: {{ baseDomain: localhost, httpPort: {ingress.HttpPort}, httpsPort: {ingress.HttpsPort}, bind: 127.0.0.1, adminPort: {ingress.AdminPort}, routerPort: {ingress.RouterPort}, tls: {{ internal: true }} }}\n{Settings}\n");
// A CGI script that spends its time on the CPU, behind busybox httpd; /index.html for the health check.
const string Serve = "mkdir -p /tmp/w/cgi-bin && echo ok > /tmp/w/index.html && printf '#!/bin/sh\\ni=0; while [ $i -lt 2000 ]; do i=$((i+1)); done\\necho Content-Type: text/plain\\necho\\necho done\\n' > /tmp/w/cgi-bin/work && chmod +x /tmp/w/cgi-bin/work && exec httpd -f -p 8080 -h /tmp/w";
File.WriteAllText(Path.Combine(app, "paas.yaml"), $$"""
    version: 1
    project: scaling
    environments:
      dev: { branch: main }
    services:
      web:
        image: busybox:1.36
        command: ["sh", "-c", "{{Serve}}"]
        port: 8080
        public: true
        resources: { cpu: 250m }
        autoscale: { min: 1, max: 4, cpu: 60 }
        health: { path: /index.html, interval: 1s, timeout: 2s, retries: 3 }
        deploy: { drain: 5s }

    """);
File.WriteAllText(Path.Combine(compose, "docker-compose.yml"), $$"""
    version: "3.7"
    services:
      web:
        image: busybox:1.36
        command: ["sh", "-c", "{{Serve.Replace("$", "$$", StringComparison.Ordinal)}}"]
        ports: ["127.0.0.1:{{composePort}}:8080"]
        cpus: 0.25
        init: true

    """);

using var caddy = new CaddyIngress(ingress, data);
var rows = new List<string>();
try
{
    Paas("apply", app, "--env", "dev", "--yes");
    var url = new Uri($"https://web-dev-scaling.localhost:{ingress.HttpsPort}/cgi-bin/work");
    await WaitAsync(url);

    // The platform: the autoscaler's loop beside the load, each change timed from the load's start.
    var platform = PlatformConfig.Load(data);
    using (var state = StateStore.Open(data))
    {
        using var loopIngress = ProviderRegistry.Default.OpenIngress(platform, data);
        var autoscaler = new Autoscaler(state, platform, ProviderRegistry.Default.Connect, loopIngress, new Progress<ExecutorEvent>());
        var changes = new List<(TimeSpan At, ScaleDecision Change)>();
        using var stopLoop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(autoscaler.Interval);
            while (await Ticked(timer, stopLoop.Token))
            {
                foreach (var scale in await autoscaler.MeasureAsync(stopLoop.Token))
                {
                    var deployment = await autoscaler.ScaleAsync(scale, stopLoop.Token);
                    changes.AddRange(scale.Changes.Select(c => (clock.Elapsed, c)));
                    Console.Error.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0.0} s: {string.Join("; ", scale.Changes)} ({deployment.Status})");
                }
            }
        });

        Console.Error.WriteLine($"paas, autoscaled: {rate} requests/s for {seconds} s...");
        var result = await LoadForAsync(url, Client);
        var stopped = clock.Elapsed;
        var deadline = stopped + TimeSpan.FromMinutes(3);
        while (Replicas(state) > 1 && clock.Elapsed < deadline)
        {
            await Task.Delay(500);
        }

        var backToMin = Replicas(state) == 1 ? $"{(clock.Elapsed - stopped).TotalSeconds:0} s" : "not within 3 min";
        await stopLoop.CancelAsync();
        await loop.ContinueWith(_ => { }, TaskScheduler.Default);
        var peak = changes.Count == 0 ? 1 : changes.Max(c => c.Change.To);
        var first = changes.FirstOrDefault(c => c.Change.Direction == "up");
        var atPeak = changes.FirstOrDefault(c => c.Change.To == peak);
        rows.Add(Row("paas, autoscale 1..4 on cpu 60%", result, $"1 → {peak}", first.Change is null ? "-" : $"{first.At.TotalSeconds:0} s", atPeak.Change is null ? "-" : $"{atPeak.At.TotalSeconds:0} s", backToMin));
    }

    // The peer: the same container at one replica, behind the same Caddy.
    Run("docker-compose", "-p", "autoscalecompose", "-f", Path.Combine(compose, "docker-compose.yml"), "up", "-d");
    await caddy.SetRouteAsync(new DesiredRoute("bench.compose", "compose", new ValueList<string>(["compose.localhost"]), composePort), [$"127.0.0.1:{composePort}"], CancellationToken.None);
    var composeUrl = new Uri($"https://compose.localhost:{ingress.HttpsPort}/cgi-bin/work");
    await WaitAsync(composeUrl);
    Console.Error.WriteLine($"docker-compose, 1 replica: {rate} requests/s for {seconds} s...");
    rows.Add(Row("docker-compose, 1 replica (no autoscaler)", await LoadForAsync(composeUrl, Client), "1", "-", "-", "-"));
}
finally
{
    Paas("destroy", app, "--env", "dev", "--yes");
    Run("docker-compose", "-p", "autoscalecompose", "-f", Path.Combine(compose, "docker-compose.yml"), "down", "-t", "1");
    await caddy.StopAsync(CancellationToken.None);
    Directory.Delete(work, recursive: true);
}

Console.WriteLine();
Console.WriteLine($"{rate} requests/s offered for {seconds} s (16 clients, HTTPS through Caddy; a slow answer holds its client back), each request ~10 ms of CPU, the container limited to 0.25 CPU; {Settings}");
Console.WriteLine("| setup | answered | failed | p50 | p99 | replicas | first scale-up | at peak | back to min after the load |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
rows.ForEach(Console.WriteLine);
return 0;

HttpClient Client() => LocalHttps.Client(caddy.RootCertificatePath);

async Task<LoadResult> LoadForAsync(Uri url, Func<HttpClient> client)
{
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var result = await Load.RunAsync(client, url, rate, stop.Token);
    Console.Error.WriteLine($"  {result.Total - result.Failed} answered, {result.Failed} failed ({string.Join("; ", result.Errors.Distinct().Take(3))}); p50 {result.P50.TotalMilliseconds:0} ms, p99 {result.P99.TotalMilliseconds:0} ms");
    return result;
}

static string Row(string name, LoadResult load, string replicas, string first, string peak, string down) =>
    string.Create(CultureInfo.InvariantCulture, $"| {name} | {load.Total - load.Failed} | {load.Failed} | {load.P50.TotalMilliseconds:0} ms | {load.P99.TotalMilliseconds:0} ms | {replicas} | {first} | {peak} | {down} |");

static int Replicas(StateStore state) => state.Recorded("scaling", "dev").Services.GetValueOrDefault("web")?.Replicas ?? 0;

static async Task<bool> Ticked(PeriodicTimer timer, CancellationToken stop)
{
    try
    {
        return await timer.WaitForNextTickAsync(stop);
    }
    catch (OperationCanceledException)
    {
        return false;
    }
}

void Paas(params string[] arguments) => Gitops.Benchmarks.Shared.Processes.Paas(data, arguments);


async Task WaitAsync(Uri url)
{
    for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200))
    {
        try
        {
            using var client = Client();
            if ((await client.GetStringAsync(url)).Trim() == "done")
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
            throw new TimeoutException($"{url} did not answer within 60 s");
        }
    }
}
