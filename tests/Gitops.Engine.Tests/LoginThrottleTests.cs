using Gitops.Engine.Access;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Tests;

/// <summary>The sign-in throttle's window and bookkeeping, on a real state file (the parallel case is in <see cref="PeopleTests"/>).</summary>
public sealed class LoginThrottleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-throttle-").FullName;
    private readonly StateStore _state;
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests()
    {
        _state = StateStore.Open(_directory);
        _throttle = new LoginThrottle(_state);
    }

    [Fact]
    public void The_eleventh_attempt_waits_no_longer_than_the_window()
    {
        for (var i = 0; i < LoginThrottle.Limit; i++)
        {
            Assert.Null(_throttle.TryBegin("ana", $"10.0.0.{i}", out _));
        }

        var wait = _throttle.TryBegin("ana", "10.0.1.1", out _);

        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.FromTicks(1), LoginThrottle.Window);
    }

    [Fact]
    public void Failures_older_than_the_window_no_longer_count()
    {
        var old = DateTimeOffset.UtcNow - LoginThrottle.Window - TimeSpan.FromMinutes(1);
        Seed("user:ana", Enumerable.Repeat(old.ToUnixTimeMilliseconds(), 50));

        Assert.Null(_throttle.TryBegin("ana", "10.0.0.1", out _));

        Assert.Single(_state.Collection("login_failures").FindById("user:ana")["times"].AsArray); // and they are dropped
    }

    [Fact]
    public void A_failure_exactly_one_window_old_neither_counts_nor_stays()
    {
        // The throttle reads the clock itself. A failure seeded one window before a reading taken just
        // before the attempt sits exactly on the cut-off whenever both readings fall in the same
        // millisecond, as most of these tries do; nine recent failures make that one decide the lock.
        for (var i = 0; i < 40; i++)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var edge = now - (long)LoginThrottle.Window.TotalMilliseconds;
            var recent = Enumerable.Range(0, LoginThrottle.Limit - 1).Select(j => now - 60_000 + j);
            Seed($"user:edge{i}", recent.Append(edge));

            Assert.Null(_throttle.TryBegin($"edge{i}", $"10.1.{i}.1", out var attempt));

            var kept = _state.Collection("login_failures").FindById($"user:edge{i}")["times"].AsArray.Select(t => t.AsInt64).ToList();
            Assert.DoesNotContain(edge, kept);
            Assert.Equal(LoginThrottle.Limit, kept.Count);
            Assert.Equal(attempt, kept[^1]);
        }
    }

    [Fact]
    public void Failures_within_the_window_lock_the_account_from_any_address()
    {
        var recent = DateTimeOffset.UtcNow - LoginThrottle.Window + TimeSpan.FromMinutes(5);
        Seed("user:ana", Enumerable.Range(0, LoginThrottle.Limit).Select(i => recent.ToUnixTimeMilliseconds() + i));

        var wait = _throttle.TryBegin("ana", "10.0.0.1", out _);

        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.Zero, TimeSpan.FromMinutes(5)); // until the oldest of the last ten leaves the window
        Assert.Null(_throttle.TryBegin("bob", "10.0.0.1", out _)); // the address itself is not locked
    }

    [Fact]
    public void A_success_after_the_first_attempt_gives_the_address_that_attempt_back()
    {
        Assert.Null(_throttle.TryBegin("ana", "10.0.0.1", out var first));
        _throttle.Succeeded("ana", "10.0.0.1", first);

        for (var i = 0; i < LoginThrottle.Limit; i++)
        {
            Assert.Null(_throttle.TryBegin($"user{i}", "10.0.0.1", out _));
        }

        Assert.NotNull(_throttle.TryBegin("ana", "10.0.0.1", out _));
    }

    [Fact]
    public void A_success_clears_the_account_everywhere()
    {
        for (var i = 0; i < LoginThrottle.Limit - 1; i++)
        {
            Assert.Null(_throttle.TryBegin("ana", $"10.0.0.{i}", out _));
        }

        Assert.Null(_throttle.TryBegin("ana", "10.0.1.1", out var last));
        _throttle.Succeeded("ana", "10.0.1.1", last);

        for (var i = 0; i < LoginThrottle.Limit; i++)
        {
            Assert.Null(_throttle.TryBegin("ana", $"10.0.2.{i}", out _));
        }
    }

    [Fact]
    public void A_success_from_an_address_with_no_failures_changes_nothing_else()
    {
        Assert.Null(_throttle.TryBegin("bob", "10.0.0.1", out var bobs));

        _throttle.Succeeded("ana", "10.0.0.9", bobs);

        Assert.Single(_state.Collection("login_failures").FindById("ip:10.0.0.1")["times"].AsArray);
        Assert.Null(_state.Collection("login_failures").FindById("ip:10.0.0.9"));
    }

    [Fact]
    public void When_both_the_account_and_the_address_are_locked_the_longer_wait_is_given()
    {
        var now = DateTimeOffset.UtcNow;
        Seed("user:ana", Enumerable.Range(0, LoginThrottle.Limit).Select(i => (now - LoginThrottle.Window + TimeSpan.FromMinutes(2)).ToUnixTimeMilliseconds() + i));
        Seed("ip:10.0.0.1", Enumerable.Range(0, LoginThrottle.Limit).Select(i => (now - TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds() + i));

        var wait = _throttle.TryBegin("ana", "10.0.0.1", out _);

        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.FromMinutes(10), LoginThrottle.Window); // the address's, about 14 minutes, not the account's 2
    }

    [Fact]
    public void After_the_clock_steps_back_the_wait_still_runs_from_the_oldest_of_the_last_ten_failures()
    {
        var now = DateTimeOffset.UtcNow;
        var recent = Enumerable.Repeat((now - TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds(), LoginThrottle.Limit - 1);
        Seed("user:ana", recent.Append((now - LoginThrottle.Window + TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds())); // recorded last, but oldest

        var wait = _throttle.TryBegin("ana", "10.0.0.1", out _);

        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1)); // not the 14 minutes of the first one recorded
    }

    [Fact]
    public void A_locked_attempt_is_not_counted()
    {
        for (var i = 0; i < LoginThrottle.Limit; i++)
        {
            Assert.Null(_throttle.TryBegin("ana", $"10.0.0.{i}", out _));
        }

        Assert.NotNull(_throttle.TryBegin("ana", "10.0.1.1", out _));

        Assert.Equal(LoginThrottle.Limit, _state.Collection("login_failures").FindById("user:ana")["times"].AsArray.Count);
        Assert.Null(_state.Collection("login_failures").FindById("ip:10.0.1.1"));
    }

    private void Seed(string key, IEnumerable<long> times) =>
        _state.Collection("login_failures").Upsert(new BsonDocument { ["_id"] = key, ["times"] = new BsonArray(times.Select(t => new BsonValue(t))) });

    public void Dispose()
    {
        _state.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
