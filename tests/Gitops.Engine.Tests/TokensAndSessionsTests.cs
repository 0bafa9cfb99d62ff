using Gitops.Engine.Access;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Tests;

/// <summary>API tokens and browser sessions on a real state file: what makes one valid, and every way it stops being.</summary>
public sealed class TokensAndSessionsTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-tokens-").FullName;
    private readonly StateStore _state;
    private readonly Tokens _tokens;
    private readonly Sessions _sessions;

    public TokensAndSessionsTests()
    {
        _state = StateStore.Open(_directory);
        new People(_state).AddUser("ana", Password);
        new People(_state).AddUser("bob", Password);
        _tokens = new Tokens(_state);
        _sessions = new Sessions(_state);
    }

    [Fact]
    public void A_token_is_shown_once_as_paas_id_secret_and_resolves_to_its_user_and_cap()
    {
        var (secret, token) = _tokens.Create("ana", "ci", Role.Deployer, TimeSpan.FromDays(1));

        var parts = secret.Split('_', 3);
        Assert.Equal(["paas", token.Id], parts[..2]);
        Assert.True(parts[2].Length >= 43, parts[2]); // 256 random bits
        var resolved = _tokens.Resolve(secret);
        Assert.Equal((token.Id, "ana", "ci", Role.Deployer, false), (resolved!.Id, resolved.User, resolved.Name, resolved.Cap, resolved.Revoked));
        Assert.Equal(token.Expires.ToUnixTimeMilliseconds(), resolved.Expires.ToUnixTimeMilliseconds());
        Assert.Equal(TimeSpan.FromDays(1), resolved.Expires - resolved.Created);
        Assert.DoesNotContain(parts[2], _state.Collection("api_tokens").FindById(token.Id).ToString(), StringComparison.Ordinal); // only its hash is stored
    }

    [Fact]
    public void The_record_of_a_new_token_is_the_one_stored_live_and_unrevoked()
    {
        var (_, token) = _tokens.Create("ana", "ci", Role.Viewer, TimeSpan.FromHours(2));

        var stored = _tokens.Find(token.Id)!;

        Assert.False(token.Revoked);
        Assert.Equal(token with { Created = stored.Created, Expires = stored.Expires }, stored); // the clock's sub-millisecond part is not stored
        Assert.Equal(token.Created.ToUnixTimeMilliseconds(), stored.Created.ToUnixTimeMilliseconds());
    }

    [Theory]
    [InlineData("")]
    [InlineData("paas")]
    [InlineData("paas_onlyid")]
    [InlineData("tok_{id}_{secret}")]
    [InlineData("paas_unknownid_{secret}")]
    [InlineData("paas_{id}_{secret}x")]
    [InlineData("paas_{id}_")]
    public void A_token_with_another_prefix_id_or_secret_resolves_to_nobody(string shape)
    {
        var (secret, token) = _tokens.Create("ana", "ci", Role.Owner, TimeSpan.FromDays(1));
        var presented = shape.Replace("{id}", token.Id, StringComparison.Ordinal).Replace("{secret}", secret.Split('_', 3)[2], StringComparison.Ordinal);

        Assert.Null(_tokens.Resolve(presented));
        Assert.NotNull(_tokens.Resolve(secret));
    }

    [Fact]
    public void An_expired_token_resolves_to_nobody()
    {
        var (expired, record) = _tokens.Create("ana", "old", Role.Owner, TimeSpan.FromMilliseconds(-1));

        Assert.Null(_tokens.Resolve(expired));
        Assert.True(record.Expires < record.Created);
    }

    [Fact]
    public void A_revoked_token_resolves_to_nobody_and_revoking_it_again_says_so()
    {
        var (secret, token) = _tokens.Create("ana", "ci", Role.Owner, TimeSpan.FromDays(1));

        Assert.True(_tokens.Revoke(token.Id));

        Assert.Null(_tokens.Resolve(secret));
        Assert.True(_tokens.Find(token.Id)!.Revoked);
        Assert.False(_tokens.Revoke(token.Id));
        Assert.False(_tokens.Revoke("nosuchid"));
    }

    [Fact]
    public void Revoking_all_of_a_user_leaves_other_users_tokens_alive()
    {
        var (anas, _) = _tokens.Create("ana", "one", Role.Owner, TimeSpan.FromDays(1));
        _tokens.Create("ana", "two", Role.Owner, TimeSpan.FromDays(1));
        var (bobs, _) = _tokens.Create("bob", "one", Role.Owner, TimeSpan.FromDays(1));

        Assert.Equal(2, _tokens.RevokeAllOf("ana"));

        Assert.Null(_tokens.Resolve(anas));
        Assert.NotNull(_tokens.Resolve(bobs));
        Assert.Equal(0, _tokens.RevokeAllOf("ana")); // already revoked: nothing left to count
    }

    [Fact]
    public void Listing_tokens_of_a_user_shows_only_theirs_oldest_first_and_all_without_a_user()
    {
        var first = _tokens.Create("ana", "one", Role.Owner, TimeSpan.FromDays(1)).Token;
        var bobs = _tokens.Create("bob", "one", Role.Owner, TimeSpan.FromDays(1)).Token;
        var second = _tokens.Create("ana", "two", Role.Owner, TimeSpan.FromDays(1)).Token;

        Assert.Equal([first.Id, second.Id], _tokens.List("ana").Select(t => t.Id));
        Assert.Equal(3, _tokens.List(null).Count);
        Assert.Contains(_tokens.List(null), t => t.Id == bobs.Id);
        Assert.Null(_tokens.Find("nosuchid"));
    }

    [Fact]
    public void A_token_made_before_identities_counts_only_when_younger_than_its_user()
    {
        var (young, youngRecord) = _tokens.Create("ana", "young", Role.Owner, TimeSpan.FromDays(1));
        var (old, oldRecord) = _tokens.Create("ana", "old", Role.Owner, TimeSpan.FromDays(1));
        var documents = _state.Collection("api_tokens");
        foreach (var (id, created) in new[] { (youngRecord.Id, DateTimeOffset.UtcNow.AddMinutes(1)), (oldRecord.Id, DateTimeOffset.UtcNow.AddDays(-1)) })
        {
            var document = documents.FindById(id);
            document.Remove("uid"); // as written before tokens carried the user's identity
            document["created"] = created.ToUnixTimeMilliseconds();
            documents.Update(document);
        }

        Assert.NotNull(_tokens.Resolve(young));
        Assert.Null(_tokens.Resolve(old)); // older than the user: an earlier user of the name made it
    }

    [Fact]
    public void A_token_made_before_identities_in_the_same_millisecond_as_its_user_counts()
    {
        var (secret, record) = _tokens.Create("ana", "ci", Role.Owner, TimeSpan.FromDays(1));
        var document = _state.Collection("api_tokens").FindById(record.Id);
        document.Remove("uid");
        document["created"] = _state.Collection("users").FindById("ana")["created"];
        _state.Collection("api_tokens").Update(document);

        Assert.Equal("ana", _tokens.Resolve(secret)?.User);
    }

    [Fact]
    public void A_missing_token_string_is_an_argument_error() =>
        Assert.Throws<ArgumentNullException>(() => _tokens.Resolve(null!));

    [Fact]
    public void A_token_bound_to_no_identity_resolves_to_nobody()
    {
        var (secret, token) = _tokens.Create("nobody", "ci", Role.Owner, TimeSpan.FromDays(1)); // no such user: bound to ""

        Assert.Null(_tokens.Resolve(secret));
        Assert.Equal("nobody", token.User);
    }

    [Fact]
    public void A_session_belongs_to_its_user_until_it_ends()
    {
        var ana = _sessions.Start("ana");
        var bob = _sessions.Start("bob");

        Assert.Equal("ana", _sessions.UserOf(ana));
        _sessions.End(ana);

        Assert.Null(_sessions.UserOf(ana));
        Assert.Equal("bob", _sessions.UserOf(bob));
        Assert.Null(_sessions.UserOf("not-a-session"));
    }

    [Fact]
    public void An_expired_session_belongs_to_nobody()
    {
        var id = _sessions.Start("ana");
        var documents = _state.Collection("sessions");
        var document = documents.FindAll().Single();
        Assert.DoesNotContain(id, document.ToString(), StringComparison.Ordinal); // stored hashed
        document["expires"] = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds();
        documents.Update(document);

        Assert.Null(_sessions.UserOf(id));
    }

    [Fact]
    public void A_session_lasts_its_lifetime()
    {
        var before = DateTimeOffset.UtcNow;
        _sessions.Start("ana");

        var expires = DateTimeOffset.FromUnixTimeMilliseconds(_state.Collection("sessions").FindAll().Single()["expires"].AsInt64);

        Assert.InRange(expires, before + Sessions.Lifetime - TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow + Sessions.Lifetime);
    }

    [Fact]
    public void A_session_without_an_identity_belongs_to_nobody()
    {
        var unbound = _sessions.Start("ghost"); // no such user: bound to ""
        var legacy = _sessions.Start("ana");
        var documents = _state.Collection("sessions");
        foreach (var document in documents.FindAll().Where(d => d["user"] == "ana").ToList())
        {
            document.Remove("uid"); // as written before sessions carried the user's identity
            documents.Update(document);
        }

        Assert.Null(_sessions.UserOf(unbound));
        Assert.Null(_sessions.UserOf(legacy));
    }

    [Fact]
    public void Ending_all_sessions_of_a_user_leaves_others()
    {
        var one = _sessions.Start("ana");
        var two = _sessions.Start("ana");
        var bob = _sessions.Start("bob");

        Assert.Equal(2, _sessions.EndAllOf("ana"));

        Assert.Null(_sessions.UserOf(one));
        Assert.Null(_sessions.UserOf(two));
        Assert.Equal("bob", _sessions.UserOf(bob));
    }

    [Fact]
    public void A_sign_in_link_signs_its_user_in_once_and_only_before_it_expires()
    {
        var links = new SignInLinks(_state);
        var used = links.Create("ana");
        Assert.DoesNotContain(used, _state.Collection("signinLinks").FindAll().Single().ToString(), StringComparison.Ordinal); // only its hash is stored
        Assert.Equal("ana", links.Redeem(used));
        Assert.Null(links.Redeem(used)); // once

        var late = links.Create("ana");
        Assert.Null(links.Redeem(late, new Later(SignInLinks.Lifetime + TimeSpan.FromSeconds(1))));
        Assert.Null(links.Redeem("made-up-" + used));
    }

    [Fact]
    public void A_sign_in_link_dies_with_its_user_and_never_signs_in_a_new_user_of_the_same_name()
    {
        var links = new SignInLinks(_state);
        var link = links.Create("bob");
        var people = new People(_state);
        people.RemoveUser("bob");
        people.AddUser("bob", Password);

        Assert.Null(links.Redeem(link));
    }

    /// <summary>The system's clock, moved ahead.</summary>
    private sealed class Later(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + ahead;
    }

    public void Dispose()
    {
        _state.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
