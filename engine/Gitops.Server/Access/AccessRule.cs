using Gitops.Engine.Access;
using Microsoft.AspNetCore.Builder;

namespace Gitops.Server.Access;

/// <summary>What a route acts on, and so where the filter finds the project and environment to authorize.</summary>
public enum AccessTarget
{
    /// <summary>Signing in: nothing else is open.</summary>
    Open,

    /// <summary>Anyone signed in: their own tokens and session, and lists filtered to what they may see.</summary>
    SignedIn,

    /// <summary>Platform administration: people, new repositories, the audit log.</summary>
    Platform,

    /// <summary>The whole project named by the route's <c>{project}</c>.</summary>
    Project,

    /// <summary>A list within the route's <c>{project}</c>: anyone who may know of the project; the handler shows each environment's items only to those with a role on it.</summary>
    ProjectListing,

    /// <summary>One environment: the route's <c>{project}</c> and <c>{environment}</c>.</summary>
    Environment,

    /// <summary>The deployment named by the route's <c>{id}</c>: its project and environment come from its record.</summary>
    Deployment,

    /// <summary>The cron run named by the route's <c>{id}</c>: its project and environment come from its record.</summary>
    CronRun,

    /// <summary>A grant: the scope in the request body, see <see cref="Authorizer.Grant"/>.</summary>
    Grant,
}

/// <summary>
/// Every API route carries exactly one of these: the least role it needs, and what it acts on.
/// The project and environment come from the route's own values or the record it names, never
/// from the query string; a body that names an environment (<see cref="INamesEnvironment"/>) is
/// authorized like a route naming it. A route without a rule is refused: default-deny.
/// </summary>
public sealed record AccessRule(Role Required, AccessTarget Target);

/// <summary>A request body that names the environment it acts on (null: the whole project).</summary>
public interface INamesEnvironment
{
    string? Environment { get; }
}

/// <summary>A request body that hands out a role on a scope.</summary>
public interface INamesGrant
{
    Role? Role { get; }

    string? Scope { get; }
}

public static class AccessRuleExtensions
{
    /// <summary>Needs <paramref name="role"/> on the route's <c>{project}</c> (organization and project grants; environment grants do not reach a whole project).</summary>
    public static TBuilder OnProject<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(role, AccessTarget.Project));

    /// <summary>A list within the route's <c>{project}</c>, filtered per environment by the handler.</summary>
    public static TBuilder ListingInProject<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(Role.Viewer, AccessTarget.ProjectListing));

    /// <summary>Needs <paramref name="role"/> on the route's <c>{project}</c>/<c>{environment}</c>.</summary>
    public static TBuilder OnEnvironment<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(role, AccessTarget.Environment));

    /// <summary>Needs <paramref name="role"/> on the project and environment of the deployment the route's <c>{id}</c> names.</summary>
    public static TBuilder OnDeployment<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(role, AccessTarget.Deployment));

    /// <summary>Needs <paramref name="role"/> on the project and environment of the cron run the route's <c>{id}</c> names.</summary>
    public static TBuilder OnCronRun<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(role, AccessTarget.CronRun));

    /// <summary>Platform administration only.</summary>
    public static TBuilder ForPlatform<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(Role.Owner, AccessTarget.Platform));

    /// <summary>Anyone signed in; the handler shows only what they may see.</summary>
    public static TBuilder SignedIn<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(Role.Viewer, AccessTarget.SignedIn));

    /// <summary>Handing out roles: decided from the scope in the body.</summary>
    public static TBuilder ForGrants<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(Role.Admin, AccessTarget.Grant));

    /// <summary>For signing in only: nothing else is open.</summary>
    public static TBuilder Open<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(Role.Viewer, AccessTarget.Open));
}
