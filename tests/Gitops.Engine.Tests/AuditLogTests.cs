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

    [Fact]
    public void The_log_is_listed_newest_first_and_filtered_by_action_and_target_prefix()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);

        Assert.Equal([5L, 4, 3, 2, 1], log.List().Select(e => e.Sequence));
        Assert.Equal([3L, 2], log.List(action: "POST /api").Select(e => e.Sequence));
        Assert.Equal([5L, 4, 2], log.List(target: "shop").Select(e => e.Sequence));
        Assert.Equal([5L, 4], log.List(limit: 2).Select(e => e.Sequence));
        Assert.Empty(log.List(action: "api"));
        Assert.Equal(["alice"], log.List(action: "secret", target: "shop/").Select(e => e.Actor));
    }

    [Fact]
    public void An_appended_entry_links_to_the_one_before_it_and_carries_what_was_done()
    {
        using var state = StateStore.Open(_directory);
        var log = new AuditLog(state);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var first = log.Append("alice", "login", "127.0.0.1", "ok");
        var second = log.Append("bob", "secret set", "shop/DATABASE_URL", "refused (forbidden)");

        Assert.Equal((1L, "genesis"), (first.Sequence, first.Previous));
        Assert.Equal((2L, first.Hash, "bob", "secret set", "shop/DATABASE_URL", "refused (forbidden)"), (second.Sequence, second.Previous, second.Actor, second.Action, second.Target, second.Result));
        Assert.Matches("^[0-9a-f]{64}$", second.Hash);
        Assert.InRange(second.At, before, DateTimeOffset.UtcNow);
        Assert.Equal(second with { At = default }, log.List(limit: 1).Single() with { At = default }); // stored as returned
        Assert.Equal(second.At.ToUnixTimeMilliseconds(), log.List(limit: 1).Single().At.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void A_broken_log_reports_how_many_entries_were_good_before_the_first_bad_one()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var entries = state.Collection("audit");
        var fourth = entries.FindById(4);
        fourth["actor"] = "mallory";
        entries.Update(fourth);

        var verification = log.Verify();

        Assert.Equal((false, 3L, 4L), (verification.Intact, verification.Entries, verification.FirstBad));
        Assert.Equal("entry 4 was altered: its content does not match its keyed hash", verification.Detail);
    }

    [Fact]
    public void Removing_the_first_entry_is_found_at_entry_one()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        state.Collection("audit").Delete(1);

        var verification = log.Verify();

        Assert.Equal((false, 0L, 1L), (verification.Intact, verification.Entries, verification.FirstBad));
        Assert.Equal("entry 1 is missing (removed: the next one is 2)", verification.Detail);
    }

    [Fact]
    public void An_intact_log_says_how_many_entries_it_checked()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);

        Assert.Equal(new AuditVerification(true, 5, null, "5 entries, chain intact"), log.Verify());
    }

    [Fact]
    public void A_missing_key_beside_an_existing_head_is_reported_and_stops_appends()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        File.Delete(Path.Combine(_directory, AuditKey.FileName));

        var verification = log.Verify();

        Assert.Equal((false, 5L, (long?)null), (verification.Intact, verification.Entries, verification.FirstBad));
        Assert.Equal("audit.key is missing while audit.head exists: the keyed chain cannot be checked; restore the key from your backup", verification.Detail);
        var refused = Assert.Throws<InvalidOperationException>(() => log.Append("mallory", "login", "127.0.0.1", "ok"));
        Assert.Equal("audit.key is missing while audit.head exists; restore the key from your backup", refused.Message);
        Assert.Equal(5, log.List().Count);
        Assert.False(File.Exists(Path.Combine(_directory, AuditKey.FileName))); // no new key was made to cover it up
    }

    [Fact]
    public void A_missing_head_is_reported_stops_appends_and_re_anchoring_records_it()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        File.Delete(Path.Combine(_directory, AuditHead.FileName));

        var verification = log.Verify();

        Assert.Equal((false, 5L, (long?)null), (verification.Intact, verification.Entries, verification.FirstBad));
        Assert.Equal("audit.head is missing: whether entries were cut from the end cannot be checked; restore it from your backup, or re-anchor (paas audit reanchor)", verification.Detail);
        var refused = Assert.Throws<InvalidOperationException>(() => log.Append("mallory", "login", "127.0.0.1", "ok"));
        Assert.StartsWith("audit.head is missing", refused.Message, StringComparison.Ordinal);
        Assert.Equal(5, log.List().Count);

        var entry = log.Reanchor("cli:owner");

        Assert.Equal((6L, "cli:owner", "audit.head", "audit.head was missing; the log had 5"), (entry.Sequence, entry.Actor, entry.Target, entry.Result));
        Assert.Equal(new AuditVerification(true, 6, null, "6 entries, chain intact"), log.Verify());
    }

    [Fact]
    public void Re_anchoring_names_the_head_it_replaces_by_its_entry_count_and_short_hash()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var fifth = log.List(limit: 1).Single();
        state.Collection("audit").Delete(5);

        var entry = log.Reanchor("cli:owner");

        Assert.Equal($"audit.head recorded 5 entries ending {fifth.Hash[..12]}; the log had 4", entry.Result);
        Assert.Equal(5, entry.Sequence);
    }

    [Fact]
    public void A_head_that_records_another_entry_than_the_log_holds_is_found_and_stops_appends()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var path = Path.Combine(_directory, AuditHead.FileName);
        var other = new string('0', 64);
        File.WriteAllText(path, File.ReadAllText(path).Replace(log.List(limit: 1).Single().Hash, other, StringComparison.Ordinal)); // as if the state file belonged to another history

        var verification = log.Verify();

        Assert.Equal((false, 5L, 5L), (verification.Intact, verification.Entries, verification.FirstBad));
        Assert.Equal("entry 5 is not the entry audit.head recorded (replaced, or the state file belongs to another head)", verification.Detail);
        Assert.Throws<InvalidOperationException>(() => log.Append("mallory", "login", "127.0.0.1", "ok"));
    }

    [Fact]
    public void A_head_further_on_than_the_state_file_is_found_as_a_rollback_at_the_first_entry_it_lacks()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var path = Path.Combine(_directory, AuditHead.FileName);
        var head = File.ReadAllText(path);
        File.WriteAllText(path, head.Replace("\"entries\":5", "\"entries\":9", StringComparison.Ordinal)); // the head is further on than this state file

        var verification = log.Verify();

        Assert.Equal((false, 5L, 6L), (verification.Intact, verification.Entries, verification.FirstBad));
        Assert.Equal("the state file is older than the audit head (rolled back): audit.head records 9 entries, the state file ends at entry 5", verification.Detail);
    }

    [Fact]
    public void A_crash_after_the_key_was_made_and_before_the_first_entry_leaves_a_log_that_verifies_and_takes_entries()
    {
        using var state = StateStore.Open(_directory);
        var key = Path.Combine(_directory, AuditKey.FileName);
        File.WriteAllBytes(key, RandomNumberGenerator.GetBytes(32));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var log = new AuditLog(state);

        Assert.Equal(new AuditVerification(true, 0, null, "0 entries, chain intact"), log.Verify());
        log.Append("alice", "login", "127.0.0.1", "ok");

        Assert.Equal(new AuditVerification(true, 1, null, "1 entries, chain intact"), log.Verify());
        Assert.True(File.Exists(Path.Combine(_directory, AuditHead.FileName)));
    }

    [Fact]
    public void A_new_log_verifies_as_empty_and_unkeyed_without_creating_anything()
    {
        using var state = StateStore.Open(_directory);

        Assert.Equal(new AuditVerification(true, 0, null, "0 entries, unkeyed chain intact (it is keyed, and its head kept, from the next audited action)"), new AuditLog(state).Verify());
        Assert.False(File.Exists(Path.Combine(_directory, AuditKey.FileName)));
        Assert.False(File.Exists(Path.Combine(_directory, AuditHead.FileName)));
    }

    [Fact]
    public void Re_keying_a_tampered_unkeyed_log_records_what_was_wrong_and_verification_still_finds_it()
    {
        using var state = StateStore.Open(_directory);
        WriteUnkeyed(state, 3);
        var entries = state.Collection("audit");
        var second = entries.FindById(2);
        second["result"] = "refused";
        entries.Update(second);
        var log = new AuditLog(state);
        Assert.Equal(new AuditVerification(false, 1, 2, "entry 2 was altered: its content does not match its hash"), log.Verify());

        log.Append("bob", "login", "127.0.0.1", "ok");

        var rekeyed = log.List(action: AuditLog.RekeyedAction).Single();
        Assert.Equal((4L, "system", "entries 1-3", "entry 2 was altered: its content does not match its hash"), (rekeyed.Sequence, rekeyed.Actor, rekeyed.Target, rekeyed.Result));
        Assert.Equal(2, log.Verify().FirstBad);
    }

    [Fact]
    public void Re_keying_an_intact_unkeyed_log_says_so_and_re_anchoring_it_later_keeps_the_old_part_checkable()
    {
        using var state = StateStore.Open(_directory);
        WriteUnkeyed(state, 3);
        var log = new AuditLog(state);
        Assert.Equal(new AuditVerification(true, 3, null, "3 entries, unkeyed chain intact (it is keyed, and its head kept, from the next audited action)"), log.Verify());
        log.Append("bob", "login", "127.0.0.1", "ok");
        Assert.Equal("unkeyed chain intact", log.List(action: AuditLog.RekeyedAction).Single().Result);
        File.Delete(Path.Combine(_directory, AuditHead.FileName));

        log.Reanchor("cli:owner");

        Assert.Equal(new AuditVerification(true, 6, null, "6 entries, chain intact"), log.Verify()); // entries 1-3 still checked as unkeyed, 4 on as keyed
    }

    [Fact]
    public void A_broken_link_is_reported_as_not_intact_with_the_good_entries_before_it_counted()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var entries = state.Collection("audit");
        var fourth = entries.FindById(4);
        fourth["previous"] = new string('0', 64);
        entries.Update(fourth);

        Assert.Equal(new AuditVerification(false, 3, 4, "entry 4 does not follow entry 3 (removed, reordered or altered before it)"), log.Verify());
    }

    [Fact]
    public void Editing_the_first_keyed_entry_is_reported_against_its_keyed_hash()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        var entries = state.Collection("audit");
        var first = entries.FindById(1);
        first["actor"] = "mallory";
        entries.Update(first);

        Assert.Equal(new AuditVerification(false, 0, 1, "entry 1 was altered: its content does not match its keyed hash"), log.Verify());
    }

    [Fact]
    public void Entries_cut_from_the_end_are_a_truncation_even_when_the_state_files_own_count_was_edited_to_match()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        state.Collection("audit").Delete(5);
        state.Collection("audit").Delete(4);
        var own = state.Collection("audit_head");
        var record = own.FindAll().Single();
        record["entries"] = 3L; // its hash still names entry 5: only a whole state file put back agrees with itself
        own.Update(record);

        var verification = log.Verify();

        Assert.Equal((false, 4L), (verification.Intact, verification.FirstBad));
        Assert.Equal("the last 2 entries are missing (truncated): audit.head records 5 entries, the log ends at entry 3", verification.Detail);
    }

    [Fact]
    public void Re_anchoring_with_the_key_missing_beside_its_head_is_refused_and_makes_no_new_key()
    {
        using var state = StateStore.Open(_directory);
        var log = Fill(state);
        File.Delete(Path.Combine(_directory, AuditKey.FileName));

        var refused = Assert.Throws<InvalidOperationException>(() => log.Reanchor("cli:owner"));

        Assert.Equal("audit.key is missing while audit.head exists; restore the key from your backup", refused.Message);
        Assert.False(File.Exists(Path.Combine(_directory, AuditKey.FileName))); // a new key would pass off a rewritten chain as intact
        Assert.Equal(5, log.List().Count);
    }

    [Fact]
    public void Re_anchoring_after_putting_back_a_state_file_from_before_the_re_key_keeps_its_entries_checked_as_unkeyed()
    {
        var copy = Directory.CreateTempSubdirectory("paas-audit-copy-").FullName;
        try
        {
            using (var state = StateStore.Open(_directory))
            {
                WriteUnkeyed(state, 3);
            }

            CopyStateFiles(_directory, copy);
            using (var state = StateStore.Open(_directory))
            {
                new AuditLog(state).Append("bob", "login", "127.0.0.1", "ok"); // re-keys: entry 4 links to the unkeyed 1-3
            }

            CopyStateFiles(copy, _directory); // the backup holds no "chain re-keyed" entry; audit.head still says where keying began

            using var restored = StateStore.Open(_directory);
            var log = new AuditLog(restored);
            var entry = log.Reanchor("cli:owner");

            Assert.Equal(4, entry.Sequence);
            Assert.Equal(new AuditVerification(true, 4, null, "4 entries, chain intact"), log.Verify());
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void Re_anchoring_a_head_that_records_no_entries_names_it_by_its_genesis_hash()
    {
        using var state = StateStore.Open(_directory);
        // A crash after the first head was written and before the first entry: key and an empty head.
        foreach (var (file, content) in new[] { (AuditKey.FileName, RandomNumberGenerator.GetBytes(32)), (AuditHead.FileName, Encoding.UTF8.GetBytes("""{"entries":0,"hash":"genesis","keyedFrom":1}""")) })
        {
            var path = Path.Combine(_directory, file);
            File.WriteAllBytes(path, content);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var log = new AuditLog(state);
        var entry = log.Reanchor("cli:owner");

        Assert.Equal((1L, "audit.head recorded 0 entries ending genesis; the log had 0"), (entry.Sequence, entry.Result));
        Assert.Equal(new AuditVerification(true, 1, null, "1 entries, chain intact"), log.Verify());
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

    /// <summary>Entries as written before the chain was keyed: plain SHA-256, no audit.key, no audit.head.</summary>
    private static void WriteUnkeyed(StateStore state, int count)
    {
        var entries = state.Collection("audit");
        var previous = "genesis";
        for (var sequence = 1L; sequence <= count; sequence++)
        {
            var entry = new BsonDocument { ["_id"] = sequence, ["at"] = 1_700_000_000_000 + sequence, ["actor"] = "alice", ["action"] = "login", ["target"] = "127.0.0.1", ["result"] = "ok", ["previous"] = previous };
            entry["hash"] = previous = HashOf(entry, key: null);
            entries.Insert(entry);
        }
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
