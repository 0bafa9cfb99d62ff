using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Audit;

/// <summary>One audited action: who did what to which target, and how it ended. Never a secret value.</summary>
public sealed record AuditEntry(long Sequence, DateTimeOffset At, string Actor, string Action, string Target, string Result, string Previous, string Hash);

/// <summary>What <c>paas audit verify</c> found: the first entry that was altered, removed or moved, if any.</summary>
public sealed record AuditVerification(bool Intact, long Entries, long? FirstBad, string Detail);

/// <summary>
/// The audit log: append-only and chained with HMAC-SHA256 under <c>audit.key</c>, a key kept
/// outside the database, so whoever can edit the state file cannot recompute the chain after an
/// edit. Each entry's hash covers its fields and the previous entry's hash; the newest entry's
/// number and hash are also written to <c>audit.head</c>, outside the state file, so cutting
/// entries from the end or restoring an older state file is found too. <see cref="Verify"/> names
/// what is wrong. A log written before the chain was keyed keeps its plain SHA-256 links; the first
/// keyed access appends a "chain re-keyed" entry that links to them, and the keyed chain starts there.
/// </summary>
public sealed class AuditLog(StateStore state)
{
    public const string RekeyedAction = "audit chain re-keyed";
    public const string ReanchoredAction = "audit head re-anchored";
    private const string Genesis = "genesis";
    private const string HeadId = "head";
    private static readonly Lock Gate = new();
    private readonly ILiteCollection<BsonDocument> _entries = state.Collection("audit");

    // The state file's own record of its newest entry: it moves with the state file, audit.head does not,
    // which tells a whole state file put back (both behind) from entries cut from it (only the log behind).
    private readonly ILiteCollection<BsonDocument> _head = state.Collection("audit_head");
    private readonly string _directory = state.DataDirectory;

    /// <summary>Appends an entry; throws when it cannot be written, so the caller's mutation does not happen either.</summary>
    public AuditEntry Append(string actor, string action, string target, string result)
    {
        using var _ = Gate.EnterScope();
        var (key, head) = Anchor();
        if (Behind(head) is { } problem)
        {
            throw new InvalidOperationException($"the audit log cannot be appended to: {problem}; nothing is recorded (and nothing audited is done) until an owner runs paas audit verify, reviews it, and re-anchors with paas audit reanchor");
        }

        return Write(key, head.KeyedFrom, actor, action, target, result);
    }

    /// <summary>
    /// Accepts the log as it is after an owner reviewed a verification failure (e.g. a backup was
    /// restored on purpose): records what the head said in a new entry and moves the head to it.
    /// </summary>
    public AuditEntry Reanchor(string actor)
    {
        using var _ = Gate.EnterScope();
        var key = AuditKey.Load(_directory, create: false) ?? Anchor().Key;
        var old = AuditHead.Read(_directory);
        var last = Last();
        var keyedFrom = old?.KeyedFrom ?? All().FirstOrDefault(e => e.Action == RekeyedAction)?.Sequence ?? 1;
        var said = old is null ? "audit.head was missing" : $"audit.head recorded {old.Entries} entries ending {Short(old.Hash)}";
        return Write(key, keyedFrom, actor, ReanchoredAction, "audit.head", $"{said}; the log had {last?.Sequence ?? 0}");
    }

    public IReadOnlyList<AuditEntry> List(string? actor = null, string? action = null, string? target = null, int limit = 100) => All()
        .Where(e => actor is null || e.Actor == actor)
        .Where(e => action is null || e.Action.StartsWith(action, StringComparison.Ordinal))
        .Where(e => target is null || e.Target.StartsWith(target, StringComparison.Ordinal))
        .OrderByDescending(e => e.Sequence)
        .Take(limit)
        .ToList();

    /// <summary>
    /// Walks the chain from the first entry (a gap in the numbers, a broken link or a wrong hash is
    /// reported where it first occurs), then compares its end with <c>audit.head</c>. Reads only.
    /// </summary>
    public AuditVerification Verify()
    {
        using var _ = Gate.EnterScope();
        var key = AuditKey.Load(_directory, create: false);
        var head = AuditHead.Read(_directory);
        var entries = All();
        if (key is null && head is not null)
        {
            return new AuditVerification(false, entries.Count, null, $"{AuditKey.FileName} is missing while {AuditHead.FileName} exists: the keyed chain cannot be checked; restore the key from your backup");
        }

        var keyedFrom = key is null ? long.MaxValue : head?.KeyedFrom ?? 1;
        if (Walk(entries, key, keyedFrom) is { } broken)
        {
            return broken;
        }

        if (key is null)
        {
            return new AuditVerification(true, entries.Count, null, $"{entries.Count} entries, unkeyed chain intact (it is keyed, and its head kept, from the next audited action)");
        }

        if (head is null)
        {
            return entries.Count == 0
                ? new AuditVerification(true, 0, null, "0 entries, chain intact")
                : new AuditVerification(false, entries.Count, null, $"{AuditHead.FileName} is missing: whether entries were cut from the end cannot be checked; restore it from your backup, or re-anchor (paas audit reanchor)");
        }

        return Behind(head) is { } problem
            ? new AuditVerification(false, entries.Count, Math.Min(entries.Count + 1, head.Entries), problem)
            : new AuditVerification(true, entries.Count, null, $"{entries.Count} entries, chain intact");
    }

    /// <summary>Why the log in the state file is behind (or beside) its head; null when it reaches it.</summary>
    private string? Behind(AuditHead head)
    {
        var last = Last();
        var count = last?.Sequence ?? 0;
        if (head.Entries > count)
        {
            var own = _head.FindById(HeadId);
            var consistent = (own?["entries"].AsInt64 ?? 0) == count && (own?["hash"].AsString ?? Genesis) == (last?.Hash ?? Genesis);
            return consistent
                ? $"the state file is older than the audit head (rolled back): {AuditHead.FileName} records {head.Entries} entries, the state file ends at entry {count}"
                : $"the last {head.Entries - count} entries are missing (truncated): {AuditHead.FileName} records {head.Entries} entries, the log ends at entry {count}";
        }

        // Entries past the head are fine (a crash between the entry and the head leaves it one behind); the head's own entry must match.
        var at = head.Entries == 0 ? Genesis : _entries.FindById(head.Entries)?["hash"].AsString;
        return at == head.Hash ? null : $"entry {head.Entries} is not the entry {AuditHead.FileName} recorded (replaced, or the state file belongs to another head)";
    }

    /// <summary>The key and head, creating both for a new log, or re-keying an unkeyed one.</summary>
    private (byte[] Key, AuditHead Head) Anchor()
    {
        var head = AuditHead.Read(_directory);
        if (AuditKey.Load(_directory, create: false) is { } key)
        {
            if (head is not null)
            {
                return (key, head);
            }

            var last = Last();
            if (last is null)
            {
                head = new AuditHead(0, Genesis, 1);
                head.Write(_directory);
                return (key, head);
            }

            throw new InvalidOperationException($"{AuditHead.FileName} is missing: whether entries were cut from the end cannot be checked; restore it from your backup, or re-anchor after review (paas audit reanchor)");
        }

        if (head is not null)
        {
            throw new InvalidOperationException($"{AuditKey.FileName} is missing while {AuditHead.FileName} exists; restore the key from your backup");
        }

        var existing = All();
        key = AuditKey.Load(_directory, create: true)!;
        if (existing.Count == 0)
        {
            head = new AuditHead(0, Genesis, 1);
            head.Write(_directory);
            return (key, head);
        }

        // An unkeyed log from before: its entries keep their SHA-256 links, checked now and recorded; the keyed chain links to them.
        var old = Walk(existing, null, long.MaxValue)?.Detail ?? $"unkeyed chain intact";
        var keyedFrom = existing[^1].Sequence + 1;
        var entry = Write(key, keyedFrom, "system", RekeyedAction, $"entries 1-{existing[^1].Sequence}", old);
        return (key, AuditHead.Read(_directory) ?? new AuditHead(entry.Sequence, entry.Hash, keyedFrom));
    }

    private AuditEntry Write(byte[] key, long keyedFrom, string actor, string action, string target, string result)
    {
        var last = Last();
        var sequence = (last?.Sequence ?? 0) + 1;
        var previous = last?.Hash ?? Genesis;
        var at = DateTimeOffset.UtcNow;
        var entry = new AuditEntry(sequence, at, actor, action, target, result, previous, "");
        entry = entry with { Hash = HashOf(entry, key) };
        _entries.Insert(new BsonDocument
        {
            ["_id"] = sequence,
            ["at"] = at.ToUnixTimeMilliseconds(),
            ["actor"] = actor,
            ["action"] = action,
            ["target"] = target,
            ["result"] = result,
            ["previous"] = previous,
            ["hash"] = entry.Hash,
        });
        _head.Upsert(new BsonDocument { ["_id"] = HeadId, ["entries"] = sequence, ["hash"] = entry.Hash });
        state.Flush();
        new AuditHead(sequence, entry.Hash, keyedFrom).Write(_directory);
        return entry;
    }

    /// <summary>The first gap, broken link or wrong hash; entries before <paramref name="keyedFrom"/> use the unkeyed hash.</summary>
    private static AuditVerification? Walk(IReadOnlyList<AuditEntry> entries, byte[]? key, long keyedFrom)
    {
        var previous = Genesis;
        long expected = 1;
        foreach (var entry in entries)
        {
            if (entry.Sequence != expected)
            {
                return new AuditVerification(false, expected - 1, expected, $"entry {expected} is missing (removed: the next one is {entry.Sequence})");
            }

            if (entry.Previous != previous)
            {
                return new AuditVerification(false, expected - 1, entry.Sequence, $"entry {entry.Sequence} does not follow entry {entry.Sequence - 1} (removed, reordered or altered before it)");
            }

            if (HashOf(entry, entry.Sequence >= keyedFrom ? key : null) != entry.Hash)
            {
                return new AuditVerification(false, expected - 1, entry.Sequence, $"entry {entry.Sequence} was altered: its content does not match its {(entry.Sequence >= keyedFrom ? "keyed " : "")}hash");
            }

            previous = entry.Hash;
            expected++;
        }

        return null;
    }

    private AuditEntry? Last() => _entries.Query().OrderByDescending(d => d["_id"]).Limit(1).ToEnumerable().Select(Read).FirstOrDefault();

    private List<AuditEntry> All() => _entries.Query().OrderBy(d => d["_id"]).ToEnumerable().Select(Read).ToList();

    private static AuditEntry Read(BsonDocument d) => new(
        d["_id"].AsInt64,
        DateTimeOffset.FromUnixTimeMilliseconds(d["at"].AsInt64),
        d["actor"].AsString,
        d["action"].AsString,
        d["target"].AsString,
        d["result"].AsString,
        d["previous"].AsString,
        d["hash"].AsString);

    /// <summary>HMAC-SHA256 (SHA-256 for entries of an unkeyed log) over the previous hash and every field, each length-prefixed so no two entries serialize alike.</summary>
    private static string HashOf(AuditEntry entry, byte[]? key)
    {
        var text = new StringBuilder();
        foreach (var field in new[] { entry.Previous, entry.Sequence.ToString(CultureInfo.InvariantCulture), entry.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), entry.Actor, entry.Action, entry.Target, entry.Result })
        {
            text.Append(field.Length).Append(':').Append(field).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return Convert.ToHexStringLower(key is null ? SHA256.HashData(bytes) : HMACSHA256.HashData(key, bytes));
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
