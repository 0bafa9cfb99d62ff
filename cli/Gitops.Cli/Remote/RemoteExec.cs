using System.Net.WebSockets;
using System.Text.Json;
using Gitops.Engine.Targets;
using Gitops.Server;

namespace Gitops.Cli.Remote;

/// <summary>A command run through the server (<see cref="ExecProtocol"/>), seen by <c>paas exec</c> like a local one.</summary>
internal sealed class RemoteExec : IExecSession
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ClientWebSocket _socket;
    private readonly byte[] _frame = new byte[64 * 1024];
    private readonly SemaphoreSlim _sending = new(1, 1);
    private int? _exit;

    private RemoteExec(ClientWebSocket socket) => _socket = socket;

    public string Replica { get; private set; } = "";

    /// <summary>Connects, says what to run, and waits for the server to say it started (or why not).</summary>
    public static async Task<RemoteExec> StartAsync(ServerClient server, string path, ExecProtocol.Start start, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", server.Authorization);
        var address = new UriBuilder(new Uri(new Uri(server.Server + "/"), path)) { Scheme = server.Server.StartsWith("https:", StringComparison.Ordinal) ? "wss" : "ws" }.Uri;
        try
        {
            await socket.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            socket.Dispose();
            throw new CliException(ExitCodes.Failed, socket.HttpStatusCode switch
            {
                System.Net.HttpStatusCode.NotFound => $"not found on {server.Server}: no such project or environment you may see",
                System.Net.HttpStatusCode.Forbidden => "your role does not allow this: paas exec needs the deployer role on the environment, and a token",
                System.Net.HttpStatusCode.Unauthorized => $"the paas server at {server.Server} refused the token; run paas login again",
                _ => $"cannot open an exec on {server.Server}: {e.Message}",
            });
        }

        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(start, Json), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        var session = new RemoteExec(socket);
        var answer = await session.ReadAnswerAsync(cancellationToken).ConfigureAwait(false);
        if (answer?.Replica is not { } replica)
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw new CliException(ExitCodes.InvalidInput, answer?.Error ?? $"the paas server at {server.Server} ended the exec without saying why");
        }

        session.Replica = replica;
        return session;
    }

    public async Task<(ExecStream Stream, int Count)?> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var received = await _socket.ReceiveAsync(_frame.AsMemory(), cancellationToken).ConfigureAwait(false);
            switch (received.MessageType)
            {
                case WebSocketMessageType.Close:
                    return null;
                case WebSocketMessageType.Binary when received.Count > 1:
                    var count = Math.Min(received.Count - 1, buffer.Length);
                    _frame.AsMemory(1, count).CopyTo(buffer);
                    return ((ExecStream)_frame[0], count);
                case WebSocketMessageType.Text:
                    var answer = JsonSerializer.Deserialize<ExecProtocol.Answer>(_frame.AsSpan(0, received.Count), Json);
                    if (answer?.Error is { } error)
                    {
                        throw new CliException(ExitCodes.Failed, error);
                    }

                    if (answer?.Exit is { } exit)
                    {
                        _exit = exit;
                        return null;
                    }

                    break;
            }
        }
    }

    public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) => SendAsync(input, WebSocketMessageType.Binary, cancellationToken);

    public Task CloseInputAsync(CancellationToken cancellationToken) =>
        SendAsync(JsonSerializer.SerializeToUtf8Bytes(new ExecProtocol.Control(Eof: true), Json), WebSocketMessageType.Text, cancellationToken);

    public Task ResizeAsync(int width, int height, CancellationToken cancellationToken) =>
        SendAsync(JsonSerializer.SerializeToUtf8Bytes(new ExecProtocol.Control(Resize: [width, height]), Json), WebSocketMessageType.Text, cancellationToken);

    public Task<int> ExitCodeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_exit ?? throw new CliException(ExitCodes.Failed, "the paas server ended the exec without its exit code"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            // A close handshake, not a reset: the server then ends without waiting.
            using var quickly = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", quickly.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // Gone already.
        }

        _socket.Dispose();
        _sending.Dispose();
    }

    private async Task<ExecProtocol.Answer?> ReadAnswerAsync(CancellationToken cancellationToken)
    {
        var received = await _socket.ReceiveAsync(_frame.AsMemory(), cancellationToken).ConfigureAwait(false);
        return received.MessageType == WebSocketMessageType.Text ? JsonSerializer.Deserialize<ExecProtocol.Answer>(_frame.AsSpan(0, received.Count), Json) : null;
    }

    /// <summary>One message at a time: input and a resize may come from two threads.</summary>
    private async Task SendAsync(ReadOnlyMemory<byte> message, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(message, type, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }
}
