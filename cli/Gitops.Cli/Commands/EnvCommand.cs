using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("env", HelpText = "suspend PROJECT --env ENV: the loop stops deploying it (what runs keeps running); resume: it follows its branch again.")]
public sealed class EnvOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "suspend or resume.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "PROJECT", Required = true, HelpText = "Project name.")]
    public string Project { get; set; } = "";

    [Option('e', "env", Required = true, HelpText = "Environment.")]
    public string Environment { get; set; } = "";

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class EnvCommand
{
    private sealed record SuspendAnswer(string Project, string Environment, bool Suspended, bool Changed);

    public static int Run(EnvOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        var suspend = options.Action switch
        {
            "suspend" => true,
            "resume" => false,
            _ => throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use suspend or resume"),
        };

        bool changed;
        using (var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                changed = server.Post<SuspendAnswer>($"api/v1/environments/{Uri.EscapeDataString(options.Project)}/{Uri.EscapeDataString(options.Environment)}/{options.Action}").Changed;
            }
            else
            {
                using var state = SecretsCommand.OpenState(DataDirectory.Resolve(options.DataDir));
                CliAudit.Record(state, $"env {options.Action}", $"{options.Project}/{options.Environment}");
                changed = new EnvironmentRecords(state).Suspend(options.Project, options.Environment, suspend);
            }
        }

        var name = $"{options.Project}/{options.Environment}";
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new EnvDocument(options.Project, options.Environment, suspend, changed));
        }

        console.Human.MarkupLine((suspend, changed) switch
        {
            (true, true) => $"suspended {name}: what runs keeps running, new commits wait until paas env resume",
            (true, false) => $"{name} was already suspended",
            (false, true) => $"resumed {name}: it follows its branch again from the next sync",
            (false, false) => $"{name} was not suspended",
        });
        return ExitCodes.Ok;
    }
}

[Description("paas env suspend|resume: whether the environment is suspended now, and whether this call changed that.")]
public sealed record EnvDocument(string Project, string Environment, bool Suspended, bool Changed);
