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

    public static async Task<InProcessServer> StartAsync(string dataDirectory, TimeSpan poll)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var token = "";
        var app = PaasServer.Build(new ServerOptions { DataDirectory = dataDirectory, Listen = url, PollInterval = poll }, TextWriter.Null, t => token = t);
        await app.StartAsync();
        return new InProcessServer(app, new HttpClient { BaseAddress = new Uri(url) }, url, token);
    }

    /// <summary>Reconciles finished so far, as /metrics reports them.</summary>
    public async Task<long> ReconcilesAsync()
    {
        var metrics = await Http.GetStringAsync("/metrics");
        return long.Parse(metrics.Split('\n').Single(l => l.StartsWith("paas_reconciles_total ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
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
