using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.Audit;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Tests;

/// <summary>
/// The audit log's keyed chain and its head outside the state file: any edit (even with every
/// later hash recomputed), removal, reordering, cut from the end, or older state file put back is
/// found, and named.
/// </summary>
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
    public void The_key_and_head_live_outside_the_state_file_readable_by_the_owner_only()
    {
        using var state = StateStore.Open(_directory);
        Fill(state);

        foreach (var file in new[] { AuditKey.FileName, AuditHead.FileName })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, file)));
        }

        Assert.Equal(32, File.ReadAllBytes(Path.Combine(_directory, AuditKey.FileName)).Length);
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
    public void Editing_an_entry_and_recomputing_every_later_hash_without_the_key_is_found_at_that_entry()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var entries = state.Collection("audit");

        // The forger knows the hash format (it is in the source) but not audit.key: plain SHA-256 from entry 3 on.
        var previous = entries.FindById(2)["hash"].AsString;
        for (var sequence = 3; sequence <= 5; sequence++)
        {
            var entry = entries.FindById(sequence);
            if (sequence == 3)
            {
                entry["result"] = "ok";
            }

            entry["previous"] = previous;
            entry["hash"] = previous = HashOf(entry, key: null);
            entries.Update(entry);
        }

        var verification = log.Verify();

        Assert.False(verification.Intact);
        Assert.Equal(3, verification.FirstBad);
        Assert.Contains("entry 3 was altered: its content does not match its keyed hash", verification.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_an_entry_in_the_middle_is_found_where_the_gap_is()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        state.Collection("audit").Delete(2);

        var verification = log.Verify();

        Assert.False(verification.Intact);
        Assert.Equal(2, verification.FirstBad);
        Assert.Contains("entry 2 is missing", verification.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_the_newest_entries_is_found_as_a_truncation_and_stops_further_appends()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        state.Collection("audit").Delete(5);
        state.Collection("audit").Delete(4);

        var verification = log.Verify();

        Assert.False(verification.Intact);
        Assert.Equal(4, verification.FirstBad);
        Assert.Contains("the last 2 entries are missing (truncated)", verification.Detail, StringComparison.Ordinal);
        var refused = Assert.Throws<InvalidOperationException>(() => log.Append("mallory", "login", "127.0.0.1", "ok"));
        Assert.Contains("truncated", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3, log.List().Count); // the cut is not papered over by a new entry
    }

    [Fact]
    public void Restoring_an_older_copy_of_the_state_file_is_found_as_a_rollback()
    {
        var copy = Directory.CreateTempSubdirectory("paas-audit-copy-").FullName;
        try
        {
            using (var state = StateStore.Open(_directory))
            {
                var log = new AuditLog(state);
                log.Append("alice", "login", "127.0.0.1", "ok");
                log.Append("alice", "secret set", "shop/DATABASE_URL", "ok");
            }

            CopyStateFiles(_directory, copy);
            using (var state = StateStore.Open(_directory))
            {
                var log = new AuditLog(state);
                log.Append("bob", "POST /api/v1/users", "/api/v1/users", "refused (forbidden)");
                log.Append("bob", "login", "127.0.0.1", "refused");
            }

            CopyStateFiles(copy, _directory); // the whole state file put back: its own records agree with each other

            using var restored = StateStore.Open(_directory);
            var verification = new AuditLog(restored).Verify();

            Assert.False(verification.Intact);
            Assert.Contains("state file is older than the audit head (rolled back)", verification.Detail, StringComparison.Ordinal);
            Assert.Contains("records 4 entries, the state file ends at entry 2", verification.Detail, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => new AuditLog(restored).Append("bob", "login", "127.0.0.1", "ok"));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
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
    public void Rewriting_an_entry_with_a_valid_hash_still_breaks_the_next_link()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var entries = state.Collection("audit");
        var second = entries.FindById(2);
        second["target"] = "other";
        second["hash"] = HashOf(second, File.ReadAllBytes(Path.Combine(_directory, AuditKey.FileName))); // even with the key, entry 3 still links to the old hash
        entries.Update(second);

        var verification = log.Verify();

        Assert.Equal(3, verification.FirstBad);
        Assert.Contains("entry 3 does not follow entry 2", verification.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unkeyed_log_is_re_keyed_with_an_entry_that_links_to_it_and_stays_verifiable()
    {
        using var state = StateStore.Open(_directory);
        var entries = state.Collection("audit");
        var previous = "genesis";
        for (var sequence = 1L; sequence <= 3; sequence++)
        {
            // As written before the chain was keyed: plain SHA-256, no audit.key, no audit.head.
            var entry = new BsonDocument { ["_id"] = sequence, ["at"] = 1_700_000_000_000 + sequence, ["actor"] = "alice", ["action"] = "login", ["target"] = "127.0.0.1", ["result"] = "ok", ["previous"] = previous };
            entry["hash"] = previous = HashOf(entry, key: null);
            entries.Insert(entry);
        }

        var log = new AuditLog(state);
        Assert.True(log.Verify().Intact);
        Assert.False(File.Exists(Path.Combine(_directory, AuditKey.FileName))); // verifying changes nothing

        log.Append("bob", "login", "127.0.0.1", "ok");

        var all = log.List().OrderBy(e => e.Sequence).ToList();
        Assert.Equal(AuditLog.RekeyedAction, all[3].Action);
        Assert.Equal("entries 1-3", all[3].Target);
        Assert.Equal("bob", all[4].Actor);
        Assert.True(log.Verify().Intact, log.Verify().Detail);

        // The old part is still bound: rewriting it with plain SHA-256 breaks the re-key entry's link.
        previous = "genesis";
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            var entry = entries.FindById(sequence);
            entry["actor"] = sequence == 2 ? "mallory" : entry["actor"];
            entry["previous"] = previous;
            entry["hash"] = previous = HashOf(entry, key: null);
            entries.Update(entry);
        }

        var verification = log.Verify();
        Assert.Equal(4, verification.FirstBad);
        Assert.Contains("entry 4 does not follow entry 3", verification.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Re_anchoring_after_review_records_what_the_head_said_and_allows_appends_again()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        state.Collection("audit").Delete(5);

        var entry = log.Reanchor("cli:owner");
        log.Append("alice", "login", "127.0.0.1", "ok");

        Assert.Equal(AuditLog.ReanchoredAction, entry.Action);
        Assert.Contains("audit.head recorded 5 entries", entry.Result, StringComparison.Ordinal);
        Assert.Contains("the log had 4", entry.Result, StringComparison.Ordinal);
        Assert.True(log.Verify().Intact, log.Verify().Detail);
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

    private static void CopyStateFiles(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "state*.db"))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>The documented entry hash, as a forger would compute it: length-prefixed fields, SHA-256 or HMAC-SHA256.</summary>
    private static string HashOf(BsonDocument entry, byte[]? key)
    {
        var fields = new[] { entry["previous"].AsString, entry["_id"].AsInt64.ToString(CultureInfo.InvariantCulture), entry["at"].AsInt64.ToString(CultureInfo.InvariantCulture), entry["actor"].AsString, entry["action"].AsString, entry["target"].AsString, entry["result"].AsString };
        var text = string.Concat(fields.Select(f => $"{f.Length}:{f}\n"));
        var bytes = Encoding.UTF8.GetBytes(text);
        return Convert.ToHexStringLower(key is null ? SHA256.HashData(bytes) : HMACSHA256.HashData(key, bytes));
    }
}
