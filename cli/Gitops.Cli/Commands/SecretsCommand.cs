using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Gitops.Schema.Validation;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("secrets", HelpText = "Manage app secrets: set (value from stdin or a prompt, never an argument), list (names only), rm.")]
public sealed class SecretsOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "set, list or rm.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "PROJECT", Required = true, HelpText = "Project name.")]
    public string Project { get; set; } = "";

    [Value(2, MetaName = "NAME", HelpText = "Secret name (as listed under a service's secrets:).")]
    public string? Name { get; set; }

    [Option('e', "env", HelpText = "Only for this environment. Default: every environment of the project.")]
    public string? Environment { get; set; }

    [Option("server", HelpText = "Ask this paas server (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class SecretsCommand
{
    private sealed record SetAnswer(int Version);

    private sealed record RemoveAnswer(bool Removed);

    public static int Run(SecretsOptions options, CliConsole console, TextReader input)
    {
        console = console.For(options.Output);
        if (!Grammar.Name().IsMatch(options.Project) || (options.Environment is { } env && !Grammar.Name().IsMatch(env)))
        {
            throw new CliException(ExitCodes.InvalidInput, "project and environment names are lower-case letters, digits and '-'");
        }

        using (var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                return Remote(server, options, console, input);
            }
        }

        using var state = OpenState(DataDirectory.Resolve(options.DataDir));
        var store = new SecretStore(state);
        switch (options.Action)
        {
            case "list":
                return List(store, options, console);
            case "set":
                var name = RequireName(options);
                var value = ReadValue(console, input, name);
                CliAudit.Record(state, "secret set", $"{options.Project}/{options.Environment ?? "*"}/{name}"); // the name only, never the value
                return Saved(options, console, name, store.Set(options.Project, options.Environment, name, value), "the next apply replaces the services that use it");
            case "rm":
                CliAudit.Record(state, "secret rm", $"{options.Project}/{options.Environment ?? "*"}/{RequireName(options)}");
                return Removed(console, store.Remove(options.Project, options.Environment, RequireName(options)));
            default:
                throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use set, list or rm");
        }
    }

    /// <summary>The same three actions through the server, which owns the store while it runs.</summary>
    private static int Remote(ServerClient server, SecretsOptions options, CliConsole console, TextReader input)
    {
        var project = $"api/v1/projects/{Uri.EscapeDataString(options.Project)}";
        // A secret of one environment lives under that environment's route, so it is authorized as that environment.
        var secrets = options.Environment is { } env ? $"{project}/environments/{Uri.EscapeDataString(env)}/secrets" : $"{project}/secrets";
        switch (options.Action)
        {
            case "list":
                return List(server.Get<List<SecretInfo>>($"{project}/secrets"), options, console);
            case "set":
                var name = RequireName(options);
                var value = ReadValue(console, input, name);
                var version = server.Put<SetAnswer>($"{secrets}/{name}", new { value }).Version;
                return Saved(options, console, name, version, "the server's next reconcile (now) replaces the services that use it");
            case "rm":
                return Removed(console, server.Delete<RemoveAnswer>($"{secrets}/{RequireName(options)}").Removed);
            default:
                throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use set, list or rm");
        }
    }

    private static int Saved(SecretsOptions options, CliConsole console, string name, int version, string effect)
    {
        console.Human.MarkupLine($"set secret [bold]{name}[/] for {options.Project}/{options.Environment ?? "every environment"} (version {version}); {effect}");
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new SecretSetDocument(options.Project!, options.Environment, name, version));
        }

        return ExitCodes.Ok;
    }

    private static int Removed(CliConsole console, bool removed)
    {
        console.Human.MarkupLine(removed ? "removed" : "no such secret");
        return removed ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }

    private static int List(SecretStore store, SecretsOptions options, CliConsole console) => List(store.List(options.Project), options, console);

    private static int List(IReadOnlyList<SecretInfo> all, SecretsOptions options, CliConsole console)
    {
        var secrets = all.Where(s => options.Environment is null || s.Environment == options.Environment || s.Environment == SecretStore.AllEnvironments).ToList();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write<IReadOnlyList<SecretInfo>>(console, secrets);
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("name", "environment", "version", "updated");
        foreach (var s in secrets)
        {
            table.AddRow(s.Name, s.Environment == SecretStore.AllEnvironments ? "(all)" : s.Environment, s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), s.UpdatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Human.Write(table);
        return ExitCodes.Ok;
    }

    /// <summary>From standard input when it is piped (without the final newline), else a prompt that does not echo.</summary>
    internal static string ReadValue(CliConsole console, TextReader input, string name)
    {
        var value = Console.IsInputRedirected || input != Console.In
            ? input.ReadToEnd().TrimEnd('\n', '\r')
            : console.Human.Prompt(new TextPrompt<string>($"value of {name}:").Secret());
        return value.Length > 0 ? value : throw new CliException(ExitCodes.InvalidInput, $"{name} is empty: pipe it on standard input (e.g. < file), or run the command in a terminal to be asked for it");
    }

    private static string RequireName(SecretsOptions options) =>
        options.Name is { } name && Grammar.EnvKey().IsMatch(name)
            ? name
            : throw new CliException(ExitCodes.InvalidInput, "give the secret's NAME: letters, digits and '_', not starting with a digit");

    /// <summary>Opens the state store, turning "in use by another process" into a plain CLI error.</summary>
    public static StateStore OpenState(string dataDirectory)
    {
        try
        {
            return StateStore.Open(dataDirectory);
        }
        catch (StateLockedException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message);
        }
    }
}

[Description("paas secrets set: the secret stored and its new version (never its value).")]
public sealed record SecretSetDocument(string Project, [property: Description("null: every environment of the project")] string? Environment, string Name, int Version);
