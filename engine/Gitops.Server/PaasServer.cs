using System.Text.Json;
using System.Text.Json.Serialization;
using Gitops.Engine.Audit;
using Gitops.Engine.Crons;
using Gitops.Engine.Execution;
using Gitops.Engine.Notifications;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Events;
using Gitops.Engine.Targets;
using OpenTelemetry.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gitops.Server;

/// <summary>
/// <c>paas server</c>: one process owning the data directory, hosting the reconcile loop (poller
/// and worker), the webhook endpoint, the JSON API under /api/v1 and /healthz, /metrics.
/// </summary>
public static class PaasServer
{
    /// <param name="announce">Where the admin token is shown, once, at the first start.</param>
    /// <param name="keepAdminToken">Instead of showing it, hand the new admin token to the caller (the quickstart saves it as a login).</param>
    public static WebApplication Build(ServerOptions options, TextWriter announce, Action<string>? keepAdminToken = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(announce);
        // The dashboard (ui/, built by Vite into wwwroot) is served from the binaries' folder.
        TransportPolicy.CheckListen(options.Listen, options.InsecureHttp, options.TlsCertificate is not null && options.TlsKey is not null);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot") });
        builder.WebHost.UseUrls(options.Listen);
        if (options is { TlsCertificate: { } certificate, TlsKey: { } key })
        {
            var loaded = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, key);
            builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves TLS out until asked
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = loaded));
        }
        if (options.JsonLogs)
        {
            // The [LoggerMessage] templates' named values become fields of each object ("State").
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(j => j.UseUtcTimestamp = true);
        }

        if (options.LogFile is { } logFile)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new FileLoggerProvider(logFile));
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxWebhookBytes);
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            j.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });

        var state = StateStore.Open(options.DataDirectory);
        var platform = PlatformConfig.Load(options.DataDirectory);
        try
        {
            // No start without the key that opens the stored secrets; a new platform makes one.
            MasterKey.Load(options.DataDirectory, create: state.Collection("secrets").Count() == 0);
        }
        catch
        {
            state.Dispose();
            throw;
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(platform);
        var queue = new ReconcileQueue();
        builder.Services.AddSingleton(queue);
        builder.Services.AddSingleton(new PlatformMetrics(() => queue.Depth));
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(PlatformMetrics.MeterName).AddPrometheusExporter());
        builder.Services.AddSingleton(new Webhooks(new SecretStore(state), new WebhookDeliveries(state)));
        builder.Services.AddSingleton(new AdminToken(state));
        builder.Services.AddSingleton<ReconcileWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ReconcileWorker>());
        builder.Services.AddHostedService<Poller>();
        builder.Services.AddHostedService<FirewallKeeper>();
        builder.Services.AddHostedService<AutoscaleWorker>();
        builder.Services.AddHostedService<HealthWorker>();
        builder.Services.AddSingleton(new NotificationSink(state, platform.Notifications));
        builder.Services.AddSingleton(_ => new NotificationDispatcher(state, platform.Notifications, options.Clock)); // made by the container, so disposed with it
        builder.Services.AddHostedService<NotifyWorker>();
        builder.Services.AddSingleton(s => new CronRunner(state, CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect), new SecretStore(state),
            new ExecutionHooks(options.Clock, CrashHooks.FromEnvironment()) { Events = ServerEvents.Sinks(new AuditLog(state), s.GetRequiredService<PlatformMetrics>(), s.GetRequiredService<NotificationSink>(), s.GetRequiredService<ILogger<CronWorker>>()) }));
        builder.Services.AddHostedService<CronWorker>();
        builder.Services.AddSingleton(s =>
        {
            var hooks = new ExecutionHooks(options.Clock, CrashHooks.FromEnvironment()) { Events = ServerEvents.Sinks(new AuditLog(state), s.GetRequiredService<PlatformMetrics>(), s.GetRequiredService<NotificationSink>(), s.GetRequiredService<ILogger<BackupWorker>>()) };
            var destinations = new Gitops.Engine.Backups.BackupDestinations(platform.Backups, options.DataDirectory, new SecretStore(state));
            var connect = CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect);
            var backups = new Gitops.Engine.Backups.Backups(state, connect, destinations, hooks) { Hold = s.GetRequiredService<ReconcileWorker>().Hold };
            return new Gitops.Engine.Backups.BackupScheduler(state, backups, new Gitops.Engine.Backups.RestoreDrills(state, connect, backups, new SecretStore(state), hooks), hooks);
        });
        builder.Services.AddSingleton(s =>
        {
            var hooks = new ExecutionHooks(options.Clock, CrashHooks.FromEnvironment()) { Events = ServerEvents.Sinks(new AuditLog(state), s.GetRequiredService<PlatformMetrics>(), s.GetRequiredService<NotificationSink>(), s.GetRequiredService<ILogger<BackupWorker>>()) };
            return new Gitops.Engine.Backups.PlatformBackupScheduler(state, new Gitops.Engine.Backups.BackupDestinations(platform.Backups, options.DataDirectory, new SecretStore(state)), platform.PlatformBackup, hooks);
        });
        builder.Services.AddHostedService<BackupWorker>();
        builder.Services.AddSingleton(s => new BackupsFactory(state, platform, options, s.GetRequiredService<ReconcileWorker>().Hold,
            new ExecutionHooks(options.Clock, CrashHooks.FromEnvironment()) { Events = ServerEvents.Sinks(new AuditLog(state), s.GetRequiredService<PlatformMetrics>(), s.GetRequiredService<NotificationSink>(), s.GetRequiredService<ILogger<BackupWorker>>()) }));
        builder.Services.AddSingleton(new Gitops.Engine.Operations.ServiceLogs(state, CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect), platform.Logs, options.Clock));
        builder.Services.AddSingleton(new Gitops.Engine.Operations.LogCompaction(state, platform.Logs, options.Clock));
        builder.Services.AddHostedService<LogCompactionWorker>();
        builder.Services.AddSingleton(_ => new Gitops.Engine.Drains.LogDrains(state, platform, options.DataDirectory, CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect), options.Clock));
        builder.Services.AddHostedService<DrainWorker>();
        builder.Services.AddSingleton(new Gitops.Engine.Operations.ServiceExec(state, CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect)));
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownGrace);

        var app = builder.Build();
        if (app.Services.GetRequiredService<AdminToken>().CreateIfMissing() is { } token)
        {
            if (keepAdminToken is not null)
            {
                keepAdminToken(token);
            }
            else
            {
                announce.WriteLine($"admin token (shown once; keep it): {token}");
            }
        }

        app.Lifetime.ApplicationStopped.Register(state.Dispose);
        app.Use(SecurityHeaders);
        app.UseWebSockets(); // paas exec (ExecEndpoints)
        app.UseDefaultFiles();
        app.UseStaticFiles();
        MapEndpoints(app);
        return app;
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        // PlatformMetrics in Prometheus' text format, for platform administrators only (they name every project).
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(Access.MetricsAccess.RequirePlatformAsync), optionsName: null);
        app.MapPost("/hooks/{project}", ReceiveWebhookAsync);

        ApiEndpoints.Map(app);
    }

    /// <summary>The page may load only its own files and talk only to its own origin; it is never framed.</summary>
    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        return next();
    }

    private static async Task<IResult> ReceiveWebhookAsync(HttpContext context, string project, Webhooks webhooks, ReconcileQueue queue, ServerOptions options, StateStore state)
    {
        var logger = context.RequestServices.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Webhooks>>();
        if (context.Request.ContentLength > options.MaxWebhookBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        if (webhooks.Verify(project, headers, body.ToArray()) is { } reason)
        {
            Log.WebhookRefused(logger, project, reason);
            return Results.Json(new { error = Webhooks.Refused }, statusCode: StatusCodes.Status401Unauthorized); // one answer for every refusal: no oracle of which projects exist
        }

        // A pull request's event (signed, so the forge's word) is recorded for the preview pass; the
        // reconcile fetches its head from the registered repository, never from the payload.
        try
        {
            if (Gitops.Engine.Previews.PullRequestEvent.Read(headers, body.ToArray()) is { } pullRequest)
            {
                new Gitops.Engine.Previews.PreviewRecords(state).Note(project, pullRequest, options.Clock.GetUtcNow());
            }
        }
        catch (FormatException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }

        queue.Enqueue(project);
        Log.WebhookAccepted(logger, project);
        return Results.Accepted();
    }
}
