using Gitops.Engine.Desired;
using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Ingress;

/// <summary>
/// Which environment a host name routes to, so that one project can never take another's
/// traffic: a name (or a wildcard covering it) belongs to the first environment that routes it,
/// until that environment stops routing it. Kept in the state database; checked when planning,
/// claimed in one step before an apply builds or starts anything, released by destroy.
/// </summary>
public sealed class DomainClaims(StateStore state)
{
    // One server process owns the state file; this makes check-and-claim one step within it.
    private static readonly Lock Gate = new();

    private readonly ILiteCollection<BsonDocument> _claims = state.Collection("domain_claims");

    /// <summary>Why the environment may not route these names, or null when it may.</summary>
    public string? Conflict(DesiredState desired, string? baseDomain)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var problems = new List<string>();
        foreach (var (service, domain) in desired.Routes.SelectMany(r => r.Domains.Select(d => (r.Service, Domain: d.ToLowerInvariant()))))
        {
            if (baseDomain is not null && domain.StartsWith("*.", StringComparison.Ordinal) && Covers(domain, "x." + baseDomain.ToLowerInvariant()))
            {
                problems.Add($"service '{service}': domain '{domain}' would cover every project's default domain under '{baseDomain}'; name the hosts it serves instead");
                continue;
            }

            foreach (var claim in _claims.FindAll().Where(c => Overlap(c["_id"].AsString, domain) && !Owns(c, desired.Project, desired.Environment)))
            {
                problems.Add(claim["project"].AsString == desired.Project
                    ? $"service '{service}': domain '{domain}' is already routed by environment '{claim["environment"].AsString}' of this project"
                    : $"service '{service}': domain '{domain}' is already routed by another project");
            }
        }

        return problems.Count == 0 ? null : string.Join(Environment.NewLine, problems.Distinct(StringComparer.Ordinal));
    }

    /// <summary>Claims the environment's names in one step (names it stops routing are released once the apply succeeded: <see cref="Keep"/>).</summary>
    /// <exception cref="Execution.PlanRefusedException">Another environment routes one of the names.</exception>
    public void Claim(DesiredState desired, string? baseDomain)
    {
        ArgumentNullException.ThrowIfNull(desired);
        lock (Gate)
        {
            if (Conflict(desired, baseDomain) is { } conflict)
            {
                throw new Execution.PlanRefusedException(conflict);
            }

            foreach (var (service, domain) in desired.Routes.SelectMany(r => r.Domains.Select(d => (r.Service, Domain: d.ToLowerInvariant()))))
            {
                _claims.Upsert(new BsonDocument { ["_id"] = domain, ["project"] = desired.Project, ["environment"] = desired.Environment, ["service"] = service });
            }

            state.Flush();
        }
    }

    /// <summary>After a successful apply: the environment keeps only the names it now routes.</summary>
    public void Keep(DesiredState desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        lock (Gate)
        {
            var routed = desired.Routes.SelectMany(r => r.Domains).Select(d => d.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
            var stale = _claims.Find(c => c["project"] == desired.Project && c["environment"] == desired.Environment).Where(c => !routed.Contains(c["_id"].AsString)).Select(c => c["_id"]).ToList();
            foreach (var id in stale)
            {
                _claims.Delete(id);
            }

            state.Flush();
        }
    }

    /// <summary>The environment routes nothing any more (destroyed).</summary>
    public void Release(string project, string environment)
    {
        lock (Gate)
        {
            _claims.DeleteMany(c => c["project"] == project && c["environment"] == environment);
            state.Flush();
        }
    }

    private static bool Owns(BsonDocument claim, string project, string environment) =>
        claim["project"].AsString == project && claim["environment"].AsString == environment;

    /// <summary>Two names overlap when they are equal or a wildcard covers the other (or both are wildcards, one covering the other).</summary>
    internal static bool Overlap(string a, string b) => a == b || Covers(a, b) || Covers(b, a);

    /// <summary><c>*.example.com</c> covers <c>shop.example.com</c> and <c>*.example.com</c>'s one-label children only, as Caddy matches.</summary>
    private static bool Covers(string wildcard, string name)
    {
        if (!wildcard.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }

        var suffix = wildcard[1..]; // ".example.com"
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && name[dot..] == suffix;
    }
}
