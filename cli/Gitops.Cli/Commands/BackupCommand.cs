using System.ComponentModel;
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

[Verb("backup", HelpText = "Backups of template services and service volumes: paas backup list | run SERVICE | verify BACKUP | restore BACKUP [--to-env ENV] --yes | credentials DESTINATION.")]
public sealed class BackupOptions : ServiceScopeOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "list, run, verify, restore or credentials.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "TARGET", HelpText = "run: the service; verify and restore: the backup's id (paas backup list); credentials: the s3 destination.")]
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
/// <c>paas backup</c> on the platform's machine (or through its server, <see cref="RemoteBackup"/>): run a template service's backup now (and its
/// restore drill, with <c>backup.verify</c>), list what the destinations keep (with each one's check
/// and drill), drill one (<c>verify</c>: restored into a scratch container, never the service),
/// restore one into its environment or another one of the project, and store an S3 destination's
/// keys in the encrypted store.
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
                return RemoteBackup.Run(server, options, console);
            }
        }

        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformFile.Load(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        var destinations = new BackupDestinations(platform.Backups, dataDirectory, new SecretStore(state));
        var connect = CronRunner.OnLastSyncedTarget(state, platform, ProviderRegistry.Default.Connect);
        var hooks = ExecutionHooks.FromEnvironment();
        var progress = new Gitops.Engine.Execution.InlineProgress<string>(line => console.Human.MarkupLine($"  [grey]{Markup.Escape(line)}[/]"));
        var backups = new Backups(state, connect, destinations, hooks, progress);
        var drills = new RestoreDrills(state, connect, backups, new SecretStore(state), hooks, progress);
        try
        {
            return options.Action switch
            {
                "list" => List(backups, drills.Records, options, console),
                "run" => RunNow(backups, drills, state, options, console),
                "verify" => Verify(drills, state, options, console),
                "restore" => Restore(backups, state, options, console),
                "credentials" => Credentials(destinations, state, options, console, input),
                _ => throw new CliException(ExitCodes.Usage, $"no action '{options.Action}'; use list, run, verify, restore or credentials"),
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

    private static int List(Backups backups, DrillRecords drills, BackupOptions options, CliConsole console)
    {
        var project = options.All ? null : options.Project ?? ManifestScope.Project(options.Dir);
        var (found, problems) = backups.ListAsync(project, options.Environment, options.Service, console.Cancellation).GetAwaiter().GetResult();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new BackupListDocument([.. found.Select(b => WithDrill(b, drills.Of(b.Id)))], [.. problems]));
        }
        else
        {
            PrintTable(console, found.Select(b => (b, drills.Of(b.Id))).ToList());
        }

        foreach (var problem in problems)
        {
            console.Error.WriteLine($"paas: could not list {problem}");
        }

        return problems.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    /// <summary>The list's table: each backup with its check and last drill; none kept said on stderr.</summary>
    public static void PrintTable(CliConsole console, IReadOnlyList<(BackupManifest Backup, DrillResult? Drill)> found)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(found);
        var table = new Table().AddColumns("BACKUP", "SERVICE", "WHEN", "SIZE", "AT", "CHECK", "DRILL");
        foreach (var (backup, drill) in found)
        {
            table.AddRow(Markup.Escape(backup.Id), Markup.Escape($"{backup.Project}/{backup.Environment}/{backup.Service}"), When(backup.CreatedAt), Backups.Size(backup.Bytes), Markup.Escape(backup.Destination), Markup.Escape(backup.Check ?? ""), Drill(drill));
        }

        console.Human.Write(table);
        if (found.Count == 0)
        {
            console.Error.WriteLine("paas: no backups kept");
        }
    }

    /// <summary>The environment a backup was made in: its id is PROJECT--ENV--SERVICE--TIME (<see cref="BackupManifest.NewId"/>).</summary>
    private static string EnvironmentOf(string id) => id.Split("--") is [_, var environment, ..] ? environment : "";

    /// <summary>A backup as JSON output shows it: its manifest, and its last drill beside it.</summary>
    public static BackupItem WithDrill(BackupManifest backup, DrillResult? drill) => new(backup, drill);

    /// <summary>Status's lines for the environment's backups: a failed run or drill in red.</summary>
    public static void PrintStatus(CliConsole console, IReadOnlyList<BackupStatus> backups)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(backups);
        foreach (var backup in backups)
        {
            var failed = backup.LastRun?.Error is not null || backup.LastDrill is { Passed: false };
            console.Human.MarkupLine($"{(failed ? "[red]" : "")}{backup.Service} backups{(failed ? "[/]" : "")}: {Markup.Escape(backup.Describe())}");
        }
    }

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A drill in the list's column: not drilled, passed or failed, and when.</summary>
    private static string Drill(DrillResult? drill) => drill switch
    {
        null => "[grey]not drilled[/]",
        { Passed: true } => $"[green]passed[/] {When(drill.At)}",
        _ => $"[red]FAILED[/] {When(drill.At)}: {Markup.Escape(drill.Detail)}",
    };

    private static int Verify(RestoreDrills drills, Engine.State.StateStore state, BackupOptions options, CliConsole console)
    {
        var id = options.Target ?? throw new CliException(ExitCodes.Usage, "say which backup: paas backup verify BACKUP (ids: paas backup list)");
        CliAudit.Record(state, $"backup verify {id}", id.Split("--")[0]);
        console.Human.MarkupLine($"drilling [bold]{Markup.Escape(id)}[/]: a restore into a scratch container; the service is not touched...");
        return Drilled(drills.VerifyAsync(id, console.Cancellation).GetAwaiter().GetResult(), options, console);
    }

    /// <summary>A drill's result, and the exit code it gives: 0 when it passed, 3 when it did not.</summary>
    public static int Drilled(DrillResult drill, BackupOptions options, CliConsole console)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, drill);
        }
        else if (drill.Passed)
        {
            console.Human.MarkupLine($"[green]drill passed[/] for {Markup.Escape(drill.Backup)}: {Markup.Escape(drill.Detail)}");
        }

        if (!drill.Passed)
        {
            console.Error.WriteLine($"paas: the restore drill of {drill.Backup} failed: {drill.Detail}");
        }

        return drill.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static int RunNow(Backups backups, RestoreDrills drills, Engine.State.StateStore state, BackupOptions options, CliConsole console)
    {
        var service = options.Target ?? throw new CliException(ExitCodes.Usage, "say which service: paas backup run SERVICE --env ENV");
        var project = options.Project ?? ManifestScope.Project(options.Dir);
        var environment = options.Environment ?? ManifestScope.Environment(options.Dir);
        CliAudit.Record(state, $"backup run {service}", $"{project}/{environment}");
        console.Human.MarkupLine($"backing up [bold]{Markup.Escape(service)}[/] of {Markup.Escape($"{project}/{environment}")}...");
        var manifest = backups.RunAsync(project, environment, service, options.To, console.Cancellation).GetAwaiter().GetResult();
        var verify = Engine.Operations.RunningServices.Require(state, project, environment, service).Extras.Backup?.Verify == true;
        var drill = verify ? drills.VerifyAsync(manifest.Id, console.Cancellation).GetAwaiter().GetResult() : null;
        return Ran(manifest, drill, options, console);
    }

    /// <summary>A backup made (and its drill, if one followed), and the exit code: 3 when the drill failed.</summary>
    public static int Ran(BackupManifest manifest, DrillResult? drill, BackupOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, WithDrill(manifest, drill));
        }
        else
        {
            console.Human.MarkupLine($"[green]backed up[/] {Markup.Escape(manifest.Id)}: {Backups.Size(manifest.Bytes)} sealed at {Markup.Escape(manifest.Destination)}, sha256 {manifest.Sha256[..16]}…{(manifest.Check is { } check ? $", {Markup.Escape(check)}" : "")}");
            if (drill is { Passed: true })
            {
                console.Human.MarkupLine($"[green]drill passed[/]: {Markup.Escape(drill.Detail)}");
            }
        }

        if (drill is { Passed: false })
        {
            console.Error.WriteLine($"paas: the backup was kept, but its restore drill failed: {drill.Detail}");
            return ExitCodes.Failed;
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
            Json.Write(console, new BackupRestoreDocument(id, options.ToEnvironment ?? EnvironmentOf(id), check));
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

[Description("A backup: its manifest's fields (what, when, from which deployment, the sealed archive's size and SHA-256) and its last restore drill, null when none ran.")]
public sealed record BackupItem : BackupManifest
{
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public BackupItem(BackupManifest manifest, DrillResult? drill)
        : base(manifest)
    {
        Drill = drill;
    }

    public DrillResult? Drill { get; init; }
}

[Description("paas backup list: the backups kept, newest first, and each destination that could not be listed.")]
public sealed record BackupListDocument(IReadOnlyList<BackupItem> Backups, IReadOnlyList<string> Problems);

[Description("paas backup restore: the backup restored, the environment it was restored into, and the template's check after it.")]
public sealed record BackupRestoreDocument(string Restored, string Into, string? Check);
