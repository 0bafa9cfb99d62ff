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
/// The audit log: append-only and hash-chained. Each entry's hash covers its fields and the
/// previous entry's hash, so editing, deleting or reordering any entry breaks the chain from
/// there on, and <see cref="Verify"/> names the first entry where it breaks.
/// </summary>
public sealed class AuditLog(StateStore state)
{
    private const string Genesis = "genesis";
    private static readonly Lock Gate = new();
    private readonly ILiteCollection<BsonDocument> _entries = state.Collection("audit");

    /// <summary>Appends an entry; throws when it cannot be written, so the caller's mutation does not happen either.</summary>
    public AuditEntry Append(string actor, string action, string target, string result)
    {
        using var _ = Gate.EnterScope();
        var last = _entries.Query().OrderByDescending(d => d["_id"]).Limit(1).FirstOrDefault();
        var sequence = last is null ? 1 : last["_id"].AsInt64 + 1;
        var previous = last?["hash"].AsString ?? Genesis;
        var at = DateTimeOffset.UtcNow;
        var entry = new AuditEntry(sequence, at, actor, action, target, result, previous, "");
        entry = entry with { Hash = HashOf(entry) };
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
        state.Flush();
        return entry;
    }

    public IReadOnlyList<AuditEntry> List(string? actor = null, string? action = null, string? target = null, int limit = 100) => All()
        .Where(e => actor is null || e.Actor == actor)
        .Where(e => action is null || e.Action.StartsWith(action, StringComparison.Ordinal))
        .Where(e => target is null || e.Target.StartsWith(target, StringComparison.Ordinal))
        .OrderByDescending(e => e.Sequence)
        .Take(limit)
        .ToList();

    /// <summary>Walks the chain from the first entry: a gap in the numbers, a broken link or a wrong hash is reported where it first occurs.</summary>
    public AuditVerification Verify()
    {
        var previous = Genesis;
        long expected = 1;
        foreach (var entry in All())
        {
            if (entry.Sequence != expected)
            {
                return new AuditVerification(false, expected - 1, expected, $"entry {expected} is missing (the next one is {entry.Sequence})");
            }

            if (entry.Previous != previous)
            {
                return new AuditVerification(false, expected - 1, entry.Sequence, $"entry {entry.Sequence} does not follow entry {entry.Sequence - 1} (removed, reordered or altered before it)");
            }

            if (HashOf(entry) != entry.Hash)
            {
                return new AuditVerification(false, expected - 1, entry.Sequence, $"entry {entry.Sequence} was altered: its content does not match its hash");
            }

            previous = entry.Hash;
            expected++;
        }

        return new AuditVerification(true, expected - 1, null, $"{expected - 1} entries, chain intact");
    }

    private List<AuditEntry> All() => _entries.Query().OrderBy(d => d["_id"]).ToEnumerable().Select(d => new AuditEntry(
        d["_id"].AsInt64,
        DateTimeOffset.FromUnixTimeMilliseconds(d["at"].AsInt64),
        d["actor"].AsString,
        d["action"].AsString,
        d["target"].AsString,
        d["result"].AsString,
        d["previous"].AsString,
        d["hash"].AsString)).ToList();

    /// <summary>SHA-256 over the previous hash and every field, each length-prefixed so no two entries serialize alike.</summary>
    private static string HashOf(AuditEntry entry)
    {
        var text = new StringBuilder();
        foreach (var field in new[] { entry.Previous, entry.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.At.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Actor, entry.Action, entry.Target, entry.Result })
        {
            text.Append(field.Length).Append(':').Append(field).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
