using Gitops.Engine.Access;
using Gitops.Engine.State;

namespace Gitops.Engine.Tests;

/// <summary>People's lifecycle and the sign-in throttle, on a real state file.</summary>
public sealed class PeopleTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-people-").FullName;

    [Fact]
    public void Adding_an_existing_name_is_refused_and_the_password_stays()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        people.AddUser("ana", Password);

        var error = Assert.Throws<UserExistsException>(() => people.AddUser("ana", "attacker's new password"));

        Assert.Contains("'ana' already exists", error.Message, StringComparison.Ordinal);
        Assert.True(people.CheckPassword("ana", Password));
        Assert.False(people.CheckPassword("ana", "attacker's new password"));
    }

    [Fact]
    public void Removing_a_user_ends_their_tokens_and_sessions_and_a_new_user_of_the_name_does_not_inherit_them()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        var tokens = new Tokens(state);
        var sessions = new Sessions(state);
        people.AddUser("ana", Password);
        var (token, _) = tokens.Create("ana", "cli", Role.Owner, TimeSpan.FromDays(1));
        var session = sessions.Start("ana");
        Assert.NotNull(tokens.Resolve(token));
        Assert.Equal("ana", sessions.UserOf(session));

        people.RemoveUser("ana");
        var afterRemoval = (tokens.Resolve(token), sessions.UserOf(session));
        people.AddUser("ana", "another person's password");

        Assert.Equal((null, null), afterRemoval);
        Assert.Null(tokens.Resolve(token));
        Assert.Null(sessions.UserOf(session));
        Assert.All(tokens.List("ana"), t => Assert.True(t.Revoked));
    }

    [Fact]
    public void A_token_bound_to_an_earlier_user_of_the_name_is_refused_even_if_not_revoked()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        var tokens = new Tokens(state);
        people.AddUser("ana", Password);
        var (token, record) = tokens.Create("ana", "cli", Role.Owner, TimeSpan.FromDays(1));
        // The user goes without the removal's revocation (as an older version left it), then the name returns.
        state.Collection("users").Delete("ana");
        people.AddUser("ana", Password);

        Assert.False(tokens.Find(record.Id)!.Revoked);
        Assert.Null(tokens.Resolve(token));
    }

    [Fact]
    public void A_session_bound_to_an_earlier_user_of_the_name_belongs_to_nobody_even_if_not_ended()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        var sessions = new Sessions(state);
        people.AddUser("ana", Password);
        var session = sessions.Start("ana");
        // The user goes without the removal's ending of sessions (as an older version left it), then the name returns.
        state.Collection("users").Delete("ana");
        people.AddUser("ana", Password);

        Assert.Single(state.Collection("sessions").FindAll());
        Assert.Null(sessions.UserOf(session));
    }

    [Fact]
    public void A_token_stays_bound_to_its_users_identity_even_when_a_later_user_of_the_name_looks_older()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        var tokens = new Tokens(state);
        people.AddUser("ana", Password);
        var (token, _) = tokens.Create("ana", "cli", Role.Owner, TimeSpan.FromDays(1));
        state.Collection("users").Delete("ana");
        people.AddUser("ana", "another person's password");
        // The clock was a day behind when the name was re-added: by creation time alone the token would look younger.
        var users = state.Collection("users");
        var later = users.FindById("ana");
        later["created"] = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
        users.Update(later);

        Assert.Null(tokens.Resolve(token));
    }

    [Fact]
    public void A_new_user_is_stored_with_their_identity_from_the_start()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);

        people.AddUser("ana", Password);

        // Given at creation: two first uses at once cannot each store a different identity.
        var stored = state.Collection("users").FindById("ana")["uid"];
        Assert.True(stored.IsString);
        Assert.Matches("^[0-9a-f]{32}$", stored.AsString);
        Assert.Equal(stored.AsString, people.IdOf("ana"));
    }

    [Fact]
    public void Removing_a_user_deletes_their_session_records_and_leaves_others()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        var sessions = new Sessions(state);
        people.AddUser("ana", Password);
        people.AddUser("bob", Password);
        sessions.Start("ana");
        sessions.Start("ana");
        var bobs = sessions.Start("bob");

        people.RemoveUser("ana");

        Assert.Equal(["bob"], state.Collection("sessions").FindAll().Select(d => d["user"].AsString));
        Assert.Equal("bob", sessions.UserOf(bobs));
    }

    [Fact]
    public void Granting_nothing_is_an_argument_error()
    {
        using var state = StateStore.Open(_directory);

        Assert.Throws<ArgumentNullException>(() => new People(state).GrantRole(null!));
    }

    [Fact]
    public void Thirty_parallel_attempts_get_exactly_the_limit_of_checks()
    {
        using var state = StateStore.Open(_directory);
        var throttle = new LoginThrottle(state);
        var granted = 0;

        Parallel.For(0, 30, new ParallelOptions { MaxDegreeOfParallelism = 30 }, _ =>
        {
            if (throttle.TryBegin("ana", "10.0.0.1", out _) is null)
            {
                Interlocked.Increment(ref granted);
            }
        });

        Assert.Equal(LoginThrottle.Limit, granted);
        Assert.NotNull(throttle.TryBegin("ana", "10.0.0.2", out _)); // the account is locked from any address
        Assert.NotNull(throttle.TryBegin("bob", "10.0.0.1", out _)); // and the address for any account
    }

    [Fact]
    public void A_success_gives_its_attempt_back_and_clears_the_account()
    {
        using var state = StateStore.Open(_directory);
        var throttle = new LoginThrottle(state);
        for (var i = 0; i < LoginThrottle.Limit - 1; i++)
        {
            Assert.Null(throttle.TryBegin("ana", "10.0.0.1", out _));
        }

        Assert.Null(throttle.TryBegin("ana", "10.0.0.1", out var last));
        throttle.Succeeded("ana", "10.0.0.1", last);

        Assert.Null(throttle.TryBegin("ana", "10.0.0.1", out _)); // nine failures on the address, none on the account
        Assert.NotNull(throttle.TryBegin("bob", "10.0.0.1", out _)); // and now the address is at the limit
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("elevenchars")]
    public void A_password_shorter_than_twelve_characters_is_refused_and_no_user_is_made(string password)
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);

        var error = Assert.Throws<ArgumentException>(() => people.AddUser("ana", password));

        Assert.Equal("password", error.ParamName);
        Assert.Contains("12 characters", error.Message, StringComparison.Ordinal);
        Assert.False(people.Exists("ana"));
        Assert.Throws<ArgumentNullException>(() => people.AddUser("ana", null!));
    }

    [Fact]
    public void A_password_of_exactly_twelve_characters_is_enough()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);

        people.AddUser("ana", "twelve-chars");

        Assert.True(people.Exists("ana"));
        Assert.True(people.CheckPassword("ana", "twelve-chars"));
    }

    [Fact]
    public void An_unknown_user_never_passes_the_password_check()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        people.AddUser("ana", Password);

        Assert.False(people.CheckPassword("bob", Password));
        Assert.False(people.Exists("bob"));
        Assert.Null(people.IdOf("bob"));
        Assert.Null(people.CreatedAt("bob"));
    }

    [Fact]
    public void Each_user_gets_their_own_identity_and_a_user_from_before_identities_gets_one_that_stays()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        people.AddUser("ana", Password);
        people.AddUser("bob", Password);
        var users = state.Collection("users");
        var legacy = users.FindById("bob");
        legacy.Remove("uid"); // as written before users had an identity
        users.Update(legacy);

        var bobs = people.IdOf("bob");

        Assert.Matches("^[0-9a-f]{32}$", bobs);
        Assert.Equal(bobs, people.IdOf("bob"));
        Assert.Equal(bobs, users.FindById("bob")["uid"].AsString); // stored, so tokens made now stay bound
        Assert.Matches("^[0-9a-f]{32}$", people.IdOf("ana"));
        Assert.NotEqual(bobs, people.IdOf("ana"));
        Assert.InRange(people.CreatedAt("ana")!.Value, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public void Removing_a_user_takes_their_grants_and_says_whether_there_was_one()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        people.AddUser("ana", Password);
        people.AddUser("bob", Password);
        people.GrantRole(new Grant("ana", Role.Admin, Scope.Project("shop")));
        people.GrantRole(new Grant("bob", Role.Viewer, Scope.Project("shop")));

        Assert.True(people.RemoveUser("ana"));

        Assert.False(people.Exists("ana"));
        Assert.Empty(people.GrantsOf("ana"));
        Assert.Equal([new Grant("bob", Role.Viewer, Scope.Project("shop"))], people.GrantsOf("bob"));
        Assert.False(people.RemoveUser("ana"));
    }

    [Fact]
    public void Granting_again_on_the_same_scope_replaces_the_role_and_grants_are_listed_by_scope()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        people.AddUser("ana", Password);
        people.GrantRole(new Grant("ana", Role.Owner, Scope.Project("web")));
        people.GrantRole(new Grant("ana", Role.Viewer, Scope.Environment("shop", "dev")));
        people.GrantRole(new Grant("ana", Role.Admin, Scope.Environment("shop", "dev")));

        Assert.Equal(
            [new Grant("ana", Role.Admin, Scope.Environment("shop", "dev")), new Grant("ana", Role.Owner, Scope.Project("web"))],
            people.GrantsOf("ana"));
    }

    [Fact]
    public void Users_are_listed_by_name_with_their_grants_and_creation_time()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        people.AddUser("zoe", Password);
        people.AddUser("ana", Password);
        people.GrantRole(new Grant("zoe", Role.Deployer, Scope.Organization("default")));

        var users = people.Users();

        Assert.Equal(["ana", "zoe"], users.Select(u => u.Name));
        Assert.Empty(users[0].Grants);
        Assert.Equal([new Grant("zoe", Role.Deployer, Scope.Organization("default"))], users[1].Grants);
        Assert.Equal(people.CreatedAt("zoe"), users[1].Created);
    }

    [Fact]
    public void A_project_belongs_to_the_default_organization_until_placed_elsewhere()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);

        Assert.Equal("default", people.OrganizationOf("shop"));
        people.PlaceProject("shop", "acme");

        Assert.Equal("acme", people.OrganizationOf("shop"));
        Assert.Equal("default", people.OrganizationOf("web"));
    }

    [Fact]
    public void The_refusal_of_an_existing_name_names_it()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        people.AddUser("ana", Password);

        var error = Assert.Throws<UserExistsException>(() => people.AddUser("ana", Password));

        Assert.Equal("ana", error.Name);
        Assert.Equal("user 'ana' already exists; remove it first, or grant it roles", error.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void An_empty_password_never_passes_and_never_throws()
    {
        using var state = StateStore.Open(_directory);
        var people = new People(state);
        people.AddUser("ana", Password);

        Assert.False(people.CheckPassword("ana", ""));
        Assert.False(people.CheckPassword("nobody", ""));
    }
}
