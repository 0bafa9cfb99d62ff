using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Operations;

/// <summary>
/// When each service was last restarted by hand, per environment. Every later compile stamps it on
/// the service's spec (<see cref="Desired.ServiceSpec.Restarted"/>), so the next commit keeps the
/// replicas a restart started instead of replacing them once more.
/// </summary>
public sealed class RestartRecords(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _records = state.Collection("restarts");

    /// <summary>Service → its last restart's stamp.</summary>
    public IReadOnlyDictionary<string, string> Of(string project, string environment) =>
        _records.FindById(Key(project, environment)) is { } document
            ? document.Where(f => f.Key != "_id").ToDictionary(f => f.Key, f => f.Value.AsString, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public void Record(string project, string environment, string service, string restarted)
    {
        var document = _records.FindById(Key(project, environment)) ?? new BsonDocument { ["_id"] = Key(project, environment) };
        document[service] = restarted;
        _records.Upsert(document);
    }

    private static string Key(string project, string environment) => $"{project}/{environment}";
}
