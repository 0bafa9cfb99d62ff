using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Health;

/// <summary>What the health check after the deploy last concluded about a service: since when it is degraded or healthy again, and why.</summary>
public sealed record ServiceHealth(string Service, bool Healthy, DateTimeOffset Since, string Detail);

/// <summary>Per environment, each watched service's last conclusion (<c>paas status</c>, the API and the dashboard show it).</summary>
public sealed class HealthRecords(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _records = state.Collection("health");

    public IReadOnlyDictionary<string, ServiceHealth> Of(string project, string environment) =>
        _records.FindById(Key(project, environment)) is { } document
            ? document.Where(f => f.Key != "_id").ToDictionary(f => f.Key, f => StateJson.Read<ServiceHealth>(f.Value.AsString), StringComparer.Ordinal)
            : new Dictionary<string, ServiceHealth>(StringComparer.Ordinal);

    public void Record(string project, string environment, ServiceHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        var document = _records.FindById(Key(project, environment)) ?? new BsonDocument { ["_id"] = Key(project, environment) };
        document[health.Service] = StateJson.Write(health);
        _records.Upsert(document);
    }

    private static string Key(string project, string environment) => $"{project}/{environment}";
}
