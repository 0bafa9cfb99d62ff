using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Backups;
using Gitops.Engine.Secrets;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("admin", HelpText = "The platform's own state: paas admin backup [--to DEST | --path DIR] | restore ID (--from DEST | --path DIR).")]
public sealed class AdminOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "backup or restore.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "ID", HelpText = "restore: the platform backup's id (@platform--…).")]
    public string? Id { get; set; }

    [Option("to", HelpText = "backup: a destination of platform.yaml's backups: (default: local).")]
    public string? To { get; set; }

    [Option("from", HelpText = "restore: the destination it is kept at (declared in this data directory's platform.yaml).")]
    public string? From { get; set; }

    [Option("path", HelpText = "backup or restore: a directory instead of a declared destination (on a new machine, where the backup was copied).")]
    public string? Path { get; set; }

    [Option("server", HelpText = "backup: ask this paas server, which holds the state while it runs (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

/// <summary>
/// <c>paas admin backup</c>: the platform's state sealed to a destination, by this process, or by the
/// server while it runs (it holds the state; a platform administrator asks it through its API);
/// <c>paas admin restore</c>: back into an empty data directory holding the master key, after which
/// the platform runs the same environments (always here: no server runs on an empty directory).
/// </summary>
public static class AdminCommand
{
    public static int Run(AdminOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        console = console.For(options.Output);
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        try
        {
            return options.Action switch
            {
                "backup" => Backup(options, console, dataDirectory),
                "restore" => Restore(options, console, dataDirectory),
                _ => throw new CliException(ExitCodes.Usage, $"no action '{options.Action}'; use backup or restore"),
            };
        }
        catch (Exception e) when (e is BackupRefusedException or KeyNotFoundException or FileNotFoundException)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }
        catch (BackupCorruptException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message);
        }
    }

    private static int Backup(AdminOptions options, CliConsole console, string dataDirectory)
    {
        using (var server = Gitops.Cli.Remote.ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                return Gitops.Cli.Remote.RemoteBackup.Platform(server, options, console);
            }
        }

        var platform = PlatformFile.Load(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        using var destination = options.Path is { } path ? new LocalDestination("path", System.IO.Path.GetFullPath(path)) : new BackupDestinations(platform.Backups, dataDirectory, new SecretStore(state)).Open(options.To ?? BackupDestinations.Default);
        CliAudit.Record(state, "admin backup", "platform");
        console.Human.MarkupLine($"backing up the platform's state in {Markup.Escape(dataDirectory)} to {Markup.Escape(destination.Name)}:");
        var manifest = PlatformBackup.BackUpAsync(state, destination, DateTimeOffset.UtcNow, new Gitops.Engine.Execution.InlineProgress<string>(line => console.Human.MarkupLine($"[grey]{Markup.Escape(line)}[/]")), console.Cancellation).GetAwaiter().GetResult();
        return BackedUp(manifest, System.IO.Path.Combine(dataDirectory, MasterKey.FileName), options, console);
    }

    /// <summary>The made backup, and the warning said every time (on stderr too): the one thing a backup of the platform does not hold.</summary>
    internal static int BackedUp(BackupManifest manifest, string masterKey, AdminOptions options, CliConsole console)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, manifest);
        }
        else
        {
            console.Human.MarkupLine($"[green]backed up[/] {Markup.Escape(manifest.Id)} ({Backups.Size(manifest.Bytes)}, sha256 {manifest.Sha256[..16]}…)");
        }

        console.Error.WriteLine($"paas: keep a copy of {masterKey} apart from this backup: it is sealed under that key and cannot be opened without it");
        return ExitCodes.Ok;
    }

    private static int Restore(AdminOptions options, CliConsole console, string dataDirectory)
    {
        var id = options.Id ?? throw new CliException(ExitCodes.Usage, "say which backup: paas admin restore @platform--… --path DIR (or --from DEST)");
        using var destination = options.Path is { } path
            ? new LocalDestination("path", System.IO.Path.GetFullPath(path))
            : new BackupDestinations(PlatformFile.Load(dataDirectory).Backups, dataDirectory, secrets: null).Open(options.From ?? throw new CliException(ExitCodes.Usage, "say where the backup is: --path DIR or --from DESTINATION"));
        DataDirectory.Prepare(dataDirectory);
        var manifest = PlatformBackup.RestoreAsync(dataDirectory, destination, id, console.Cancellation).GetAwaiter().GetResult();
        using (var state = SecretsCommand.OpenState(dataDirectory))
        {
            CliAudit.Record(state, $"admin restore {id}", "platform");
        }

        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new AdminRestoreDocument(manifest.Id, manifest.CreatedAt));
        }
        else
        {
            console.Human.MarkupLine($"[green]restored[/] the platform's state of {manifest.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z into {Markup.Escape(dataDirectory)}; paas status shows its environments, and a server started on it reconciles them");
        }

        return ExitCodes.Ok;
    }
}

[Description("paas admin restore: the platform backup restored, and when it was made.")]
public sealed record AdminRestoreDocument(string Restored, DateTimeOffset CreatedAt);
