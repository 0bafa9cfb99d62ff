using Gitops.Engine.Access;
using Gitops.Engine.Crons;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// Crons through the server (<c>paas cron</c> in remote mode, the dashboard): what each environment
/// runs on which schedule, their runs with the output kept, and a run started by hand (deployer
/// role; the access filter audits it). A run is reached by its id alone, authorized on the
/// environment its own record names.
/// </summary>
internal static class CronEndpoints
{
    /// <summary>A cron as the API shows it: its definition, when it is next due, its latest runs.</summary>
    public sealed record CronView(string Name, string Service, string Schedule, string? TimeZone, string Timeout, string Concurrency, DateTimeOffset? Next, IReadOnlyList<CronRun> Runs);

    /// <summary>A run with its output: kept when it ended, read from its container while it runs.</summary>
    public sealed record RunView(CronRun Run, string Log);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/environments/{project}/{environment}/crons", (CronRunner runner, string project, string environment) =>
            runner.List(project, environment).Select(c => new CronView(
                c.Cron.Cron.Name, c.Cron.Service.Name, c.Cron.Cron.Schedule, c.Cron.Cron.TimeZone, c.Cron.Cron.Timeout.ToString(),
                c.Cron.Cron.Concurrency.ToString().ToLowerInvariant(), c.Next, runner.Runs.History(project, environment, c.Cron.Cron.Name, 5))).ToList())
            .OnEnvironment(Role.Viewer);
        api.MapGet("/environments/{project}/{environment}/crons/{cron}/runs", (CronRunner runner, string project, string environment, string cron, int? limit) =>
            runner.Runs.History(project, environment, cron, Math.Clamp(limit ?? 20, 1, CronRuns.KeptPerCron))).OnEnvironment(Role.Viewer);
        api.MapPost("/environments/{project}/{environment}/crons/{cron}/runs", RunAsync).OnEnvironment(Role.Deployer);
        api.MapGet("/cron-runs/{id}", async (CronRunner runner, string id, CancellationToken cancellationToken) =>
            runner.Runs.Get(id) is { } run
                ? Results.Ok(new RunView(run, await runner.LogAsync(run, cancellationToken).ConfigureAwait(false)))
                : Results.NotFound(new { error = $"no cron run {id}" })).OnCronRun(Role.Viewer);
    }

    private static async Task<IResult> RunAsync(HttpContext http, CronRunner runner, string project, string environment, string cron, CancellationToken cancellationToken)
    {
        var principal = AccessFilter.PrincipalOf(http)!;
        try
        {
            var run = await runner.RunNowAsync(project, environment, cron, $"{principal.Name} ({principal.Via})", cancellationToken).ConfigureAwait(false);
            return Results.Accepted($"/api/v1/cron-runs/{run.Id}", run);
        }
        catch (CronRefusedException e)
        {
            return Results.Conflict(new { error = e.Message });
        }
    }
}
