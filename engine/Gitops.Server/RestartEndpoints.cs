using Gitops.Engine.Access;
using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Operations;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary><c>paas restart</c> through the server: deployer role; run between two reconciles, never beside one; answered with the deployment once it ended.</summary>
internal static class RestartEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/environments/{project}/{environment}/services/{service}/restart", RestartAsync).OnEnvironment(Role.Deployer);

    private static async Task<IResult> RestartAsync(HttpContext http, StateStore state, PlatformConfig platform, ServerOptions options, ReconcileWorker worker,
        PlatformMetrics metrics, Gitops.Engine.Notifications.NotificationSink notify, Microsoft.Extensions.Logging.ILogger<ReconcileWorker> logger,
        string project, string environment, string service, CancellationToken cancellationToken)
    {
        var principal = AccessFilter.PrincipalOf(http)!;
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, options.DataDirectory);
        // Its deploy events reach the audit log, the metrics and the notification channels like the loop's.
        var hooks = ExecutionHooks.FromEnvironment() with { Events = ServerEvents.Sinks(new Gitops.Engine.Audit.AuditLog(state), metrics, notify, logger) };
        var restarts = new ServiceRestart(state, platform, ProviderRegistry.Default.Connect, ingress, new Progress<ExecutorEvent>(), hooks);
        try
        {
            var deployment = await worker.ExclusiveAsync(t => restarts.RestartAsync(project, environment, service, $"{principal.Name} ({principal.Via})", null, t), cancellationToken).ConfigureAwait(false);
            return Results.Ok(deployment);
        }
        catch (ServiceRefusedException e)
        {
            return e.NotFound ? Results.NotFound(new { error = e.Message }) : Results.BadRequest(new { error = e.Message });
        }
        catch (PlanRefusedException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }
    }
}
