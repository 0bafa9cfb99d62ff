using Gitops.Engine.State;
using LiteDB;

namespace Gitops.Engine.Scaling;

/// <summary>The replica count the autoscaler set for a service, why, and when.</summary>
public sealed record ScaledTo(int Replicas, string Why, DateTimeOffset At);

/// <summary>The autoscaler's last reading of a service and what it made of it (for <c>paas status</c>).</summary>
public sealed record ScaleReading(string Load, string Note, DateTimeOffset At);

/// <summary>
/// Per environment, what the autoscaler decided (the replica counts every later plan keeps, a Git
/// commit's included) and what it last read. Kept in the state so a restarted server, and a plan
/// made by the CLI, run the count the autoscaler chose rather than <c>min</c>.
/// </summary>
public sealed class ScaleRecords(StateStore state)
{
    private readonly ILiteCollection<BsonDocument> _records = state.Collection("autoscale");

    public IReadOnlyDictionary<string, ScaledTo> Decisions(string project, string environment) =>
        Read<Dictionary<string, ScaledTo>>(project, environment, "decisions") ?? [];

    public IReadOnlyDictionary<string, ScaleReading> Readings(string project, string environment) =>
        Read<Dictionary<string, ScaleReading>>(project, environment, "readings") ?? [];

    /// <summary>Replica counts by service.</summary>
    public IReadOnlyDictionary<string, int> Replicas(string project, string environment) =>
        Decisions(project, environment).ToDictionary(d => d.Key, d => d.Value.Replicas, StringComparer.Ordinal);

    /// <summary>The desired state at the counts this environment's autoscaler chose: every plan (a commit's, a rollback's, a scale's) runs them.</summary>
    public Desired.DesiredState Apply(Desired.DesiredState desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return WithReplicas(desired, Replicas(desired.Project, desired.Environment));
    }

    /// <summary>Autoscaled services at the counts given, within the bounds they declare now; the others as they are.</summary>
    public static Desired.DesiredState WithReplicas(Desired.DesiredState desired, IReadOnlyDictionary<string, int> replicas)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(replicas);
        return desired with
        {
            Services = new Gitops.Schema.Model.ValueList<Desired.DesiredService>(desired.Services.Select(s => s.Extras.Autoscale is { } autoscale && replicas.TryGetValue(s.Name, out var count)
                ? s with { Replicas = autoscale.Clamp(count) }
                : s)),
        };
    }

    public void Scaled(string project, string environment, string service, ScaledTo scaled)
    {
        var decisions = new Dictionary<string, ScaledTo>(Decisions(project, environment), StringComparer.Ordinal) { [service] = scaled };
        Write(project, environment, "decisions", decisions);
        state.Flush();
    }

    /// <summary>The readings of this pass; services no longer autoscaled lose their decision too.</summary>
    public void Read(string project, string environment, IReadOnlyDictionary<string, ScaleReading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        Write(project, environment, "readings", readings);
        var decisions = Decisions(project, environment);
        if (decisions.Keys.Any(k => !readings.ContainsKey(k)))
        {
            Write(project, environment, "decisions", decisions.Where(d => readings.ContainsKey(d.Key)).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal));
        }
    }

    private T? Read<T>(string project, string environment, string field) where T : class =>
        _records.FindById(Key(project, environment)) is { } d && d.TryGetValue(field, out var value) && value.IsString ? StateJson.Read<T>(value.AsString) : null;

    private void Write(string project, string environment, string field, object value)
    {
        var document = _records.FindById(Key(project, environment)) ?? new BsonDocument { ["_id"] = Key(project, environment) };
        document[field] = StateJson.Write(value);
        _records.Upsert(document);
    }

    private static string Key(string project, string environment) => $"{project}/{environment}";
}
