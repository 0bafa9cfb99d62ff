using System.Globalization;
using System.Text.Json;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Crons;
using Gitops.Engine.Operations;
using Gitops.Engine.Targets;

namespace Gitops.Cli.Commands;

/// <summary>
/// <c>paas logs SERVICE --env ENV</c>: every replica's output interleaved by time, each line prefixed
/// with its replica (<c>web-2 | …</c>), like <c>docker compose logs</c>. Through the server's event
/// stream when one is named or saved, else straight from the environment's target. <c>-o json</c>
/// prints one JSON object per line, for tools.
/// </summary>
internal static class ServiceLogsCommand
{
    /// <summary>Without <c>--since</c> or <c>--tail</c>, this many of each replica's last lines (as dokku logs shows).</summary>
    private const int DefaultTail = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static int Run(LogsOptions options, CliConsole console)
    {
        var project = options.Project ?? ManifestScope.Project(options.Dir);
        var environment = options.Environment ?? ManifestScope.Environment(options.Dir);
        var tail = Tail(options);
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        var printer = new Printer(console, options);
        if (server is not null)
        {
            var query = string.Join("&", new[]
            {
                options.Since is { } since ? $"since={Uri.EscapeDataString(since)}" : null,
                tail is { } t ? $"tail={t.ToString(CultureInfo.InvariantCulture)}" : null,
                options.Replica is { } r ? $"replica={r.ToString(CultureInfo.InvariantCulture)}" : null,
                options.Follow ? "follow=true" : null,
            }.OfType<string>());
            server.Events($"api/v1/environments/{Uri.EscapeDataString(project)}/{Uri.EscapeDataString(environment)}/services/{Uri.EscapeDataString(options.Name)}/logs?{query}", (name, data) =>
            {
                switch (name)
                {
                    case "message":
                        printer.Print(JsonSerializer.Deserialize<RuntimeLogLine>(data, Json)!);
                        break;
                    case "error":
                        throw new CliException(ExitCodes.Failed, JsonDocument.Parse(data).RootElement.GetProperty("error").GetString() ?? "the target failed");
                }
            });
        }
        else
        {
            ReadLocally(options, console, printer, new RuntimeLogQuery(project, environment, options.Name, Since(options), tail, options.Replica, options.Follow));
        }

        printer.Finish(project, environment);
        return ExitCodes.Ok;
    }

    private static void ReadLocally(LogsOptions options, CliConsole console, Printer printer, RuntimeLogQuery query)
    {
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformFile.Load(dataDirectory);

        try
        {
            IAsyncEnumerable<RuntimeLogLine> lines;
            using (var state = SecretsCommand.OpenState(dataDirectory))
            {
                // The state is read once, then let go: a follow never holds up a paas apply beside it.
                lines = new ServiceLogs(state, CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect), platform.Logs).Open(query);
            }

            Task.Run(async () =>
            {
                await foreach (var line in lines.WithCancellation(console.Cancellation).ConfigureAwait(false))
                {
                    printer.Print(line);
                }
            }).GetAwaiter().GetResult();
        }
        catch (ServiceRefusedException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }
        catch (Exception e) when (console.Cancellation.IsCancellationRequested && e is OperationCanceledException or TargetException or IOException)
        {
            // Ctrl+C ends a follow: that is how it is meant to stop. A read it cut off can surface as
            // the engine's stream failing rather than as a cancel (exit 3 once, in a full test run).
        }
        catch (TargetException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message);
        }
    }

    private static int? Tail(LogsOptions options) => options.Tail switch
    {
        null => options.Since is null ? DefaultTail : null,
        "all" => null,
        var n when int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var lines) => lines,
        var other => throw new CliException(ExitCodes.Usage, $"--tail '{other}' is neither a number of lines nor all"),
    };

    private static DateTimeOffset? Since(LogsOptions options) =>
        options.Since is null ? null : LogSince.Parse(options.Since, DateTimeOffset.UtcNow, out var error) ?? throw new CliException(ExitCodes.Usage, error!);

    /// <summary>Lines as they come: <c>replica | text</c> (with <c>-t</c>, the time first), or one JSON object each.</summary>
    private sealed class Printer(CliConsole console, LogsOptions options)
    {
        private int _count;

        public void Print(RuntimeLogLine line)
        {
            _count++;
            if (options.Output == OutputFormat.Json)
            {
                Gitops.Cli.Output.Json.WriteLine(console, line);
            }
            else
            {
                var at = options.Timestamps ? line.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z' ", CultureInfo.InvariantCulture) : "";
                console.Raw.WriteLine($"{at}{line.Replica} | {line.Text}");
            }

            console.Raw.Flush();
        }

        /// <summary>An empty answer says so, on stderr, so a user never wonders whether it worked.</summary>
        public void Finish(string project, string environment)
        {
            if (_count == 0 && options.Output != OutputFormat.Json)
            {
                console.Error.WriteLine($"no lines from {options.Name} in {project}/{environment}{(options.Since is { } s ? $" since {s}" : "")}{(options.Replica is { } r ? $" (replica {r})" : "")}");
            }
        }
    }
}
