using System.Runtime.InteropServices;
using System.Text;
using CommandLine;
using Gitops.Cli.Remote;
using Gitops.Engine.Crons;
using Gitops.Engine.Operations;
using Gitops.Engine.Targets;
using Gitops.Server;

namespace Gitops.Cli.Commands;

[Verb("exec", HelpText = "Run a command in a running replica of a service: paas exec SERVICE --env ENV [--replica N] -- COMMAND ARGS… (a terminal when yours is one).")]
public sealed class ExecOptions : ServiceScopeOptions
{
    [Value(0, MetaName = "SERVICE", Required = true, HelpText = "The service whose replica runs the command.")]
    public string Service { get; set; } = "";

    [Value(1, MetaName = "COMMAND", HelpText = "After --: the command and its arguments, passed as they are (no shell unless you run one: -- sh -c '…').")]
    public IEnumerable<string> Command { get; set; } = [];

    [Option("replica", HelpText = "Which replica (numbered from 1, as paas status shows them). Default: the first running one.")]
    public int? Replica { get; set; }

    [Option('T', "no-tty", HelpText = "No terminal, even when yours is one (output as it comes, stdout and stderr apart).")]
    public bool NoTty { get; set; }
}

/// <summary>
/// <c>paas exec</c>: the command runs in the replica with this terminal's input and output, like
/// <c>docker exec -it</c> when this is a terminal (raw mode, resized with the window) and like
/// <c>docker exec -i</c> when input is piped. Its exit code is paas's. Audited before it runs,
/// locally and by the server.
/// </summary>
public static class ExecCommand
{
    public static int Run(ExecOptions options, CliConsole console, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        console = console.For(options.Output);
        var command = options.Command.ToList();
        if (command.Count == 0)
        {
            throw new CliException(ExitCodes.Usage, "say which command to run: paas exec SERVICE --env ENV -- COMMAND ARGS…");
        }

        var project = options.Project ?? ManifestScope.Project(options.Dir);
        var environment = options.Environment ?? ManifestScope.Environment(options.Dir);
        var realConsole = ReferenceEquals(input, Console.In);
        var tty = !options.NoTty && realConsole && !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var (width, height) = tty ? (Console.WindowWidth, Console.WindowHeight) : (80, 24);
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        var session = server is null
            ? StartLocally(options, new ExecRequest(project, environment, options.Service, options.Replica, command, tty, width, height), console)
            : RemoteExec.StartAsync(server, $"api/v1/environments/{Uri.EscapeDataString(project)}/{Uri.EscapeDataString(environment)}/services/{Uri.EscapeDataString(options.Service)}/exec",
                new ExecProtocol.Start(command, options.Replica, tty, width, height), console.Cancellation).GetAwaiter().GetResult();
        try
        {
            return Task.Run(() => PumpAsync(session, console, input, realConsole, tty)).GetAwaiter().GetResult();
        }
        finally
        {
            session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static IExecSession StartLocally(ExecOptions options, ExecRequest request, CliConsole console)
    {
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformFile.Load(dataDirectory);

        // The state is held only to check and audit: a long shell never holds up a paas apply beside it.
        using var state = SecretsCommand.OpenState(dataDirectory);
        try
        {
            var exec = new ServiceExec(state, CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect));
            var what = $"{request.Project}/{request.Environment}";
            CliAudit.Record(state, $"exec {request.Service}{(request.Replica is { } n ? $" replica {n}" : "")}: {string.Join(' ', request.Command)}", what);
            return exec.StartAsync(request, console.Cancellation).GetAwaiter().GetResult();
        }
        catch (ServiceRefusedException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }
        catch (TargetException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message);
        }
    }

    /// <summary>Output to this process's stdout and stderr until the command ends; input from ours meanwhile. Returns its exit code.</summary>
    private static async Task<int> PumpAsync(IExecSession session, CliConsole console, TextReader input, bool realConsole, bool tty)
    {
        using var raw = tty ? RawTerminal.Enter() : null;
        using var resized = tty ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => session.ResizeAsync(Console.WindowWidth, Console.WindowHeight, CancellationToken.None).ContinueWith(static t => t.Exception, TaskScheduler.Default)) : null;
        // Never awaited: a read of a terminal cannot be interrupted, and the command's end is what ends paas exec.
        _ = Task.Run(() => FeedInputAsync(session, input, realConsole, console.Cancellation));
        var decoders = new Dictionary<ExecStream, Decoder> { [ExecStream.Stdout] = Encoding.UTF8.GetDecoder(), [ExecStream.Stderr] = Encoding.UTF8.GetDecoder() };
        var buffer = new byte[32 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (await session.ReadAsync(buffer, console.Cancellation).ConfigureAwait(false) is { } chunk)
        {
            var writer = chunk.Stream == ExecStream.Stderr ? console.Error : console.Raw;
            writer.Write(chars, 0, decoders[chunk.Stream].GetChars(buffer, 0, chunk.Count, chars, 0));
            writer.Flush();
        }

        return await session.ExitCodeAsync(console.Cancellation).ConfigureAwait(false);
    }

    /// <summary>Standard input as bytes (a terminal's keys, or what is piped in), then its end.</summary>
    private static async Task FeedInputAsync(IExecSession session, TextReader input, bool realConsole, CancellationToken cancellationToken)
    {
        try
        {
            if (realConsole)
            {
                // File descriptor 0 itself: .NET's console stream would edit lines and echo them on a terminal.
                await using var stdin = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1, isAsync: false);
                var buffer = new byte[4096];
                int read;
                while ((read = await stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await session.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                var text = await input.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                if (text.Length > 0)
                {
                    await session.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
                }
            }

            await session.CloseInputAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
        {
            // The command ended first (or paas was interrupted): its input no longer matters.
        }
    }
}
