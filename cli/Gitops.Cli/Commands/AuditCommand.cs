using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Audit;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("audit", HelpText = "The audit log: list [--actor A] [--action X] [--target T]; verify its keyed chain and head (exit 1 naming what is wrong); reanchor (local, after reviewing a failed verify: accept the log as it is).")]
public sealed class AuditOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "list, verify or reanchor.")]
    public string Action { get; set; } = "";

    [Option("actor", HelpText = "Only entries by this actor (list).")]
    public string? Actor { get; set; }

    [Option("action", HelpText = "Only actions starting with this (list), e.g. login, POST.")]
    public string? Of { get; set; }

    [Option("target", HelpText = "Only targets starting with this (list), e.g. a project.")]
    public string? Target { get; set; }

    [Option("limit", Default = 100, HelpText = "How many entries, newest first (list).")]
    public int Limit { get; set; } = 100;

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class AuditCommand
{
    public static int Run(AuditOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation);
        switch (options.Action)
        {
            case "list":
                var query = $"api/v1/audit?limit={options.Limit}" + Param("actor", options.Actor) + Param("action", options.Of) + Param("target", options.Target);
                var entries = server is not null ? server.Get<List<AuditEntry>>(query) : Local(options, log => log.List(options.Actor, options.Of, options.Target, options.Limit));
                if (options.Output == OutputFormat.Json)
                {
                    Json.Write<IReadOnlyList<AuditEntry>>(console, entries);
                    return ExitCodes.Ok;
                }

                var table = new Table().AddColumns("#", "time", "actor", "action", "target", "result");
                foreach (var e in entries)
                {
                    table.AddRow(e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), e.At.ToString("u", System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(e.Actor), Markup.Escape(e.Action), Markup.Escape(e.Target), Markup.Escape(e.Result));
                }

                console.Human.Write(table);
                return ExitCodes.Ok;
            case "verify":
                var verification = server is not null ? server.Get<AuditVerification>("api/v1/audit/verify") : Local(options, log => log.Verify());
                if (options.Output == OutputFormat.Json)
                {
                    Json.Write(console, verification);
                }
                else
                {
                    console.Human.MarkupLine(verification.Intact ? $"[green]intact[/]: {Markup.Escape(verification.Detail)}" : $"[red]broken[/]: {Markup.Escape(verification.Detail)}");
                }

                return verification.Intact ? ExitCodes.Ok : ExitCodes.InvalidInput;
            case "reanchor":
                if (server is not null)
                {
                    throw new CliException(ExitCodes.Usage, "re-anchoring is done on the data directory itself: stop the server, then run paas audit reanchor --data-dir DIR on its machine");
                }

                var entry = Local(options, log => log.Reanchor($"cli:{Environment.UserName}"));
                console.Human.MarkupLine($"re-anchored at entry {entry.Sequence}: {Markup.Escape(entry.Result)}");
                return ExitCodes.Ok;
            default:
                throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use list, verify or reanchor");
        }
    }

    private static T Local<T>(AuditOptions options, Func<AuditLog, T> read)
    {
        using var state = SecretsCommand.OpenState(DataDirectory.Resolve(options.DataDir));
        return read(new AuditLog(state));
    }

    private static string Param(string name, string? value) => value is null ? "" : $"&{name}={Uri.EscapeDataString(value)}";
}
