using Gitops.Engine.Access;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Schema.Validation;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// App secrets through the server (the CLI's remote mode): names and versions out, values only in.
/// A value is never echoed, logged or audited (the audit entry names the route and project only).
/// </summary>
internal static class SecretEndpoints
{
    /// <summary>Far above any real secret; keeps the store from becoming a blob store.</summary>
    public const int MaxValueLength = 64 * 1024;

    /// <summary>A value for the whole project, or for the environment it names (authorized as that environment).</summary>
    public sealed record SecretRequest(string? Value, string? Environment) : INamesEnvironment;

    public static void Map(RouteGroupBuilder api)
    {
        // Names and versions; values never leave the store. Each environment's secrets only to those with a role on it.
        api.MapGet("/projects/{project}/secrets", (HttpContext http, StateStore state, string project) =>
            ApiEndpoints.VisibleIn(http, state, new SecretStore(state).List(project), s => (s.Project, s.Environment == SecretStore.AllEnvironments ? null : s.Environment))).ListingInProject();
        api.MapPut("/projects/{project}/secrets/{name}", Set).OnProject(Role.Admin);
        api.MapPut("/projects/{project}/environments/{environment}/secrets/{name}", (StateStore state, ReconcileQueue queue, string project, string environment, string name, SecretRequest request) =>
            request.Environment is { } named && named != environment
                ? Results.BadRequest(new { error = $"environment: the body names '{named}' but the route '{environment}'" })
                : Set(state, queue, project, name, request with { Environment = environment })).OnEnvironment(Role.Admin);
        api.MapDelete("/projects/{project}/secrets/{name}", (StateStore state, ReconcileQueue queue, string project, string name) =>
            Remove(state, queue, project, null, name)).OnProject(Role.Admin);
        api.MapDelete("/projects/{project}/environments/{environment}/secrets/{name}", (StateStore state, ReconcileQueue queue, string project, string environment, string name) =>
            Remove(state, queue, project, environment, name)).OnEnvironment(Role.Admin);
    }

    private static IResult Remove(StateStore state, ReconcileQueue queue, string project, string? environment, string name)
    {
        var removed = new SecretStore(state).Remove(project, environment, name);
        queue.Enqueue(project);
        return Results.Ok(new { project, environment, name, removed });
    }

    private static IResult Set(StateStore state, ReconcileQueue queue, string project, string name, SecretRequest request)
    {
        var problem = !Grammar.EnvKey().IsMatch(name) ? $"secret name '{name}': letters, digits and '_', not starting with a digit"
            : request.Environment is { } env && !Grammar.Name().IsMatch(env) ? $"environment '{env}': lower-case letters, digits and '-'"
            : request.Value is not { Length: > 0 } value ? "value: empty or missing"
            : value.Length > MaxValueLength ? $"value: longer than {MaxValueLength} characters"
            : null;
        if (problem is not null)
        {
            return Results.BadRequest(new { error = problem });
        }

        var version = new SecretStore(state).Set(project, request.Environment, name, request.Value!);
        queue.Enqueue(project); // services that use it are replaced by the next reconcile, which this is
        return Results.Ok(new { project, environment = request.Environment, name, version });
    }
}
