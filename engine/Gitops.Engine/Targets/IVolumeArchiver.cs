namespace Gitops.Engine.Targets;

/// <summary>
/// A target that copies a service's volumes itself (the container family), for a volume backup:
/// the service's replicas stopped, a helper container that mounts the volumes runs the archive
/// command, the same replicas started again. The engine decides the commands; the target runs them.
/// </summary>
public interface IVolumeArchiver
{
    /// <summary>Stops the service's running replicas, each given <paramref name="stopTimeout"/> to end; returns those it stopped.</summary>
    Task<IReadOnlyList<StoppedReplica>> StopReplicasAsync(string project, string environment, string service, TimeSpan stopTimeout, CancellationToken cancellationToken);

    /// <summary>Starts replicas <see cref="StopReplicasAsync"/> stopped: the same containers, on the same volumes.</summary>
    Task StartReplicasAsync(IReadOnlyList<StoppedReplica> replicas, CancellationToken cancellationToken);

    /// <summary>
    /// A helper container on no network that mounts each of <paramref name="volumes"/> (name in the
    /// archive → the engine's volume) at <c>/volumes/NAME</c>, and runs commands as root with the
    /// right to read and write any file there. Disposing it removes it.
    /// </summary>
    Task<IVolumeHelper> OpenVolumesAsync(string project, string environment, string service, IReadOnlyDictionary<string, string> volumes, CancellationToken cancellationToken);
}

/// <summary>A replica a volume backup stopped, to start again.</summary>
public sealed record StoppedReplica(string Name, int Index);

/// <summary>The helper of <see cref="IVolumeArchiver.OpenVolumesAsync"/>.</summary>
public interface IVolumeHelper : IAsyncDisposable
{
    /// <summary>Runs <paramref name="command"/> (an argument list) in the helper, as <see cref="IServiceExec"/> does in a replica.</summary>
    Task<IExecSession> ExecAsync(IReadOnlyList<string> command, CancellationToken cancellationToken);
}
