using System.Text.Json;
using System.Text.Json.Serialization;
using Gitops.Engine.Access;
using Gitops.Engine.Operations;
using Gitops.Engine.Targets;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// A service's application logs as server-sent events (<c>paas logs SERVICE</c> in remote mode, the
/// dashboard's live view): one <c>data:</c> event per line, then an <c>end</c> event unless following.
/// A wrong service or a target that cannot give logs is an error status before any event.
/// </summary>
internal static class ServiceLogEndpoints
{
    /// <summary>A comment line now and then keeps an idle follow open through proxies that close silent connections.</summary>
    private static readonly TimeSpan KeepAliveEvery = TimeSpan.FromSeconds(15);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/environments/{project}/{environment}/services/{service}/logs", StreamAsync).OnEnvironment(Role.Viewer);
        // Every project's logs at once: the platform's administrators only.
        api.MapGet("/logs/stats", (LogCompaction compaction) => compaction.Stats()).ForPlatform();
        api.MapPost("/logs/compact", (LogCompaction compaction) => compaction.Compact()).ForPlatform();
        api.MapGet("/drains", (Gitops.Engine.Drains.LogDrains drains) => drains.Status()).ForPlatform();
    }

    private static async Task StreamAsync(HttpContext http, ServiceLogs logs, ServerOptions options, string project, string environment, string service,
        string? since, int? tail, int? replica, bool? follow, CancellationToken cancellationToken)
    {
        IAsyncEnumerable<RuntimeLogLine> lines;
        try
        {
            var from = since is null ? (DateTimeOffset?)null : LogSince.Parse(since, options.Clock.GetUtcNow(), out var error) ?? throw new ServiceRefusedException(error!, notFound: false);
            lines = logs.Open(new RuntimeLogQuery(project, environment, service, from, tail is { } t ? Math.Max(t, 0) : null, replica, follow ?? false));
        }
        catch (ServiceRefusedException e)
        {
            http.Response.StatusCode = e.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            await http.Response.WriteAsJsonAsync(new { error = e.Message }, cancellationToken).ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var writing = new SemaphoreSlim(1, 1);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keepAlive = KeepAliveAsync(http, writing, done.Token);
        try
        {
            await WriteAsync(http, writing, ": streaming\n\n", cancellationToken).ConfigureAwait(false);
            await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await WriteAsync(http, writing, $"data: {JsonSerializer.Serialize(line, Json)}\n\n", cancellationToken).ConfigureAwait(false);
            }

            await WriteAsync(http, writing, "event: end\ndata: {}\n\n", cancellationToken).ConfigureAwait(false);
        }
        catch (TargetException e)
        {
            // Headers are sent: the failure is the last event, and the stream ends.
            await WriteAsync(http, writing, $"event: error\ndata: {JsonSerializer.Serialize(new { error = e.Message }, Json)}\n\n", cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
            await keepAlive.ConfigureAwait(false);
        }
    }

    private static async Task KeepAliveAsync(HttpContext http, SemaphoreSlim writing, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(KeepAliveEvery, cancellationToken).ConfigureAwait(false);
                await WriteAsync(http, writing, ": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WriteAsync(HttpContext http, SemaphoreSlim writing, string text, CancellationToken cancellationToken)
    {
        await writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await http.Response.WriteAsync(text, cancellationToken).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writing.Release();
        }
    }
}
