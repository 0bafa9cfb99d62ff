namespace Gitops.Engine.State;

public enum JournalPhase
{
    /// <summary>Written before the side effect.</summary>
    Started,

    /// <summary>Written after it succeeded.</summary>
    Done,

    /// <summary>Written after recovery or rollback reversed it.</summary>
    Undone,
}

/// <summary>One step of an apply, written before and after its side effect (DESIGN §3 rule 8).</summary>
public sealed record JournalEntry(string DeploymentId, int Sequence, string Action, string Target, JournalPhase Phase);
