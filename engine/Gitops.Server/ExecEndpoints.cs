using System.Net.WebSockets;
using System.Text.Json;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.Operations;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>
/// <c>paas exec</c> through the server (<see cref="ExecProtocol"/>): deployer role on the environment,
/// a token only (the dashboard is read-only, and a browser session never opens a shell, whichever
/// site asks), and the command in the audit log before it runs.
/// </summary>
internal static class ExecEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How long the client has to answer the server's close once the command ended.</summary>
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(5);

    /// <summary>How long the client has to say what to run once connected.</summary>
    private static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(10);

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/environments/{project}/{environment}/services/{service}/exec", ExecAsync).OnEnvironment(Role.Deployer);

    private static async Task<IResult> ExecAsync(HttpContext http, ServiceExec exec, StateStore state, string project, string environment, string service, CancellationToken cancellationToken)
    {
        var principal = AccessFilter.PrincipalOf(http)!;
        if (principal.Via == "session")
        {
            return Results.Json(new { error = "paas exec takes a token (paas login); a browser session cannot run commands" }, statusCode: StatusCodes.Status403Forbidden);
        }

        if (!http.WebSockets.IsWebSocketRequest)
        {
            return Results.BadRequest(new { error = "exec speaks WebSocket: use paas exec" });
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        ExecProtocol.Start? start;
        using (var first = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            first.CancelAfter(StartWithin);
            start = await ReceiveTextAsync<ExecProtocol.Start>(socket, first.Token).ConfigureAwait(false);
        }

        if (start?.Command is not { Count: > 0 } command)
        {
            await EndAsync(socket, new ExecProtocol.Answer(Error: "say which command to run: paas exec SERVICE --env ENV -- COMMAND ARGS…"), cancellationToken).ConfigureAwait(false);
            return Results.Empty;
        }

        // Before it runs: who ran what where. The command is the user's own, as typed.
        new AuditLog(state).Append($"{principal.Name} ({principal.Via})", $"exec {service}{(start.Replica is { } n ? $" replica {n}" : "")}: {string.Join(' ', command)}", $"{project}/{environment}", "accepted");
        IExecSession session;
        try
        {
            session = await exec.StartAsync(new ExecRequest(project, environment, service, start.Replica, command, start.Tty, start.Width, start.Height), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ServiceRefusedException or TargetException)
        {
            await EndAsync(socket, new ExecProtocol.Answer(Error: e.Message), cancellationToken).ConfigureAwait(false);
            return Results.Empty;
        }

        await using (session.ConfigureAwait(false))
        {
            await SendTextAsync(socket, new ExecProtocol.Answer(Replica: session.Replica), cancellationToken).ConfigureAwait(false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var input = PumpInputAsync(socket, session, stop.Token);
            try
            {
                await PumpOutputAsync(socket, session, cancellationToken).ConfigureAwait(false);
                var exit = await session.ExitCodeAsync(cancellationToken).ConfigureAwait(false);
                await EndAsync(socket, new ExecProtocol.Answer(Exit: exit), cancellationToken).ConfigureAwait(false);
            }
            catch (TargetException e)
            {
                await EndAsync(socket, new ExecProtocol.Answer(Error: e.Message), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // The client answers the close with its own, which ends the input pump. Cancelling a
                // pending receive aborts the socket, dropping the exit code in flight: only if it never comes.
                if (await Task.WhenAny(input, Task.Delay(CloseWithin, cancellationToken)).ConfigureAwait(false) != input)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }

                await input.ConfigureAwait(false);
            }
        }

        return Results.Empty;
    }

    private static async Task PumpOutputAsync(WebSocket socket, IExecSession session, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        while (await session.ReadAsync(buffer.AsMemory(1), cancellationToken).ConfigureAwait(false) is { } chunk)
        {
            buffer[0] = (byte)chunk.Stream;
            await socket.SendAsync(buffer.AsMemory(0, chunk.Count + 1), WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Input and control messages until the client closes or the command ended.</summary>
    private static async Task PumpInputAsync(WebSocket socket, IExecSession session, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await session.CloseInputAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Binary)
                {
                    await session.WriteAsync(buffer.AsMemory(0, received.Count), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var control = JsonSerializer.Deserialize<ExecProtocol.Control>(buffer.AsSpan(0, received.Count), Json);
                if (control?.Eof == true)
                {
                    await session.CloseInputAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (control?.Resize is [var width, var height])
                {
                    await session.ResizeAsync(width, height, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or JsonException)
        {
            // The command ended, or the client went away or spoke nonsense: its output pump ends the exec.
        }

    }

    private static async Task<T?> ReceiveTextAsync<T>(WebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (received.MessageType != WebSocketMessageType.Text || message.Length + received.Count > 1024 * 1024)
                {
                    return default;
                }

                message.Write(buffer, 0, received.Count);
                if (received.EndOfMessage)
                {
                    return JsonSerializer.Deserialize<T>(message.GetBuffer().AsSpan(0, (int)message.Length), Json);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or JsonException)
        {
            return default;
        }
    }

    private static Task SendTextAsync(WebSocket socket, ExecProtocol.Answer answer, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(answer, Json), WebSocketMessageType.Text, true, cancellationToken);

    private static async Task EndAsync(WebSocket socket, ExecProtocol.Answer answer, CancellationToken cancellationToken)
    {
        if (socket.State != WebSocketState.Open)
        {
            return;
        }

        await SendTextAsync(socket, answer, cancellationToken).ConfigureAwait(false);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken).ConfigureAwait(false);
    }
}
