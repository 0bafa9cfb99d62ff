using Gitops.Engine.Access;

namespace Gitops.Engine.Tests;

/// <summary>The authorization rules as pure functions: no server, no engine.</summary>
public sealed class AuthorizerTests
{
    private static string OrgOf(string project) => project == "rival" ? "other" : "default";

    private static Principal User(Role role, Scope scope, Role cap = Role.Owner) => new("u", [new Grant("u", role, scope)], cap, false);

    [Fact]
    public void Nobody_signed_in_is_unauthenticated_everywhere()
    {
        Assert.Equal(AccessDecision.Unauthenticated, Authorizer.SignedIn(null));
        Assert.Equal(AccessDecision.Unauthenticated, Authorizer.Platform(null));
        Assert.Equal(AccessDecision.Unauthenticated, Authorizer.Decide(null, Role.Viewer, "default", "shop", null));
        Assert.Equal(AccessDecision.Unauthenticated, Authorizer.Grant(null, Role.Viewer, Scope.Project("shop"), OrgOf));
    }

    [Theory]
    [InlineData(Role.Admin, "project:shop")]
    [InlineData(Role.Owner, "project:shop")]
    [InlineData(Role.Owner, "env:shop/production")]
    [InlineData(Role.Admin, "org:default")]
    [InlineData(Role.Owner, "org:other")]
    public void Only_an_owner_of_the_default_organization_administers_the_platform(Role role, string scope)
    {
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Platform(User(role, Scope.Parse(scope))));
        Assert.Equal(AccessDecision.Allow, Authorizer.Platform(User(Role.Owner, Scope.Organization("default"))));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Platform(User(Role.Owner, Scope.Organization("default"), cap: Role.Admin))); // a capped token is not the owner
        Assert.Equal(AccessDecision.Allow, Authorizer.Platform(Principal.PlatformAdmin));
    }

    [Fact]
    public void An_environment_grant_reaches_its_environment_and_not_the_project_or_its_other_environments()
    {
        var envAdmin = User(Role.Admin, Scope.Environment("shop", "dev"));

        Assert.Equal(AccessDecision.Allow, Authorizer.Decide(envAdmin, Role.Admin, "default", "shop", "dev"));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Decide(envAdmin, Role.Viewer, "default", "shop", "production"));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Decide(envAdmin, Role.Viewer, "default", "shop", null));
        Assert.Equal(AccessDecision.Hidden, Authorizer.Decide(envAdmin, Role.Viewer, "default", "shopping", "dev")); // a prefix is another project
        Assert.True(Authorizer.MaySee(envAdmin, "default", "shop", "dev"));
        Assert.False(Authorizer.MaySee(envAdmin, "default", "shop", "production"));
    }

    [Fact]
    public void Another_organizations_project_is_hidden_not_forbidden()
    {
        var owner = User(Role.Owner, Scope.Organization("default"));

        Assert.Equal(AccessDecision.Hidden, Authorizer.Decide(owner, Role.Viewer, "other", "rival", null));
        Assert.Equal(AccessDecision.Hidden, Authorizer.Grant(owner, Role.Viewer, Scope.Project("rival"), OrgOf));
        Assert.False(Authorizer.MaySee(owner, "other", "rival", "dev"));
    }

    [Theory]
    [InlineData(Role.Viewer, Role.Deployer, AccessDecision.Forbidden)]
    [InlineData(Role.Deployer, Role.Deployer, AccessDecision.Allow)]
    [InlineData(Role.Admin, Role.Deployer, AccessDecision.Allow)]
    public void A_role_below_the_requirement_is_forbidden(Role held, Role required, AccessDecision expected) =>
        Assert.Equal(expected, Authorizer.Decide(User(held, Scope.Project("shop")), required, "default", "shop", "dev"));

    [Fact]
    public void A_token_cap_lowers_every_grant()
    {
        var capped = User(Role.Owner, Scope.Project("shop"), cap: Role.Viewer);

        Assert.Equal(AccessDecision.Allow, Authorizer.Decide(capped, Role.Viewer, "default", "shop", null));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Decide(capped, Role.Deployer, "default", "shop", "dev"));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Grant(capped, Role.Viewer, Scope.Project("shop"), OrgOf));
    }

    [Theory]
    [InlineData(Role.Admin, "project:shop", Role.Deployer, "env:shop/dev", AccessDecision.Allow)]
    [InlineData(Role.Admin, "project:shop", Role.Viewer, "project:shop", AccessDecision.Allow)]
    [InlineData(Role.Admin, "project:shop", Role.Admin, "project:shop", AccessDecision.Forbidden)] // admin and owner are handed out by owners
    [InlineData(Role.Admin, "project:shop", Role.Owner, "org:default", AccessDecision.Forbidden)] // the escalation of issue 10
    [InlineData(Role.Admin, "project:shop", Role.Viewer, "org:default", AccessDecision.Forbidden)]
    [InlineData(Role.Owner, "project:shop", Role.Owner, "project:shop", AccessDecision.Allow)]
    [InlineData(Role.Owner, "project:shop", Role.Owner, "org:default", AccessDecision.Forbidden)]
    [InlineData(Role.Admin, "env:shop/dev", Role.Deployer, "env:shop/dev", AccessDecision.Allow)]
    [InlineData(Role.Admin, "env:shop/dev", Role.Deployer, "env:shop/production", AccessDecision.Forbidden)]
    [InlineData(Role.Admin, "env:shop/dev", Role.Viewer, "project:shop", AccessDecision.Forbidden)]
    [InlineData(Role.Deployer, "project:shop", Role.Viewer, "project:shop", AccessDecision.Forbidden)]
    [InlineData(Role.Owner, "org:default", Role.Owner, "env:shop/dev", AccessDecision.Allow)]
    [InlineData(Role.Owner, "org:default", Role.Owner, "org:default", AccessDecision.Allow)]
    public void A_grant_needs_admin_on_its_whole_scope_and_at_least_the_role_it_hands_out(Role held, string heldOn, Role giving, string givingOn, AccessDecision expected) =>
        Assert.Equal(expected, Authorizer.Grant(User(held, Scope.Parse(heldOn)), giving, Scope.Parse(givingOn), OrgOf));

    [Theory]
    [InlineData("org:")]
    [InlineData("project:Shop")]
    [InlineData("env:shop")]
    [InlineData("env:shop/dev/x")]
    [InlineData("team:shop")]
    [InlineData("project:shop/dev")]
    public void A_malformed_scope_is_refused_by_name(string text)
    {
        var error = Assert.Throws<FormatException>(() => Scope.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }
}
