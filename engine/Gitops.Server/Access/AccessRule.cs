using Gitops.Engine.Access;
using Microsoft.AspNetCore.Builder;

namespace Gitops.Server.Access;

/// <summary>
/// Every API route carries exactly one of these: the least role it needs on its project (taken
/// from the route or query values <c>project</c> and <c>environment</c>, or from the deployment
/// <c>id</c>), or that it is open (login). A route without one is refused: default-deny.
/// </summary>
public sealed record AccessRule(Role Required, bool Anonymous = false);

public static class AccessRuleExtensions
{
    public static TBuilder Requires<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(role));

    /// <summary>For signing in only: nothing else is open.</summary>
    public static TBuilder Open<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AccessRule(Role.Viewer, Anonymous: true));
}
