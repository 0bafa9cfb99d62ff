using Gitops.Engine.Access;
using Gitops.Engine.Forges;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// <c>paas promote</c> through the server, which owns the repository cache the loop fetches into.
/// Authorized as a deployer of the target environment (the route's), and as someone who may see
/// the source environment, whose running commit it publishes.
/// </summary>
internal static class PromoteEndpoints
{
    public sealed record PromoteRequest(string? From, bool Merge);

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/environments/{project}/{environment}/promote", PromoteAsync).OnEnvironment(Role.Deployer);

    private static async Task<IResult> PromoteAsync(HttpContext http, StateStore state, PlatformConfig platform, ServerOptions options, ReconcileWorker worker, ReconcileQueue queue,
        string project, string environment, PromoteRequest request, CancellationToken cancellationToken)
    {
        if (request.From is not { Length: > 0 } from)
        {
            return Results.BadRequest(new { error = "give from: the environment whose running commit is promoted" });
        }

        var principal = AccessFilter.PrincipalOf(http)!;
        if (!Authorizer.MaySee(principal, new People(state).OrganizationOf(project), project, from))
        {
            return Results.Json(new { error = $"you have no role on {project}/{from}, the environment promoted from" }, statusCode: StatusCodes.Status403Forbidden);
        }

        var git = new GitSource(Path.Combine(options.DataDirectory, "repos"), platform.AllowFileUrls);
        try
        {
            // Between two reconciles: the loop fetches into the same repository cache.
            var result = await worker.ExclusiveAsync(async t =>
            {
                var pushed = new Promoter(state, git).Promote(project, from, environment, request.Merge);
                return !pushed.Merged && new Forges(state).Of(project) is { } forge
                    ? await new PromotionPullRequest(state, platform, git).OpenAsync(forge, project, from, environment, pushed, t).ConfigureAwait(false)
                    : pushed;
            }, cancellationToken).ConfigureAwait(false);
            if (result.Merged)
            {
                queue.Enqueue(project); // deploy the target's new commit now, not at the next poll
            }

            return Results.Ok(result);
        }
        catch (Exception e) when (e is InvalidOperationException or ForgeException or LibGit2Sharp.LibGit2SharpException)
        {
            return Results.BadRequest(new { error = e.Message });
        }
    }
}
