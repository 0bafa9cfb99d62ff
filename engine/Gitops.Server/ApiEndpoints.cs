using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Providers.Docker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gitops.Server;

/// <summary>
/// The JSON API under /api/v1, for the CLI's remote mode (and the UI later). Every route is
/// behind the bearer-token filter; nothing it returns holds a secret value.
/// </summary>
internal static class ApiEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter(async (context, next) =>
        {
            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
            return context.HttpContext.RequestServices.GetRequiredService<AdminToken>().Accepts(token)
                ? await next(context).ConfigureAwait(false)
                : Results.Unauthorized();
        });
        api.MapGet("/repositories", (StateStore state) => new RepositoryRegistry(state).List());
        api.MapGet("/deployments", (StateStore state, string? project, string? environment, int? limit) =>
            state.History(project, environment, Math.Clamp(limit ?? 50, 1, 500)));
        api.MapGet("/deployments/{id}", (StateStore state, string id) =>
            state.Deployment(id) is { } deployment ? Results.Ok(deployment) : NotFound($"no deployment {id}"));
        api.MapGet("/deployments/{id}/logs", DeploymentLog);
        api.MapGet("/environments", EnvironmentsAsync);
        api.MapPost("/environments/{project}/{environment}/suspend", (StateStore state, string project, string environment) =>
            Suspend(state, project, environment, true));
        api.MapPost("/environments/{project}/{environment}/resume", (StateStore state, ReconcileQueue queue, string project, string environment) =>
        {
            var result = Suspend(state, project, environment, false);
            queue.Enqueue(project); // resuming deploys what the branch holds now
            return result;
        });
        api.MapPost("/sync/{project}", (ReconcileQueue queue, string project) => Results.Accepted(value: new { enqueued = queue.Enqueue(project) }));
    }

    /// <summary>Log lines from position <paramref name="after"/> on; <c>finished</c> tells a follower when to stop.</summary>
    private static IResult DeploymentLog(StateStore state, string id, int? after)
    {
        if (state.Deployment(id) is not { } deployment)
        {
            return NotFound($"no deployment {id}");
        }

        var skip = Math.Max(0, after ?? 0);
        var lines = state.LogOf(id, skip);
        return Results.Ok(new { deployment = id, status = deployment.Status, lines, next = skip + lines.Count, finished = deployment.Status != DeploymentStatus.Running });
    }

    private static async Task<IResult> EnvironmentsAsync(StateStore state, PlatformConfig platform, string? project, CancellationToken cancellationToken)
    {
        var records = new EnvironmentRecords(state);
        var statuses = new List<EnvironmentStatus>();
        foreach (var (p, environment) in records.Known(project))
        {
            statuses.Add(await ReadStatusAsync(state, platform, records, p, environment, cancellationToken).ConfigureAwait(false));
        }

        return project is not null && statuses.Count == 0 && !new RepositoryRegistry(state).List().Any(r => r.Project == project)
            ? NotFound($"no project {project}")
            : Results.Ok(statuses);
    }

    private static async Task<EnvironmentStatus> ReadStatusAsync(StateStore state, PlatformConfig platform, EnvironmentRecords records, string project, string environment, CancellationToken cancellationToken)
    {
        var target = records.LastSync(project, environment)?.Target ?? "local";
        try
        {
            using var connection = DockerTarget.Connection(platform.Target(target));
            return await EnvironmentStatusReader.ReadAsync(state, connection.Driver, project, environment, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or KeyNotFoundException or Docker.DotNet.DockerApiException)
        {
            // The target is down: still say what was applied, and that health is unknown.
            return await EnvironmentStatusReader.ReadAsync(state, null, project, environment, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IResult Suspend(StateStore state, string project, string environment, bool suspended)
    {
        var changed = new EnvironmentRecords(state).Suspend(project, environment, suspended);
        return Results.Ok(new { project, environment, suspended, changed });
    }

    private static IResult NotFound(string error) => Results.NotFound(new { error });
}
