namespace Gitops.Engine.Targets;

/// <summary>
/// Runs a command inside a running replica of a service (<c>paas exec</c>), its input and output
/// streamed both ways. The command is an argument list handed to the target as is: never a shell
/// string, unless the user runs a shell as the command.
/// </summary>
public interface IServiceExec
{
    /// <summary>Starts the command in the replica asked for (or the first running one); refused when none runs.</summary>
    Task<IExecSession> ExecAsync(ExecRequest request, CancellationToken cancellationToken);
}

/// <param name="Replica">The replica by number (from 1); null: the first running one.</param>
/// <param name="Tty">A terminal: output comes as one stream and the input is a keyboard (the caller's terminal is raw).</param>
public sealed record ExecRequest(string Project, string Environment, string Service, int? Replica, IReadOnlyList<string> Command, bool Tty, int Width = 80, int Height = 24);

/// <summary>Which stream a chunk of a command's output came from.</summary>
public enum ExecStream
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>One running command: read its output until the end, write its input, then ask how it exited.</summary>
public interface IExecSession : IAsyncDisposable
{
    /// <summary>The replica it runs in, as <c>service-N</c>.</summary>
    string Replica { get; }

    /// <summary>The next chunk of output into <paramref name="buffer"/>; null once the command's output ended.</summary>
    Task<(ExecStream Stream, int Count)?> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken);

    /// <summary>The input ended (the caller's stdin closed): the command reads end of file.</summary>
    Task CloseInputAsync(CancellationToken cancellationToken);

    Task ResizeAsync(int width, int height, CancellationToken cancellationToken);

    /// <summary>How the command exited, once its output ended.</summary>
    Task<int> ExitCodeAsync(CancellationToken cancellationToken);
}
