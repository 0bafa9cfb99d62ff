namespace Gitops.Server;

/// <summary>
/// <c>paas exec</c> through the server, over one WebSocket: the client's first text message is
/// <see cref="Start"/>; binary messages carry input one way and output the other (the output's first
/// byte says the stream: 1 stdout, 2 stderr); text messages carry <see cref="Control"/> from the
/// client and <see cref="Answer"/> from the server, the last of which has the exit code or the error.
/// </summary>
public static class ExecProtocol
{
    /// <summary>The command as its argument list, in which replica, and whether it gets a terminal of that size.</summary>
    public sealed record Start(IReadOnlyList<string> Command, int? Replica, bool Tty, int Width = 80, int Height = 24);

    /// <summary>The input ended (<see cref="Eof"/>), or the terminal was resized (<see cref="Resize"/>: width, height).</summary>
    public sealed record Control(bool? Eof = null, int[]? Resize = null);

    /// <summary>Which replica runs it once started; how it exited, or why it could not run, at the end.</summary>
    public sealed record Answer(string? Replica = null, int? Exit = null, string? Error = null);
}
