using Gitops.Engine.Access;
using Gitops.Engine.Reconcile;
using Gitops.Engine.State;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// An environment's deployments per day (the dashboard's history chart): its viewers only, decided
/// from the route's project and environment like every environment route; counts and durations, nothing else.
/// </summary>
internal static class HistoryEndpoints
{
    /// <summary>Deployments read for one answer at most: far more than 90 days of a busy environment.</summary>
    private const int MaxDeployments = 10_000;

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/environments/{project}/{environment}/history", (StateStore state, string project, string environment, int? days) =>
        {
            var span = Math.Clamp(days ?? 30, 1, DeployHistory.MaxDays);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var since = new DateTimeOffset(today.AddDays(1 - span).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return Results.Ok(DeployHistory.Of(project, environment, state.Since(project, environment, since, MaxDeployments), today, span));
        }).OnEnvironment(Role.Viewer);
}
