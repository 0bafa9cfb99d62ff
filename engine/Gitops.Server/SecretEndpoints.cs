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

    public sealed record SecretRequest(string? Value, string? Environment);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/secrets", (StateStore state, string project) =>
            new SecretStore(state).List(project)).Requires(Role.Viewer); // names and versions; values never leave the store
        api.MapPut("/projects/{project}/secrets/{name}", Set).Requires(Role.Admin);
        api.MapDelete("/projects/{project}/secrets/{name}", (StateStore state, ReconcileQueue queue, string project, string name, string? environment) =>
        {
            var removed = new SecretStore(state).Remove(project, environment, name);
            queue.Enqueue(project);
            return Results.Ok(new { project, environment, name, removed });
        }).Requires(Role.Admin);
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
