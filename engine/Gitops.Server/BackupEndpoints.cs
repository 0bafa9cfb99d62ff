using System.Text.Json;
using System.Threading.Channels;
using Gitops.Engine.Access;
using Gitops.Engine.Backups;
using Gitops.Engine.Crons;
using Gitops.Engine.Execution;
using Gitops.Engine.Operations;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// Backups through the server (<c>paas backup</c> against a server, which holds the state): list an
/// environment's backups (viewers), and run, drill or restore one (deployers of the environment).
/// A backup named by id must be of the route's environment; a restore into it from another of the
/// project's environments needs deployer there too, since it copies that environment's data. The
/// long ones answer as a stream of events: <c>progress</c> lines, then <c>result</c> or <c>error</c>.
/// </summary>
internal static class BackupEndpoints
{
    /// <summary>A manifest's names, on one line: an event's data is a single line.</summary>
    private static readonly JsonSerializerOptions Json = new(BackupManifest.Json) { WriteIndented = false };

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/environments/{project}/{environment}/backups", ListAsync).OnEnvironment(Role.Viewer);
        api.MapPost("/environments/{project}/{environment}/services/{service}/backups", RunAsync).OnEnvironment(Role.Deployer);
        api.MapPost("/environments/{project}/{environment}/backups/{id}/verify", VerifyAsync).OnEnvironment(Role.Deployer);
        api.MapPost("/environments/{project}/{environment}/backups/{id}/restore", RestoreAsync).OnEnvironment(Role.Deployer);
        api.MapPost("/admin/backups", PlatformAsync).ForPlatform();
    }

    /// <summary><c>paas admin backup</c> through the server, which holds the state: copied inside one transaction while its loops write.</summary>
    private static async Task PlatformAsync(HttpContext http, StateStore state, PlatformConfig platform, ServerOptions options, string? to, CancellationToken cancellationToken)
    {
        var destinations = new BackupDestinations(platform.Backups, options.DataDirectory, new SecretStore(state));
        var name = to ?? BackupDestinations.Default;
        if (!destinations.Names.Contains(name))
        {
            await AnswerAsync(http, StatusCodes.Status400BadRequest, $"no backup destination '{name}' in platform.yaml's backups: (it has {string.Join(", ", destinations.Names)})", cancellationToken).ConfigureAwait(false);
            return;
        }

        var by = AccessFilter.PrincipalOf(http)!;
        await StreamAsync(http, async (progress, t) =>
        {
            using var destination = destinations.Open(name);
            var manifest = await PlatformBackup.BackUpAsync(state, destination, options.Clock.GetUtcNow(), progress, t).ConfigureAwait(false);
            new Gitops.Engine.Audit.AuditLog(state).Append($"{by.Name} ({by.Via})", "admin backup", "platform", $"{manifest.Id} to {name}");
            return manifest;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A backup as listed: its manifest and its last drill.</summary>
    public sealed record BackupView(BackupManifest Backup, DrillResult? Drill);

    private static async Task<IResult> ListAsync(BackupsFactory factory, string project, string environment, string? service, CancellationToken cancellationToken)
    {
        var (backups, drills) = factory.Open(null);
        var (found, problems) = await backups.ListAsync(project, environment, service, cancellationToken).ConfigureAwait(false);
        return Results.Ok(new { backups = found.Select(b => new BackupView(b, drills.Records.Of(b.Id))).ToList(), problems });
    }

    private static async Task RunAsync(HttpContext http, BackupsFactory factory, StateStore state, string project, string environment, string service, string? to, CancellationToken cancellationToken)
    {
        try
        {
            RunningServices.Require(state, project, environment, service); // refused before the stream starts
        }
        catch (ServiceRefusedException e)
        {
            await AnswerAsync(http, e.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        await StreamAsync(http, factory, async (backups, drills, t) =>
        {
            var manifest = await backups.RunAsync(project, environment, service, to, t).ConfigureAwait(false);
            var verify = RunningServices.Require(state, project, environment, service).Extras.Backup?.Verify == true;
            return new BackupView(manifest, verify ? await drills.VerifyAsync(manifest.Id, t).ConfigureAwait(false) : null);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task VerifyAsync(HttpContext http, BackupsFactory factory, string project, string environment, string id, CancellationToken cancellationToken)
    {
        if (await OwnedAsync(http, factory, project, environment, id, cancellationToken).ConfigureAwait(false) is null)
        {
            return;
        }

        await StreamAsync(http, factory, async (_, drills, t) => await drills.VerifyAsync(id, t).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    private static async Task RestoreAsync(HttpContext http, BackupsFactory factory, StateStore state, string project, string environment, string id, CancellationToken cancellationToken)
    {
        // The route's environment is where it goes; the backup may be of another environment of the project.
        if (await FindAsync(http, factory, id, cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return;
        }

        var principal = AccessFilter.PrincipalOf(http)!;
        var organization = new People(state).OrganizationOf(manifest.Project);
        if (manifest.Project != project || !Authorizer.MaySee(principal, organization, manifest.Project, manifest.Environment))
        {
            await AnswerAsync(http, StatusCodes.Status404NotFound, $"no backup {id} in project {project}", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (Authorizer.Decide(principal, Role.Deployer, organization, manifest.Project, manifest.Environment) != AccessDecision.Allow)
        {
            await AnswerAsync(http, StatusCodes.Status403Forbidden, $"restoring {id} copies {manifest.Project}/{manifest.Environment}'s data: it needs the deployer role there too", cancellationToken).ConfigureAwait(false);
            return;
        }

        await StreamAsync(http, factory, async (backups, _, t) => new { restored = id, into = environment, check = await backups.RestoreAsync(id, environment, t).ConfigureAwait(false) }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The backup when it is of the route's environment; else a 404 already answered (another's backups are not told apart from none).</summary>
    private static async Task<BackupManifest?> OwnedAsync(HttpContext http, BackupsFactory factory, string project, string environment, string id, CancellationToken cancellationToken)
    {
        var manifest = await FindAsync(http, factory, id, cancellationToken).ConfigureAwait(false);
        if (manifest is not null && (manifest.Project != project || manifest.Environment != environment))
        {
            await AnswerAsync(http, StatusCodes.Status404NotFound, $"no backup {id} in {project}/{environment}", cancellationToken).ConfigureAwait(false);
            return null;
        }

        return manifest;
    }

    private static async Task<BackupManifest?> FindAsync(HttpContext http, BackupsFactory factory, string id, CancellationToken cancellationToken)
    {
        try
        {
            var (manifest, destination) = await factory.Open(null).Backups.FindAsync(id, cancellationToken).ConfigureAwait(false);
            destination.Dispose();
            return manifest;
        }
        catch (BackupRefusedException)
        {
            await AnswerAsync(http, StatusCodes.Status404NotFound, $"no backup {id}", cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> with its progress streamed as <c>progress</c> events, then its
    /// outcome as <c>result</c> or <c>error</c> (headers are sent by then: the status stays 200).
    /// </summary>
    private static Task StreamAsync<T>(HttpContext http, BackupsFactory factory, Func<Backups, RestoreDrills, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        StreamAsync(http, (progress, t) =>
        {
            var (backups, drills) = factory.Open(progress);
            return work(backups, drills, t);
        }, cancellationToken);

    private static async Task StreamAsync<T>(HttpContext http, Func<IProgress<string>, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var progress = new ChannelProgress(lines.Writer);
        var pump = Task.Run(async () =>
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await http.Response.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken);
        await lines.Writer.WriteAsync(": working\n\n", cancellationToken).ConfigureAwait(false);
        string last;
        try
        {
            last = $"event: result\ndata: {JsonSerializer.Serialize(await work(progress, cancellationToken).ConfigureAwait(false), Json)}\n\n";
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or KeyNotFoundException or TimeoutException or ServiceRefusedException)
        {
            var kind = e is BackupRefusedException or ServiceRefusedException or KeyNotFoundException ? "refused" : "failed";
            last = $"event: error\ndata: {JsonSerializer.Serialize(new { error = e.Message, kind }, Json)}\n\n";
        }

        lines.Writer.TryWrite(last);
        lines.Writer.Complete();
        await pump.ConfigureAwait(false);
    }

    private static async Task AnswerAsync(HttpContext http, int status, string error, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new { error }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Progress lines as <c>progress</c> events, in order, never blocking the work.</summary>
    private sealed class ChannelProgress(ChannelWriter<string> writer) : IProgress<string>
    {
        public void Report(string value) => writer.TryWrite($"event: progress\ndata: {JsonSerializer.Serialize(value)}\n\n");
    }
}

/// <summary>Backups and drills for one request, their events going where the server's go.</summary>
internal sealed class BackupsFactory(StateStore state, PlatformConfig platform, ServerOptions options, EngineHold hold, ExecutionHooks hooks)
{
    public (Backups Backups, RestoreDrills Drills) Open(IProgress<string>? progress)
    {
        var connect = CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect);
        var backups = new Backups(state, connect, new BackupDestinations(platform.Backups, options.DataDirectory, new SecretStore(state)), hooks, progress) { Hold = hold };
        return (backups, new RestoreDrills(state, connect, backups, new SecretStore(state), hooks, progress));
    }
}
