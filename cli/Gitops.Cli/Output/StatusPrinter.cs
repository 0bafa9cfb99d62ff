using System.Globalization;
using Gitops.Cli.Commands;
using Gitops.Engine.Reconcile;
using Spectre.Console;

namespace Gitops.Cli.Output;

/// <summary><c>paas status</c>'s text for one environment, the same whether the state was read here or from a server.</summary>
internal static class StatusPrinter
{
    /// <summary>How long a repaired drift is worth a line: the dashboard shows it as long.</summary>
    private static readonly TimeSpan DriftShown = TimeSpan.FromHours(24);

    /// <param name="scheduledHere">Whether this process's view is the server's (which runs the crons), for the crons' wording.</param>
    public static void Print(CliConsole console, EnvironmentStatus environment, bool scheduledHere)
    {
        var revision = environment.Revision is { } r ? r[..Math.Min(12, r.Length)] : "(never applied)";
        console.Human.MarkupLine($"[bold]{environment.Project}/{environment.Environment}[/] revision {Markup.Escape(revision)}, state version {environment.StateVersion}{(environment.Suspended ? ", [yellow]suspended[/]" : "")}");
        if (environment.Pinned is { } pin)
        {
            console.Human.MarkupLine($"  [yellow]pinned[/] to {pin.Deployment} by paas rollback: new commits are not deployed until the next one reaches the branch (paas rollback --clear follows the branch now)");
        }

        if (environment.LastSync is { } sync)
        {
            var what = Describe(sync.Outcome);
            var line = sync.Detail.StartsWith(what, StringComparison.Ordinal) ? sync.Detail : $"{what}: {sync.Detail}";
            console.Human.MarkupLine($"  sync: {Markup.Escape(line)} [grey]({sync.At:u}, target {Markup.Escape(sync.Target)})[/]");
        }

        if (environment.Drift is { } drift && DateTimeOffset.UtcNow - drift.At < DriftShown)
        {
            var changes = string.Join("; ", drift.Changes.Select(c => $"{c.Kind} {c.Name}: {c.Cause}"));
            console.Human.MarkupLine($"  [yellow]drift[/] put back {drift.At:u}: {Markup.Escape(changes)}");
        }

        var local = environment.Services.Any(s => s.Sync is not null);
        var table = new Table().AddColumns("service", "replicas", "health", "restarts");
        if (local)
        {
            table.AddColumn("sync");
        }

        table.AddColumns("image", "url");
        foreach (var s in environment.Services)
        {
            var cells = new List<string> { s.Service, $"{s.Running}/{s.Desired}", s.Health, s.Restarts.ToString(CultureInfo.InvariantCulture) };
            if (local)
            {
                cells.Add(Markup.Escape(s.Sync ?? ""));
            }

            cells.Add(Markup.Escape(s.Image));
            cells.Add(Markup.Escape(string.Join(' ', s.Urls)));
            table.AddRow([.. cells]);
        }

        console.Human.Write(table);
        foreach (var s in environment.Services.Where(s => s.Incidents is not null))
        {
            console.Human.MarkupLine($"[yellow]{s.Service}[/]: {Markup.Escape(s.Incidents!)}"); // below the table: a table cell would wrap it
        }

        foreach (var s in environment.Services.Where(s => s.Checked is not null))
        {
            console.Human.MarkupLine($"{(s.Checked!.Healthy ? "[green]" : "[red]")}{s.Service}[/] health check: {Markup.Escape(EnvironmentStatusReader.Describe(s.Checked))}");
        }

        foreach (var s in environment.Services.Where(s => s.Autoscale is not null))
        {
            console.Human.MarkupLine($"{s.Service}: {Markup.Escape(s.Autoscale!.Describe())}");
        }

        CronCommand.PrintStatus(console, environment.Crons, scheduledHere);
        BackupCommand.PrintStatus(console, environment.Backups);
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
