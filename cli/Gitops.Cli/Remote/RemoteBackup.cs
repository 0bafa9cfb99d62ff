using System.Text.Json;
using Gitops.Cli.Commands;
using Gitops.Cli.Output;
using Gitops.Engine.Backups;
using Gitops.Engine.Reconcile;
using Spectre.Console;

namespace Gitops.Cli.Remote;

/// <summary>
/// <c>paas backup</c> against a server (which holds the state while it runs): list, run, verify and
/// restore through its API, each long one printing the server's progress lines as they come. An S3
/// destination's keys are stored on the platform's machine only.
/// </summary>
internal static class RemoteBackup
{
    private sealed record Listing(List<BackupEndpointsView> Backups, List<string> Problems);

    /// <summary>The server's <c>BackupView</c>: a manifest and its last drill.</summary>
    private sealed record BackupEndpointsView(BackupManifest Backup, DrillResult? Drill);

    public static int Run(ServerClient server, BackupOptions options, CliConsole console)
    {
        var project = options.Project ?? ManifestScope.Project(options.Dir);
        return options.Action switch
        {
            "list" => List(server, project, options, console),
            "run" => RunNow(server, project, options, console),
            "verify" => Verify(server, project, options, console),
            "restore" => Restore(server, project, options, console),
            "credentials" => throw new CliException(ExitCodes.Usage, $"an S3 destination's keys go into the platform's encrypted store on its machine: run paas backup credentials there with --data-dir (not through {server.Server})"),
            _ => throw new CliException(ExitCodes.Usage, $"no action '{options.Action}'; use list, run, verify, restore or credentials"),
        };
    }

    private static int List(ServerClient server, string project, BackupOptions options, CliConsole console)
    {
        var found = new List<BackupEndpointsView>();
        var problems = new List<string>();
        foreach (var environment in Environments(server, project, options.Environment))
        {
            var listing = server.Get<Listing>($"api/v1/environments/{Segment(project)}/{Segment(environment)}/backups{(options.Service is { } s ? $"?service={Uri.EscapeDataString(s)}" : "")}");
            found.AddRange(listing.Backups);
            problems.AddRange(listing.Problems);
        }

        found = [.. found.OrderByDescending(b => b.Backup.CreatedAt)];
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new BackupListDocument([.. found.Select(b => BackupCommand.WithDrill(b.Backup, b.Drill))], [.. problems.Distinct()]));
        }
        else
        {
            BackupCommand.PrintTable(console, found.Select(b => (b.Backup, b.Drill)).ToList());
        }

        foreach (var problem in problems.Distinct())
        {
            console.Error.WriteLine($"paas: could not list {problem}");
        }

        return problems.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static int RunNow(ServerClient server, string project, BackupOptions options, CliConsole console)
    {
        var service = options.Target ?? throw new CliException(ExitCodes.Usage, "say which service: paas backup run SERVICE --env ENV");
        var environment = options.Environment ?? ManifestScope.Environment(options.Dir);
        console.Human.MarkupLine($"backing up [bold]{Markup.Escape(service)}[/] of {Markup.Escape($"{project}/{environment}")} on {Markup.Escape(server.Server)}...");
        var result = Stream(server, $"api/v1/environments/{Segment(project)}/{Segment(environment)}/services/{Segment(service)}/backups{(options.To is { } to ? $"?to={Uri.EscapeDataString(to)}" : "")}", console);
        var made = result.Deserialize<BackupEndpointsView>(BackupManifest.Json)!;
        return BackupCommand.Ran(made.Backup, made.Drill, options, console);
    }

    private static int Verify(ServerClient server, string project, BackupOptions options, CliConsole console)
    {
        var id = options.Target ?? throw new CliException(ExitCodes.Usage, "say which backup: paas backup verify BACKUP (ids: paas backup list)");
        var environment = EnvironmentOf(server, project, id, options.Environment);
        console.Human.MarkupLine($"drilling [bold]{Markup.Escape(id)}[/] on {Markup.Escape(server.Server)}: a restore into a scratch container; the service is not touched...");
        var drill = Stream(server, $"api/v1/environments/{Segment(project)}/{Segment(environment)}/backups/{Segment(id)}/verify", console).Deserialize<DrillResult>(BackupManifest.Json)!;
        return BackupCommand.Drilled(drill, options, console);
    }

    private static int Restore(ServerClient server, string project, BackupOptions options, CliConsole console)
    {
        var id = options.Target ?? throw new CliException(ExitCodes.Usage, "say which backup: paas backup restore BACKUP --yes (ids: paas backup list)");
        if (!options.Yes)
        {
            throw new CliException(ExitCodes.Usage, $"a restore replaces the service's data and is not undone; run again with --yes to restore {id}");
        }

        var into = options.ToEnvironment ?? EnvironmentOf(server, project, id, options.Environment);
        var result = Stream(server, $"api/v1/environments/{Segment(project)}/{Segment(into)}/backups/{Segment(id)}/restore", console);
        var check = result.TryGetProperty("check", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new BackupRestoreDocument(id, into, check));
        }
        else
        {
            console.Human.MarkupLine($"[green]restored[/] {Markup.Escape(id)} into {Markup.Escape(into)}{(check is null ? "" : $"; now {Markup.Escape(check)}")}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The server's progress lines printed as they come; the result, or its error as the exit code a local run gives.</summary>
    /// <summary><c>paas admin backup</c> through the server: its state copied by the server, to a destination of its platform.yaml.</summary>
    public static int Platform(ServerClient server, AdminOptions options, CliConsole console)
    {
        if (options.Path is not null)
        {
            throw new CliException(ExitCodes.Usage, $"--path names a directory on this machine, and the paas server at {server.Server} holds the state: back up through it with --to DESTINATION (platform.yaml's backups:), or stop the server and use --path");
        }

        console.Human.MarkupLine($"backing up the platform's state on {Markup.Escape(server.Server)} to {Markup.Escape(options.To ?? BackupDestinations.Default)}:");
        var manifest = Stream(server, $"api/v1/admin/backups{(options.To is { } to ? $"?to={Uri.EscapeDataString(to)}" : "")}", console).Deserialize<BackupManifest>(BackupManifest.Json)!;
        return AdminCommand.BackedUp(manifest, $"the server's {Gitops.Engine.Secrets.MasterKey.FileName} (in its data directory)", options, console);
    }

    private static JsonElement Stream(ServerClient server, string path, CliConsole console)
    {
        JsonElement? result = null;
        server.Events(HttpMethod.Post, path, (name, data) =>
        {
            switch (name)
            {
                case "progress":
                    console.Human.MarkupLine($"  [grey]{Markup.Escape(JsonSerializer.Deserialize<string>(data) ?? "")}[/]");
                    break;
                case "result":
                    result = JsonDocument.Parse(data).RootElement.Clone();
                    break;
                case "error":
                    var error = JsonDocument.Parse(data).RootElement;
                    var refused = error.TryGetProperty("kind", out var kind) && kind.GetString() == "refused";
                    throw new CliException(refused ? ExitCodes.InvalidInput : ExitCodes.Failed, error.GetProperty("error").GetString() ?? "the server failed");
            }
        });
        return result ?? throw new CliException(ExitCodes.Failed, $"the paas server at {server.Server} ended the stream without a result");
    }

    /// <summary>The environment a backup is of, found among the project's environments the caller may see.</summary>
    private static string EnvironmentOf(ServerClient server, string project, string id, string? environment)
    {
        foreach (var candidate in Environments(server, project, environment))
        {
            var listing = server.Get<Listing>($"api/v1/environments/{Segment(project)}/{Segment(candidate)}/backups");
            if (listing.Backups.Any(b => b.Backup.Id == id))
            {
                return candidate;
            }
        }

        throw new CliException(ExitCodes.InvalidInput, $"no backup {id} in {project}{(environment is null ? "" : $"/{environment}")} on {server.Server}; see paas backup list");
    }

    private static IEnumerable<string> Environments(ServerClient server, string project, string? environment) =>
        environment is not null ? [environment] : server.Get<List<EnvironmentStatus>>($"api/v1/environments?project={Uri.EscapeDataString(project)}").Select(e => e.Environment);

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
