using System.Globalization;
using Gitops.Server;
using Microsoft.AspNetCore.Builder;

namespace Gitops.IntegrationTests;

/// <summary><c>paas server</c> in the test process, on a free loopback port, with its admin token.</summary>
internal sealed record InProcessServer(WebApplication App, HttpClient Http, string Url, string Token) : IAsyncDisposable
{
    /// <summary>A data directory the test made for this server alone, deleted with it.</summary>
    public string? OwnedDirectory { get; init; }

    /// <summary>The server's own state store, to check what a request did (or did not do).</summary>
    public Gitops.Engine.State.StateStore State => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Gitops.Engine.State.StateStore>(App.Services);

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <param name="clock">The clock crons are scheduled by (a test moves it ahead); the system's by default.</param>
    public static async Task<InProcessServer> StartAsync(string dataDirectory, TimeSpan poll, TimeProvider? clock = null)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var token = "";
        var app = PaasServer.Build(new ServerOptions { DataDirectory = dataDirectory, Listen = url, PollInterval = poll, Clock = clock ?? TimeProvider.System }, TextWriter.Null, t => token = t);
        await app.StartAsync();
        return new InProcessServer(app, new HttpClient { BaseAddress = new Uri(url) }, url, token);
    }

    /// <summary>
    /// Reconcile passes this server finished. Read from its worker, not from /metrics: the platform's
    /// Meter is one per process, and other tests' servers run in this one.
    /// </summary>
    public Task<long> ReconcilesAsync() =>
        Task.FromResult(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ReconcileWorker>(App.Services).Completed);

    /// <summary>
    /// The sum of a metric's series in Prometheus' text format (<c>name{labels} value [timestamp]</c>),
    /// or null before the metric has a value (OpenTelemetry exports a counter once it was added to).
    /// </summary>
    public static double? Metric(string exposition, string name, string? label = null)
    {
        var values = exposition.Split('\n')
            .Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
            .Where(l => label is null || l.Contains(label, StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf('}') is var end and >= 0 ? end + 1 : name.Length)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();
        return values.Count == 0 ? null : values.Sum();
    }

    public async Task WaitForReconcilesAsync(long count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await ReconcilesAsync() < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} reconciles after {Patience}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (OwnedDirectory is not null)
        {
            Directory.Delete(OwnedDirectory, recursive: true);
        }
    }
}
