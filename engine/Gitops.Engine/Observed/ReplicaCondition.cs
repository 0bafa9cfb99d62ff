namespace Gitops.Engine.Observed;

/// <summary>
/// What happened to a running instance that its running state hides: how often the target
/// restarted it, and why it last ended when the target can tell (killed for memory).
/// </summary>
/// <param name="Restarts">Restarts the target did by itself since the instance was created.</param>
/// <param name="LastEnd">Why it last ended (<see cref="KilledForMemory"/>, an exit code), or null when the target cannot tell or it never ended.</param>
public sealed record ReplicaCondition(string Name, string Service, int Replica, int Restarts, string? LastEnd)
{
    public const string KilledForMemory = "killed for memory (OOM)";

    public bool Troubled => Restarts > 0 || LastEnd is not null;

    /// <summary>One line for status and events: "replica 1 restarted 3 times, last killed for memory (OOM)".</summary>
    public string Describe()
    {
        var restarted = Restarts switch
        {
            0 => "",
            1 => " restarted once",
            _ => $" restarted {Restarts} times",
        };
        var why = LastEnd is null ? (Restarts > 0 ? " (the target does not say why)" : "") : $"{(Restarts > 0 ? "," : "")} last {LastEnd}";
        return $"replica {Replica}{restarted}{why}";
    }
}
