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

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
