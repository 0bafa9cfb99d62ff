using Gitops.Engine.Audit;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Tests;

/// <summary>The audit log's hash chain: any edit, removal or reordering is found, at the entry where it happened.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-audit-").FullName;

    [Fact]
    public void An_untouched_log_verifies()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);

        var verification = log.Verify();

        Assert.True(verification.Intact, verification.Detail);
        Assert.Equal(5, verification.Entries);
        Assert.Equal(5, log.List().Count);
        Assert.Equal(["alice"], log.List(actor: "alice").Select(e => e.Actor).Distinct());
    }

    [Fact]
    public void Editing_an_entry_is_found_at_that_entry()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var entries = state.Collection("audit");
        var third = entries.FindById(3);
        third["result"] = "ok"; // someone hides a refusal
        entries.Update(third);

        var verification = log.Verify();

        Assert.False(verification.Intact);
        Assert.Equal(3, verification.FirstBad);
        Assert.Contains("entry 3 was altered", verification.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_an_entry_is_found_where_the_gap_is()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        state.Collection("audit").Delete(2);

        Assert.Equal(2, log.Verify().FirstBad);
    }

    [Fact]
    public void Swapping_two_entries_is_found_at_the_first_of_them()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var entries = state.Collection("audit");
        var (second, fourth) = (entries.FindById(2), entries.FindById(4));
        foreach (var field in new[] { "at", "actor", "action", "target", "result", "previous", "hash" })
        {
            (second[field], fourth[field]) = (fourth[field], second[field]);
        }

        entries.Update(second);
        entries.Update(fourth);

        Assert.Equal(2, log.Verify().FirstBad);
    }

    [Fact]
    public void Rewriting_an_entry_with_a_fresh_hash_still_breaks_the_next_link()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var entries = state.Collection("audit");
        var second = entries.FindById(2);
        second["hash"] = new string('0', 64); // a forger recomputing only this entry's hash cannot fix entry 3's link

        entries.Update(second);

        Assert.Equal(2, log.Verify().FirstBad);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static AuditLog Fill(StateStore state)
    {
        var log = new AuditLog(state);
        log.Append("alice", "login", "127.0.0.1", "ok");
        log.Append("alice", "POST /api/v1/sync/{project}", "shop", "accepted");
        log.Append("bob", "POST /api/v1/users", "/api/v1/users", "refused (forbidden)");
        log.Append("system", "apply", "shop/production", "applied");
        log.Append("alice", "secret set", "shop/DATABASE_URL", "ok");
        return log;
    }
}
