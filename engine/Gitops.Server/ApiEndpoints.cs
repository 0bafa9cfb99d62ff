using Gitops.Engine.Access;
using Gitops.Engine.Ingress;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Server.Access;
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
        var api = app.MapGroup("/api/v1").AddEndpointFilter(AccessFilter.InvokeAsync);
        // project and environment in a query only narrow a list: what is listed is filtered per environment.
        api.MapGet("/deployments", (HttpContext http, StateStore state, string? project, string? environment, int? limit) =>
            VisibleIn(http, state, state.History(project, environment, 500), d => (d.Project, d.Environment)).Take(Math.Clamp(limit ?? 50, 1, 500)).ToList()).SignedIn();
        api.MapGet("/deployments/{id}", (StateStore state, string id) =>
            state.Deployment(id) is { } deployment ? Results.Ok(deployment) : NotFound($"no deployment {id}")).OnDeployment(Role.Viewer);
        api.MapGet("/deployments/{id}/logs", DeploymentLog).OnDeployment(Role.Viewer);
        api.MapGet("/deployments/{id}/logs/stream", StreamLogAsync).OnDeployment(Role.Viewer);
        api.MapGet("/environments", EnvironmentsAsync).SignedIn();
        api.MapPost("/environments/{project}/{environment}/suspend", (StateStore state, string project, string environment) =>
            Suspend(state, project, environment, true)).OnEnvironment(Role.Deployer);
        api.MapPost("/environments/{project}/{environment}/resume", (StateStore state, ReconcileQueue queue, string project, string environment) =>
        {
            var result = Suspend(state, project, environment, false);
            queue.Enqueue(project); // resuming deploys what the branch holds now
            return result;
        }).OnEnvironment(Role.Deployer);
        api.MapPost("/environments/{project}/{environment}/rollback", RollbackAsync).OnEnvironment(Role.Deployer);
        api.MapPost("/environments/{project}/{environment}/rollback/clear", (StateStore state, string project, string environment) =>
            Results.Ok(new { changed = new EnvironmentRecords(state).Unpin(project, environment) })).OnEnvironment(Role.Deployer);
        api.MapPost("/sync/{project}", (ReconcileQueue queue, string project) => Results.Accepted(value: new { enqueued = queue.Enqueue(project) })).OnProject(Role.Deployer);
        RepositoryEndpoints.Map(api);
        SecretEndpoints.Map(api);
        CronEndpoints.Map(api);
        HistoryEndpoints.Map(api);
        BackupEndpoints.Map(api);
        ServiceLogEndpoints.Map(api);
        ExecEndpoints.Map(api);
        RestartEndpoints.Map(api);
        PromoteEndpoints.Map(api);
        NotificationEndpoints.Map(api);
        PeopleEndpoints.Map(api);
    }

    public sealed record RollbackRequest(string? To);

    /// <summary>Rolls back between two reconciles (never beside one), then answers with the deployment that did it.</summary>
    private static async Task<IResult> RollbackAsync(StateStore state, PlatformConfig platform, ServerOptions options, ReconcileWorker worker, string project, string environment, RollbackRequest request, CancellationToken cancellationToken)
    {
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, options.DataDirectory);
        var rollbacks = new Rollbacks(state, platform, ProviderRegistry.Default.Connect, ingress, new Progress<Gitops.Engine.Execution.ExecutorEvent>());
        RollbackResult result;
        try
        {
            // The target is chosen inside the exclusive section: a deploy still running finishes
            // first, and "the previous deployment" is then the one before it.
            result = await worker.ExclusiveAsync(t => rollbacks.RollbackAsync(rollbacks.Choose(project, environment, request.To), null, t), cancellationToken).ConfigureAwait(false);
        }
        catch (RollbackRefusedException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }

        return Results.Ok(new { target = result.Target.Id, deployment = result.Deployment, pinned = result.Pinned });
    }

    /// <summary>Platform-wide lists of projects show only the projects the principal may know of.</summary>
    internal static List<T> Visible<T>(HttpContext http, StateStore state, IEnumerable<T> items, Func<T, string> project)
    {
        var principal = AccessFilter.PrincipalOf(http)!;
        var people = new People(state);
        return items.Where(i => principal.Sees(people.OrganizationOf(project(i)), project(i))).ToList();
    }

    /// <summary>Lists of environments' things show each only to those with a role on its environment (an environment grant shows that one).</summary>
    internal static List<T> VisibleIn<T>(HttpContext http, StateStore state, IEnumerable<T> items, Func<T, (string Project, string? Environment)> place)
    {
        var principal = AccessFilter.PrincipalOf(http)!;
        var people = new People(state);
        return items.Where(i => place(i) is var (project, environment) && Authorizer.MaySee(principal, people.OrganizationOf(project), project, environment)).ToList();
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

    /// <summary>
    /// A deployment's log as server-sent events: the lines so far, then each new one as it is
    /// written, and an <c>end</c> event with the final status once the deployment finished.
    /// </summary>
    private static async Task StreamLogAsync(HttpContext http, StateStore state, string id, CancellationToken cancellationToken)
    {
        if (state.Deployment(id) is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var sent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var finished = state.Deployment(id)!.Status != DeploymentStatus.Running;
            foreach (var line in state.LogOf(id, sent))
            {
                await http.Response.WriteAsync($"data: {System.Text.Json.JsonSerializer.Serialize(line, Json)}\n\n", cancellationToken).ConfigureAwait(false);
                sent++;
            }

            if (finished)
            {
                await http.Response.WriteAsync($"event: end\ndata: {System.Text.Json.JsonSerializer.Serialize(new { status = state.Deployment(id)!.Status }, Json)}\n\n", cancellationToken).ConfigureAwait(false);
                return;
            }

            await http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase) },
    };

    private static async Task<IResult> EnvironmentsAsync(HttpContext http, StateStore state, PlatformConfig platform, string? project, CancellationToken cancellationToken)
    {
        var records = new EnvironmentRecords(state);
        var statuses = new List<EnvironmentStatus>();
        // The environments the server syncs, and those applied on this machine before it ran (paas apply): both run here.
        var applied = state.Environments().Where(k => (project is null || k.Project == project) && state.LastSucceeded(k.Project, k.Environment) is { Desired.Revision: not "destroy" });
        var known = records.Known(project).Union(applied).OrderBy(k => k.Project, StringComparer.Ordinal).ThenBy(k => k.Environment, StringComparer.Ordinal).ToList();
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, state.DataDirectory); // says public services' addresses; contacted by nothing here
        foreach (var (p, environment) in VisibleIn(http, state, known, k => (k.Project, (string?)k.Environment)))
        {
            statuses.Add(await ReadStatusAsync(state, platform, ingress, records, p, environment, cancellationToken).ConfigureAwait(false));
        }

        // A project the caller may not see answers as one that does not exist: the list is no oracle of other tenants' names.
        return project is not null && statuses.Count == 0
            && !(new RepositoryRegistry(state).List().Any(r => r.Project == project) && VisibleIn(http, state, [project], p => (p, (string?)null)).Count > 0)
            ? NotFound($"no project {project}")
            : Results.Ok(statuses);
    }

    private static async Task<EnvironmentStatus> ReadStatusAsync(StateStore state, PlatformConfig platform, IIngress? ingress, EnvironmentRecords records, string project, string environment, CancellationToken cancellationToken)
    {
        var target = records.LastSync(project, environment)?.Target ?? "local";
        try
        {
            using var connection = ProviderRegistry.Default.Connect(platform.Target(target));
            return await EnvironmentStatusReader.ReadAsync(state, connection.Driver, connection.IngressOr(ingress), project, environment, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or KeyNotFoundException or TargetException)
        {
            // The target is down: still say what was applied, and that health is unknown (its own front door, if it has one, is unknown too).
            return await EnvironmentStatusReader.ReadAsync(state, null, null, project, environment, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IResult Suspend(StateStore state, string project, string environment, bool suspended)
    {
        var changed = new EnvironmentRecords(state).Suspend(project, environment, suspended);
        return Results.Ok(new { project, environment, suspended, changed });
    }

    private static IResult NotFound(string error) => Results.NotFound(new { error });
}
