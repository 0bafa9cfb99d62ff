using Gitops.Providers.Caddy;

namespace Gitops.IntegrationTests;

/// <summary>
/// The ingress counts requests from the router's access log: from where it last stopped, across the
/// file rolling over, without a line Caddy is still writing. Files written here in Caddy 2.6's
/// format; the autoscaling tests read the real Caddy's.
/// </summary>
public sealed class AccessLogTrafficTests : IDisposable
{
    private static long _sequence;

    private readonly string _data = Directory.CreateTempSubdirectory("paas-access-").FullName;

    [Fact]
    public async Task Requests_are_counted_per_host_from_the_last_read_across_a_roll_over_and_a_half_written_line()
    {
        using var ingress = new CaddyIngress(new CaddyOptions { AdminPort = FreePort.Next(), RouterPort = FreePort.Next() }, _data);
        var log = ingress.AccessLogPath;
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        await File.WriteAllTextAsync(log, Entry("old.localhost", 0.5) + "\n", TestContext.Current.CancellationToken);

        Assert.Null(await ingress.ReadTrafficAsync(TestContext.Current.CancellationToken)); // marks the end: what came before is not counted
        await File.AppendAllTextAsync(log, Entry("web.localhost:8443", 0.010) + "\n" + Entry("web.localhost:8443", 0.030) + "\n" + Entry("api.localhost", 0.002) + "\n" + Entry("web.localhost", 0.020)[..40], TestContext.Current.CancellationToken);
        var first = await ingress.ReadTrafficAsync(TestContext.Current.CancellationToken);

        // The half-written line ends; then Caddy rolls the file over and writes on in a new one.
        await File.AppendAllTextAsync(log, Entry("web.localhost", 0.020)[40..] + "\n", TestContext.Current.CancellationToken);
        File.Move(log, log.Replace("access.log", "access-2026-12-02T12-00-00.000.log", StringComparison.Ordinal));
        await File.WriteAllTextAsync(log, Entry("web.localhost", 0.040) + "\n", TestContext.Current.CancellationToken);
        var second = await ingress.ReadTrafficAsync(TestContext.Current.CancellationToken);

        Assert.Equal((2, 1), (first!.Hosts["web.localhost"].Requests, first.Hosts["api.localhost"].Requests));
        Assert.False(first.Hosts.ContainsKey("old.localhost"));
        Assert.Equal(30, first.Of(["web.localhost"]).P95Ms!.Value, 3);
        Assert.Equal([20f, 40f], second!.Hosts["web.localhost"].DurationsMs.Order().ToArray());
        Assert.Equal(2, second.Hosts["web.localhost"].Requests); // the line finished in the old file, and the new file's
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>An entry as the router writes it: Caddy 2.6's access entry, its headers, URI and client address filtered out.</summary>
    private static string Entry(string host, double seconds) =>
        $$"""{"level":"info","ts":{{(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + Interlocked.Increment(ref _sequence) / 1e6).ToString("0.0000000", System.Globalization.CultureInfo.InvariantCulture)}},"logger":"http.log.access","msg":"handled request","request":{"proto":"HTTP/1.1","method":"GET","host":"{{host}}"},"duration":{{seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"size":2,"status":200}""";
}
