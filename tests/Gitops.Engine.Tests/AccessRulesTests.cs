using Gitops.Engine.Access;

namespace Gitops.Engine.Tests;

/// <summary>Scopes and principals, the parts the authorizer decides from: what a grant covers, reveals and may hand out.</summary>
public sealed class AccessRulesTests
{
    private static string OrgOf(string project) => project == "rival" ? "other" : "default";

    private static Principal With(Role cap, params Grant[] grants) => new("u", grants, cap, false);

    [Theory]
    [InlineData("org:acme", "org", "acme", "", null)]
    [InlineData("project:shop", "project", "shop", "shop", null)]
    [InlineData("env:shop/production", "env", "shop/production", "shop", "production")]
    public void A_scope_is_parsed_into_its_kind_project_and_environment(string text, string kind, string name, string project, string? environment)
    {
        var scope = Scope.Parse(text);

        Assert.Equal((kind, name, project, environment), (scope.Kind, scope.Name, scope.ProjectName, scope.EnvironmentName));
        Assert.Equal(text, scope.ToString());
    }

    [Theory]
    [InlineData("org:default", "default", "shop", null, true)]
    [InlineData("org:default", "other", "shop", null, false)]
    [InlineData("project:shop", "default", "shop", "dev", true)]
    [InlineData("project:shop", "default", "shopping", null, false)]
    [InlineData("env:shop/dev", "default", "shop", "dev", true)]
    [InlineData("env:shop/dev", "default", "shop", null, false)]
    [InlineData("env:shop/dev", "default", "shop", "production", false)]
    [InlineData("env:shop/dev", "default", "sho", "p/dev", false)]
    public void A_scope_covers_only_its_own_organization_project_or_environment(string scope, string organization, string project, string? environment, bool covers) =>
        Assert.Equal(covers, Scope.Parse(scope).Covers(organization, project, environment));

    [Theory]
    [InlineData("org:default", "default", "shop", true)]
    [InlineData("org:default", "other", "shop", false)]
    [InlineData("project:shop", "default", "shop", true)]
    [InlineData("project:shop", "default", "shopping", false)]
    [InlineData("env:shop/dev", "default", "shop", true)]
    [InlineData("env:shop/dev", "default", "sho", false)]
    [InlineData("env:shop-x/dev", "default", "shop", false)]
    public void A_scope_reveals_that_its_project_exists_and_no_other(string scope, string organization, string project, bool reveals) =>
        Assert.Equal(reveals, Scope.Parse(scope).Reveals(organization, project));

    [Fact]
    public void The_strongest_grant_counts_capped_by_the_token()
    {
        var principal = With(Role.Admin, new Grant("u", Role.Viewer, Scope.Project("shop")), new Grant("u", Role.Owner, Scope.Environment("shop", "dev")));

        Assert.Equal(Role.Admin, principal.RoleOn("default", "shop", "dev")); // owner, capped to admin
        Assert.Equal(Role.Viewer, principal.RoleOn("default", "shop", "production"));
        Assert.Equal(Role.Viewer, principal.RoleOn("default", "shop", null));
        Assert.Null(principal.RoleOn("default", "other", null));
        Assert.Equal(Role.Deployer, With(Role.Owner, new Grant("u", Role.Viewer, Scope.Project("shop")), new Grant("u", Role.Deployer, Scope.Organization("default"))).RoleOn("default", "shop", null));
    }

    [Fact]
    public void The_role_on_a_whole_scope_comes_from_grants_that_cover_all_of_it()
    {
        var principal = With(
            Role.Owner,
            new Grant("u", Role.Owner, Scope.Organization("other")),
            new Grant("u", Role.Deployer, Scope.Project("shop")),
            new Grant("u", Role.Admin, Scope.Environment("shop", "dev")));

        Assert.Equal(Role.Owner, principal.RoleOnScope(Scope.Organization("other"), OrgOf));
        Assert.Null(principal.RoleOnScope(Scope.Organization("default"), OrgOf)); // a project grant is not the organization
        Assert.Equal(Role.Deployer, principal.RoleOnScope(Scope.Project("shop"), OrgOf)); // the environment grant does not reach the project
        Assert.Equal(Role.Owner, principal.RoleOnScope(Scope.Project("rival"), OrgOf)); // through its organization
        Assert.Equal(Role.Admin, principal.RoleOnScope(Scope.Environment("shop", "dev"), OrgOf));
        Assert.Equal(Role.Deployer, principal.RoleOnScope(Scope.Environment("shop", "production"), OrgOf));
        Assert.Null(principal.RoleOnScope(Scope.Project("web"), OrgOf));
        Assert.Equal(Role.Viewer, With(Role.Viewer, new Grant("u", Role.Owner, Scope.Project("shop"))).RoleOnScope(Scope.Project("shop"), OrgOf));
    }

    [Fact]
    public void The_platform_admin_owns_every_scope_and_sees_every_project()
    {
        var admin = Principal.PlatformAdmin;

        Assert.Equal(Role.Owner, admin.RoleOn("any", "thing", "dev"));
        Assert.Equal(Role.Owner, admin.RoleOnScope(Scope.Project("thing"), OrgOf));
        Assert.True(admin.Sees("any", "thing"));
        Assert.True(admin.AdministersPlatform);
        Assert.Equal("admin token", admin.Via);
        Assert.Equal("session", With(Role.Owner).Via);
    }

    [Fact]
    public void An_owner_hands_out_admin_and_owner_an_admin_only_lower_roles()
    {
        var owner = With(Role.Owner, new Grant("u", Role.Owner, Scope.Project("shop")));
        var admin = With(Role.Owner, new Grant("u", Role.Admin, Scope.Project("shop")));

        Assert.Equal(AccessDecision.Allow, Authorizer.Grant(owner, Role.Admin, Scope.Environment("shop", "dev"), OrgOf));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Grant(admin, Role.Admin, Scope.Environment("shop", "dev"), OrgOf));
        Assert.Equal(AccessDecision.Allow, Authorizer.Grant(admin, Role.Deployer, Scope.Environment("shop", "dev"), OrgOf));
        Assert.Equal(AccessDecision.Hidden, Authorizer.Grant(admin, Role.Viewer, Scope.Environment("web", "dev"), OrgOf));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Grant(admin, Role.Viewer, Scope.Organization("other"), OrgOf)); // an organization is never hidden
    }

    [Fact]
    public void Anyone_signed_in_passes_the_signed_in_rule_and_may_see_only_what_they_have_a_role_on()
    {
        var viewer = With(Role.Owner, new Grant("u", Role.Viewer, Scope.Environment("shop", "dev")));

        Assert.Equal(AccessDecision.Allow, Authorizer.SignedIn(viewer));
        Assert.True(Authorizer.MaySee(viewer, "default", "shop", null)); // the project, to list its environment
        Assert.False(Authorizer.MaySee(viewer, "default", "web", null));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Decide(viewer, Role.Viewer, "default", "shop", null));
        Assert.Equal(AccessDecision.Allow, Authorizer.Decide(viewer, Role.Viewer, "default", "shop", "dev"));
    }
    [Theory]
    [InlineData("shop")]
    [InlineData("env:Shop/dev")]
    [InlineData("env:shop/Dev")]
    [InlineData("env:/dev")]
    [InlineData("org:Acme")]
    public void A_scope_without_a_kind_or_with_a_bad_name_is_refused_by_name(string text)
    {
        var error = Assert.Throws<FormatException>(() => Scope.Parse(text));

        Assert.Equal($"scope '{text}': write org:NAME, project:NAME or env:PROJECT/ENV (names: lower-case letters, digits and '-')", error.Message);
    }

    [Fact]
    public void Missing_arguments_are_argument_errors_even_for_the_platform_admin()
    {
        Assert.Throws<ArgumentNullException>(() => Scope.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => Authorizer.MaySee(null!, "default", "shop", null));
        Assert.Throws<ArgumentNullException>(() => Authorizer.Grant(null, Role.Viewer, null!, OrgOf));
        Assert.Throws<ArgumentNullException>(() => Authorizer.Grant(null, Role.Viewer, Scope.Project("shop"), null!));
        Assert.Throws<ArgumentNullException>(() => Principal.PlatformAdmin.RoleOnScope(null!, OrgOf));
        Assert.Throws<ArgumentNullException>(() => Principal.PlatformAdmin.RoleOnScope(Scope.Project("shop"), null!));
    }

    [Fact]
    public void The_platform_admin_acts_under_the_name_admin_and_needs_no_grant()
    {
        Assert.Equal("admin", Principal.PlatformAdmin.Name);
        Assert.Empty(Principal.PlatformAdmin.Grants);
        Assert.Equal(AccessDecision.Allow, Authorizer.Decide(Principal.PlatformAdmin, Role.Owner, "other", "rival", "production"));
        Assert.Equal(AccessDecision.Allow, Authorizer.Grant(Principal.PlatformAdmin, Role.Owner, Scope.Organization("other"), OrgOf));
    }

    [Fact]
    public void A_user_who_is_not_the_bootstrap_admin_gets_nothing_without_a_grant()
    {
        var nobody = With(Role.Owner);

        Assert.Null(nobody.RoleOn("default", "shop", "dev"));
        Assert.Null(nobody.RoleOnScope(Scope.Project("shop"), OrgOf));
        Assert.False(nobody.Sees("default", "shop"));
        Assert.False(nobody.AdministersPlatform);
        Assert.Equal(AccessDecision.Hidden, Authorizer.Decide(nobody, Role.Viewer, "default", "shop", null));
    }
}
