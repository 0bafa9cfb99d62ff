using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Backups;
using Gitops.Engine.Crons;
using Gitops.Engine.Execution;
using Gitops.Engine.Operations;
using Gitops.Engine.Secrets;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("backup", HelpText = "Backups of template services: paas backup list | run SERVICE | restore BACKUP [--to-env ENV] --yes | credentials DESTINATION.")]
public sealed class BackupOptions : ServiceScopeOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "list, run, restore or credentials.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "TARGET", HelpText = "run: the service; restore: the backup's id (paas backup list); credentials: the s3 destination.")]
    public string? Target { get; set; }

    [Option("service", HelpText = "list: only this service's backups.")]
    public string? Service { get; set; }

    [Option("all", HelpText = "list: every project's backups, not only --dir's project.")]
    public bool All { get; set; }

    [Option("to", HelpText = "run: the destination (platform.yaml backups:), instead of the service's backup.to.")]
    public string? To { get; set; }

    [Option("to-env", HelpText = "restore: into this environment of the project (default: the one backed up). Its service must run.")]
    public string? ToEnvironment { get; set; }

    [Option("yes", HelpText = "restore: replace the service's data without asking (a restore is not undone).")]
    public bool Yes { get; set; }

    [Option("access-key-id", HelpText = "credentials: the S3 access key id; the secret key is read from stdin.")]
    public string? AccessKeyId { get; set; }
}

/// <summary>
/// <c>paas backup</c> on the platform's machine: run a template service's backup now, list what
/// the destinations keep (with each one's check), restore one into its environment or another one
/// of the project, and store an S3 destination's keys in the encrypted store.
/// </summary>
public static class BackupCommand
{
    public static int Run(BackupOptions options, CliConsole console, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(options);
        console = console.For(options.Output);
        using (var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                throw new CliException(ExitCodes.Usage, $"paas backup runs on the platform's machine for now: run it there with --data-dir (not through {server.Server})");
            }
        }

        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformFile.Load(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        var destinations = new BackupDestinations(platform.Backups, dataDirectory, new SecretStore(state));
        var backups = new Backups(state, CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect), destinations, ExecutionHooks.FromEnvironment(),
            new Progress<string>(line => console.Human.MarkupLine($"  [grey]{Markup.Escape(line)}[/]")));
        try
        {
            return options.Action switch
            {
                "list" => List(backups, options, console),
                "run" => RunNow(backups, state, options, console),
                "restore" => Restore(backups, state, options, console),
                "credentials" => Credentials(destinations, state, options, console, input),
                _ => throw new CliException(ExitCodes.Usage, $"no action '{options.Action}'; use list, run, restore or credentials"),
            };
        }
        catch (Exception e) when (e is BackupRefusedException or ServiceRefusedException or KeyNotFoundException)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }
        catch (BackupCorruptException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message);
        }
    }

    private static int List(Backups backups, BackupOptions options, CliConsole console)
    {
        var project = options.All ? null : options.Project ?? ManifestScope.Project(options.Dir);
        var (found, problems) = backups.ListAsync(project, options.Environment, options.Service, console.Cancellation).GetAwaiter().GetResult();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new { backups = found, problems });
        }
        else
        {
            var table = new Table().AddColumns("BACKUP", "SERVICE", "WHEN", "SIZE", "AT", "CHECK");
            foreach (var backup in found)
            {
                table.AddRow(Markup.Escape(backup.Id), Markup.Escape($"{backup.Project}/{backup.Environment}/{backup.Service}"), backup.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), Backups.Size(backup.Bytes), Markup.Escape(backup.Destination), Markup.Escape(backup.Check ?? ""));
            }

            console.Human.Write(table);
            if (found.Count == 0)
            {
                console.Error.WriteLine("paas: no backups kept" + (project is null ? "" : $" for {project}"));
            }
        }

        foreach (var problem in problems)
        {
            console.Error.WriteLine($"paas: could not list {problem}");
        }

        return problems.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static int RunNow(Backups backups, Engine.State.StateStore state, BackupOptions options, CliConsole console)
    {
        var service = options.Target ?? throw new CliException(ExitCodes.Usage, "say which service: paas backup run SERVICE --env ENV");
        var project = options.Project ?? ManifestScope.Project(options.Dir);
        var environment = options.Environment ?? ManifestScope.Environment(options.Dir);
        CliAudit.Record(state, $"backup run {service}", $"{project}/{environment}");
        console.Human.MarkupLine($"backing up [bold]{Markup.Escape(service)}[/] of {Markup.Escape($"{project}/{environment}")}...");
        var manifest = backups.RunAsync(project, environment, service, options.To, console.Cancellation).GetAwaiter().GetResult();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, manifest);
        }
        else
        {
            console.Human.MarkupLine($"[green]backed up[/] {Markup.Escape(manifest.Id)}: {Backups.Size(manifest.Bytes)} sealed at {Markup.Escape(manifest.Destination)}, sha256 {manifest.Sha256[..16]}…{(manifest.Check is { } check ? $", {Markup.Escape(check)}" : "")}");
        }

        return ExitCodes.Ok;
    }

    private static int Restore(Backups backups, Engine.State.StateStore state, BackupOptions options, CliConsole console)
    {
        var id = options.Target ?? throw new CliException(ExitCodes.Usage, "say which backup: paas backup restore BACKUP --yes (ids: paas backup list)");
        if (!options.Yes)
        {
            throw new CliException(ExitCodes.Usage, $"a restore replaces the service's data and is not undone; run again with --yes to restore {id}");
        }

        CliAudit.Record(state, $"backup restore {id}{(options.ToEnvironment is { } to ? $" into {to}" : "")}", id.Split("--")[0]);
        var check = backups.RestoreAsync(id, options.ToEnvironment, console.Cancellation).GetAwaiter().GetResult();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new { restored = id, check });
        }
        else
        {
            console.Human.MarkupLine($"[green]restored[/] {Markup.Escape(id)}{(check is null ? "" : $"; now {Markup.Escape(check)}")}");
        }

        return ExitCodes.Ok;
    }

    private static int Credentials(BackupDestinations destinations, Engine.State.StateStore state, BackupOptions options, CliConsole console, TextReader input)
    {
        var name = options.Target ?? throw new CliException(ExitCodes.Usage, "say which destination: paas backup credentials NAME --access-key-id ID (the secret key on stdin)");
        var id = options.AccessKeyId ?? throw new CliException(ExitCodes.Usage, "give --access-key-id; the secret access key is read from stdin");
        var secret = SecretsCommand.ReadValue(console, input, $"the secret access key of {name}");
        destinations.SetCredentials(name, id, secret);
        CliAudit.Record(state, $"backup credentials {name}", "platform");
        console.Human.MarkupLine($"stored the keys of backup destination [bold]{Markup.Escape(name)}[/] in the encrypted store");
        return ExitCodes.Ok;
    }
}
