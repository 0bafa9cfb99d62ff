using Gitops.Engine.Access;

namespace Gitops.Engine.Tests;

public sealed class PasswordTests
{
    [Fact]
    public void Argon2id_hash_has_the_owasp_minimum_and_checks_only_the_right_password()
    {
        var hash = Passwords.Hash("correct horse battery staple");

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", hash, StringComparison.Ordinal);
        Assert.True(Passwords.Verify("correct horse battery staple", hash));
        Assert.False(Passwords.Verify("correct horse battery stapler", hash));
        Assert.NotEqual(hash, Passwords.Hash("correct horse battery staple")); // salted
        Assert.DoesNotContain("correct", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void Roles_apply_only_within_their_scope_and_a_token_cap_limits_them()
    {
        var alice = new Principal("alice", [new Grant("alice", Role.Deployer, Scope.Project("shop")), new Grant("alice", Role.Admin, Scope.Environment("blog", "dev"))], Role.Owner, false);
        var capped = alice with { Cap = Role.Viewer };

        Assert.Equal(Role.Deployer, alice.RoleOn("default", "shop", "production"));
        Assert.Equal(Role.Admin, alice.RoleOn("default", "blog", "dev"));
        Assert.Null(alice.RoleOn("default", "blog", "production"));
        Assert.True(alice.Sees("default", "blog"));
        Assert.False(alice.Sees("default", "wiki"));
        Assert.Equal(Role.Viewer, capped.RoleOn("default", "shop", null));
        Assert.Equal(AccessDecision.Hidden, Authorizer.Decide(alice, Role.Viewer, "default", "wiki", null));
        Assert.Equal(AccessDecision.Forbidden, Authorizer.Decide(capped, Role.Deployer, "default", "shop", null));
        Assert.Equal(AccessDecision.Unauthenticated, Authorizer.Decide(null, Role.Viewer, "default", "shop", null));
    }
}
