using System.IO.Compression;
using System.Text.Json;
using Gitops.Engine.Drains;

namespace Gitops.IntegrationTests;

/// <summary>
/// Log drains under the real server on real Docker, to local receivers: an HTTP drain gets every
/// replica's output and the deployment logs as gzipped JSON lines; a drain down for 30 seconds
/// loses nothing and keeps each replica's order; an OTLP drain gets the documented
/// <c>ExportLogsServiceRequest</c> shape; a full buffer drops its oldest lines and says how many.
/// </summary>
public sealed class DrainTests
{
    [Fact]
    public async Task An_http_drain_down_for_30_seconds_then_back_gets_every_line_once_in_each_replicas_order_and_the_deploy_log()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        using var receiver = new HttpReceiver();
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName), $"drains:\n  ship: {{ kind: http, url: \"{receiver.Url}/ingest\" }}\n");
        world.WriteManifest(ServiceLogsTests.Talker(world, "v1") + $"  idle:\n    image: {world.Busybox}\n    command: [sleep, '3600']\n");
        Assert.Equal(0, world.Apply().ExitCode);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        await WaitForAsync(() => Records(receiver).Count(r => r.GetProperty("log").GetString() == "runtime") >= 20, receiver, "no runtime line shipped");

        receiver.Stop(); // the far end is down: connections refused
        await Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var duringOutage = world.Paas("logs", "--stats");
        var restart = world.Paas("restart", "idle", "--project", world.Project, "--env", "dev"); // a deployment whose log ships too
        receiver.Start();
        var deployment = server.State.LastSucceeded(world.Project, "dev")!.Id;
        await WaitForAsync(() => Records(receiver).Any(r => r.GetProperty("source").GetString() == deployment), receiver, "the restart's log never arrived");
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // the lines written meanwhile

        var records = Records(receiver);
        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Contains("connection refused", duringOutage.Output, StringComparison.OrdinalIgnoreCase);
        Assert.All(receiver.Requests, r => Assert.Equal(("gzip", "application/x-ndjson"), (r.Headers["Content-Encoding"], r.Headers["Content-Type"])));
        Assert.Contains(records, r => r.GetProperty("log").GetString() == "deploy" && r.GetProperty("message").GetString()!.Contains("start idle replica 1", StringComparison.Ordinal));
        foreach (var stream in new[] { "stdout", "stderr" })
        {
            foreach (var replica in records.Where(r => Service(r) == "talker" && r.GetProperty("stream").GetString() == stream).GroupBy(r => r.GetProperty("source").GetString()))
            {
                // Each replica's numbered lines (five a second): every one once and in order, across the 30 s outage.
                var numbers = replica.Select(r => Number(r, 2)).ToList();
                Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
                Assert.True(numbers.Count >= 150, $"{replica.Key} {stream}: only {numbers.Count} lines");
            }
        }

        Assert.Equal(["talker-1", "talker-2"], records.Where(r => Service(r) == "talker").Select(r => r.GetProperty("source").GetString()).Distinct().Order());
        Assert.All(records, r => Assert.Equal((world.Project, "dev"), (r.GetProperty("project").GetString(), r.GetProperty("environment").GetString())));
    }

    [Fact]
    public async Task An_otlp_drain_gets_the_documented_export_logs_request_shape()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        using var receiver = new HttpReceiver();
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName), $"drains:\n  collector: {{ kind: otlp, url: \"{receiver.Url}/v1/logs\", logs: [runtime] }}\n");
        world.WriteManifest(ServiceLogsTests.Talker(world, "otlp"));
        Assert.Equal(0, world.Apply().ExitCode);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        await WaitForAsync(() => !receiver.Requests.IsEmpty, receiver, "nothing reached the collector");

        var request = receiver.Requests.First();
        var body = JsonDocument.Parse(Gunzip(request.Body)).RootElement;
        var resource = body.GetProperty("resourceLogs")[0];
        var attributes = resource.GetProperty("resource").GetProperty("attributes").EnumerateArray().ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value").GetProperty("stringValue").GetString());
        var record = resource.GetProperty("scopeLogs")[0].GetProperty("logRecords")[0];

        Assert.Equal(("/v1/logs", "application/json", "gzip"), (request.Path, request.Headers["Content-Type"], request.Headers["Content-Encoding"]));
        Assert.Equal(("talker", "dev", world.Project), (attributes["service.name"], attributes["deployment.environment"], attributes["paas.project"]));
        Assert.Equal("paas", resource.GetProperty("scopeLogs")[0].GetProperty("scope").GetProperty("name").GetString());
        Assert.StartsWith("otlp ", record.GetProperty("body").GetProperty("stringValue").GetString(), StringComparison.Ordinal);
        var nanos = long.Parse(record.GetProperty("timeUnixNano").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000), DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Contains(record.GetProperty("attributes").EnumerateArray(), a => a.GetProperty("key").GetString() == "log.iostream");
        Assert.Matches("^(INFO|WARN)$", record.GetProperty("severityText").GetString());
    }

    [Fact]
    public async Task A_syslog_drain_ships_rfc_5424_over_tls_to_rsyslog_and_one_trusting_another_ca_ships_nothing()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        using var rsyslog = await Rsyslog.StartAsync();
        using var other = await Rsyslog.StartAsync(); // only for a CA the first server's certificate does not chain to
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName),
            $"drains:\n  siem: {{ kind: syslog, url: \"tls://localhost:{rsyslog.Port}\", ca: \"{rsyslog.CaPath}\", logs: [runtime] }}\n"
            + $"  impostor: {{ kind: syslog, url: \"tls://localhost:{rsyslog.Port}\", ca: \"{other.CaPath}\", logs: [runtime] }}\n");
        world.WriteManifest(ServiceLogsTests.Talker(world, "tls"));
        Assert.Equal(0, world.Apply().ExitCode);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        for (var deadline = DateTime.UtcNow.AddSeconds(90); rsyslog.Received.Count(l => l.Contains("|talker-2|", StringComparison.Ordinal)) < 10 && DateTime.UtcNow < deadline; await Task.Delay(250, TestContext.Current.CancellationToken))
        {
        }

        var drains = ((Gitops.Engine.Drains.LogDrains)server.App.Services.GetService(typeof(Gitops.Engine.Drains.LogDrains))!).Status().ToDictionary(d => d.Name);
        var received = rsyslog.Received.Select(l => l.Split('|', 7)).Where(f => f.Length == 7 && f[2] == "talker").ToList();

        Assert.True(received.Count >= 20, $"rsyslog got {rsyslog.Received.Count} lines: {string.Join(" / ", rsyslog.Received.Take(3))}");
        var (time, host, app, procid, msgid, data, message) = (received[0][0], received[0][1], received[0][2], received[0][3], received[0][4], received[0][5], received[0][6]);
        Assert.InRange(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal((Environment.MachineName, "talker", "runtime"), (host, app, msgid));
        Assert.Matches("^talker-[12]$", procid);
        Assert.Equal($"[paas@32473 project=\"{world.Project}\" environment=\"dev\" log=\"runtime\" stream=\"{(message.Contains(" err ", StringComparison.Ordinal) ? "stderr" : "stdout")}\"]", data);
        Assert.Matches("^\uFEFF?tls (out|err) \\d+$", message);
        foreach (var replica in received.Where(f => f[6].Contains(" out ", StringComparison.Ordinal)).GroupBy(f => f[3]))
        {
            var numbers = replica.Select(f => int.Parse(f[6].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers); // once each and in order: the impostor delivered none
        }

        Assert.Equal(0, drains["impostor"].Shipped);
        Assert.NotNull(drains["impostor"].FailingSince);
        Assert.Null(drains["siem"].FailingSince);
    }

    [Fact]
    public async Task A_full_buffer_drops_the_oldest_lines_and_says_how_many_and_the_newest_still_arrive()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        using var receiver = new HttpReceiver();
        receiver.Stop(); // down from the start
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName), $"drains:\n  small: {{ kind: http, url: \"{receiver.Url}/ingest\", logs: [runtime], buffer: 64Ki }}\n");
        world.WriteManifest($$"""
            services:
              chatty:
                image: {{world.Busybox}}
                command: ["sh", "-c", "while [ ! -f /tmp/go ]; do sleep 0.2; done; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); echo \"chatty $i 0123456789012345678901234567890123456789012345678901234567890123456789\"; done; while true; do i=$((i+1)); echo \"chatty $i\"; sleep 1; done"]

            """);
        Assert.Equal(0, world.Apply().ExitCode);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken); // the drain follows the service
        Assert.Equal(0, await world.ExecAsync((await world.ContainersAsync()).Single().Value.Id, "touch", "/tmp/go")); // 20000 lines at once, then one a second
        var drains = (Gitops.Engine.Drains.LogDrains)server.App.Services.GetService(typeof(Gitops.Engine.Drains.LogDrains))!;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); drains.Status()[0].Dropped == 0 && DateTime.UtcNow < deadline; await Task.Delay(250, TestContext.Current.CancellationToken))
        {
        }

        // The burst is over once nothing more is dropped for 2 s (then a line a second fills a segment in minutes).
        // Until then the buffer still drops its oldest unshipped lines, and a batch shipped meanwhile would sit
        // before that gap: the order of the drop, not a loss out of order.
        for (var (last, stableSince, deadline) = (-1L, DateTime.UtcNow, DateTime.UtcNow.AddSeconds(60)); DateTime.UtcNow < deadline; await Task.Delay(250, TestContext.Current.CancellationToken))
        {
            var dropped = drains.Status()[0].Dropped;
            if (dropped != last)
            {
                (last, stableSince) = (dropped, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(2))
            {
                break;
            }
        }

        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        var stats = JsonDocument.Parse(world.Paas("logs", "--stats", "-o", "json").Output).RootElement.GetProperty("drains")[0];
        receiver.Start();
        await WaitForAsync(() => !receiver.Requests.IsEmpty, receiver, "nothing arrived once the receiver was back");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        var shipped = Records(receiver).Select(r => Number(r, 1)).ToList();

        Assert.True(stats.GetProperty("dropped").GetInt64() > 100, stats.ToString());
        Assert.True(stats.GetProperty("pendingBytes").GetInt64() <= 96 * 1024, stats.ToString());
        Assert.True(shipped[0] > 1000, $"the first line shipped is {shipped[0]}: the oldest should have gone"); // the buffer holds a few hundred
        Assert.Equal(Enumerable.Range(shipped[0], shipped.Count), shipped); // from the oldest kept on, none lost and in order
    }

    private static List<JsonElement> Records(HttpReceiver receiver) =>
        receiver.Requests.SelectMany(r => Gunzip(r.Body).Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static string Gunzip(byte[] body)
    {
        using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    /// <summary>A runtime line's service; a deploy line has none.</summary>
    private static string? Service(JsonElement record) => record.TryGetProperty("service", out var service) ? service.GetString() : null;

    /// <summary>The number in a line's message, at word <paramref name="word"/> ("v1 out 42": 2; "chatty 42 …": 1).</summary>
    private static int Number(JsonElement record, int word) => Number(record.GetProperty("message").GetString()!, word);

    private static int Number(string message, int word) => int.Parse(message.Split(' ')[word], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task WaitForAsync(Func<bool> done, HttpReceiver receiver, string failure)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline; await Task.Delay(250, TestContext.Current.CancellationToken))
        {
            if (done())
            {
                return;
            }
        }

        Assert.Fail($"{failure}; {receiver.Requests.Count} requests received");
    }
}
