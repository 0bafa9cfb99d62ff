using Gitops.Cli.Commands;
using Gitops.Cli.Output;
using Gitops.Engine.Reconcile;
using Spectre.Console;

namespace Gitops.Cli.Remote;

/// <summary><c>paas status</c> against a server: each environment of the project as the loop left it.</summary>
internal static class RemoteStatus
{
    public static int Show(ServerClient server, StatusOptions options, CliConsole console)
    {
        var project = options.RemoteProject();
        var environments = server.Get<List<EnvironmentStatus>>($"api/v1/environments?project={Uri.EscapeDataString(project)}")
            .Where(e => options.Environment is null || e.Environment == options.Environment)
            .ToList();
        if (options.Environment is not null && environments.Count == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, $"{server.Server} has no environment {project}/{options.Environment}");
        }

        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, environments);
            return ExitCodes.Ok;
        }

        foreach (var environment in environments)
        {
            var revision = environment.Revision is { } r ? r[..Math.Min(12, r.Length)] : "(never applied)";
            console.Human.MarkupLine($"[bold]{environment.Project}/{environment.Environment}[/] revision {Markup.Escape(revision)}, state version {environment.StateVersion}{(environment.Suspended ? ", [yellow]suspended[/]" : "")}");
            if (environment.Pinned is { } pin)
            {
                console.Human.MarkupLine($"  [yellow]pinned[/] to {pin.Deployment} by paas rollback until a new commit reaches the branch");
            }

            if (environment.LastSync is { } sync)
            {
                var what = Describe(sync.Outcome);
                var line = sync.Detail.StartsWith(what, StringComparison.Ordinal) ? sync.Detail : $"{what}: {sync.Detail}";
                console.Human.MarkupLine($"  sync: {Markup.Escape(line)} [grey]({sync.At:u}, target {Markup.Escape(sync.Target)})[/]");
            }

            var table = new Table().AddColumns("service", "replicas", "health", "restarts", "image");
            foreach (var s in environment.Services)
            {
                table.AddRow(s.Service, $"{s.Running}/{s.Desired}", s.Health, s.Restarts.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(s.Image));
            }

            console.Human.Write(table);
            foreach (var s in environment.Services.Where(s => s.Incidents is not null))
            {
                console.Human.MarkupLine($"[yellow]{s.Service}[/]: {Markup.Escape(s.Incidents!)}");
            }

            foreach (var s in environment.Services.Where(s => s.Checked is not null))
            {
                console.Human.MarkupLine($"{(s.Checked!.Healthy ? "[green]" : "[red]")}{s.Service}[/] health check: {Markup.Escape(EnvironmentStatusReader.Describe(s.Checked))}");
            }

            foreach (var s in environment.Services.Where(s => s.Autoscale is not null))
            {
                console.Human.MarkupLine($"{s.Service}: {Markup.Escape(s.Autoscale!.Describe())}");
            }

            Commands.CronCommand.PrintStatus(console, environment.Crons, scheduledHere: true);
            Commands.BackupCommand.PrintStatus(console, environment.Backups);
        }

        return ExitCodes.Ok;
    }

    private static string Describe(ReconcileOutcome outcome) => outcome switch
    {
        ReconcileOutcome.InSync => "in sync",
        ReconcileOutcome.Applied => "applied",
        ReconcileOutcome.RolledBack => "rolled back",
        ReconcileOutcome.SkippedFailedRevision => "waiting for a new commit",
        ReconcileOutcome.InvalidManifest => "invalid manifest",
        ReconcileOutcome.SourceUnavailable => "source unreachable",
        ReconcileOutcome.AwaitingApproval => "awaiting approval",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
