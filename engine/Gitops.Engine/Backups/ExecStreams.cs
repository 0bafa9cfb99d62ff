using System.Text;
using Gitops.Engine.Targets;

namespace Gitops.Engine.Backups;

/// <summary>A command's stdout as a stream to read (its stderr kept apart, the last few KiB, for the error).</summary>
internal sealed class ExecOutputStream(IExecSession session) : Stream
{
    private const int StderrKept = 4096;
    private readonly StringBuilder _stderr = new();
    private readonly byte[] _chunk = new byte[81920];
    private int _offset;
    private int _length;
    private bool _ended;

    public string Stderr => _stderr.ToString().Trim();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_offset == _length && !_ended)
        {
            if (await session.ReadAsync(_chunk, cancellationToken).ConfigureAwait(false) is not { } read)
            {
                _ended = true;
                break;
            }

            if (read.Stream == ExecStream.Stderr)
            {
                _stderr.Append(Encoding.UTF8.GetString(_chunk, 0, read.Count));
                if (_stderr.Length > StderrKept)
                {
                    _stderr.Remove(0, _stderr.Length - StderrKept);
                }

                continue;
            }

            (_offset, _length) = (0, read.Count);
        }

        var count = Math.Min(buffer.Length, _length - _offset);
        _chunk.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A command's stdin as a stream to write.</summary>
internal sealed class ExecInputStream(IExecSession session) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(session.WriteAsync(buffer, cancellationToken));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        session.WriteAsync(buffer.AsMemory(offset, count), cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// A command run to its end through an exec session (a service's replica, a drill's scratch
/// container): its stdout to <c>read</c>, its stdin from <c>write</c>; a non-zero exit is thrown with
/// the end of its stderr.
/// </summary>
internal static class ExecCommand
{
    public static async Task<long> RunAsync(Func<CancellationToken, Task<IExecSession>> start, string where, IReadOnlyList<string> command, Func<Stream, Task<long>> read, CancellationToken cancellationToken, Func<Stream, Task>? write = null)
    {
        await using var session = await start(cancellationToken).ConfigureAwait(false);
        var output = new ExecOutputStream(session);
        long result;
        if (write is not null)
        {
            var reading = Task.Run(async () => await output.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false), cancellationToken);
            await write(new ExecInputStream(session)).ConfigureAwait(false);
            await session.CloseInputAsync(cancellationToken).ConfigureAwait(false);
            await reading.ConfigureAwait(false);
            result = 0;
        }
        else
        {
            await session.CloseInputAsync(cancellationToken).ConfigureAwait(false);
            result = await read(output).ConfigureAwait(false);
            await output.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false); // to the end, so the exit code is known
        }

        var code = await session.ExitCodeAsync(cancellationToken).ConfigureAwait(false);
        return code == 0 ? result : throw new InvalidOperationException($"{command[0]} in {where} exited {code}{(output.Stderr.Length > 0 ? $": {output.Stderr}" : "")}");
    }

    /// <summary>The command's stdout, trimmed.</summary>
    public static async Task<string> OutputAsync(Func<CancellationToken, Task<IExecSession>> start, string where, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var text = new MemoryStream();
        await RunAsync(start, where, command, async output =>
        {
            await output.CopyToAsync(text, cancellationToken).ConfigureAwait(false);
            return 0L;
        }, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(text.ToArray()).Trim();
    }
}
