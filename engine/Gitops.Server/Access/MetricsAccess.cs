using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.State;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gitops.Server.Access;

/// <summary>
/// /metrics names every project and environment with its deploy counts, so only the platform's
/// administrators may read it (a Prometheus scrape job sends a platform token as a bearer token);
/// anyone else learns nothing about which projects exist. The exporter is a plain endpoint,
/// outside the API's endpoint filter, so the same decision is made here, as middleware of its branch.
/// </summary>
internal static class MetricsAccess
{
    public static async Task RequirePlatformAsync(HttpContext http, Func<Task> next)
    {
        var principal = AccessFilter.Resolve(http);
        switch (Authorizer.Platform(principal))
        {
            case AccessDecision.Allow:
                await next().ConfigureAwait(false);
                return;
            case AccessDecision.Unauthenticated:
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            default:
                new AuditLog(http.RequestServices.GetRequiredService<StateStore>()).Append($"{principal!.Name} ({principal.Via})", "GET /metrics", "platform", "refused (forbidden)");
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
        }
    }
}
