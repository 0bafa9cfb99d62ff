using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.Planning;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("status", HelpText = "Show what runs in an environment: services, replicas, health, sync state, revision.")]
public sealed class StatusOptions : ViewOptions;

public static class StatusCommand
{
    public static int Run(StatusOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using (var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                return RemoteStatus.Show(server, options, console);
            }
        }

        using var session = EngineSession.Open(options.Path, options, console);
        var prepared = session.Deployer.PlanAsync(new DirectoryTree(session.Directory), session.Manifest, session.Environment, console.Cancellation).GetAwaiter().GetResult();
        var observed = session.Driver.ObserveAsync(session.Manifest.Project, session.Environment, console.Cancellation).GetAwaiter().GetResult();
        var conditions = session.Driver.ConditionsAsync(session.Manifest.Project, session.Environment, console.Cancellation).GetAwaiter().GetResult();
        var recorded = session.State.Recorded(session.Manifest.Project, session.Environment);
        var pinned = new EnvironmentRecords(session.State).PinOf(session.Manifest.Project, session.Environment);
        var scaling = new Gitops.Engine.Scaling.ScaleRecords(session.State);
        var (decisions, readings) = (scaling.Decisions(session.Manifest.Project, session.Environment), scaling.Readings(session.Manifest.Project, session.Environment));
        var checkedHealth = new Gitops.Engine.Health.HealthRecords(session.State).Of(session.Manifest.Project, session.Environment);
        var services = prepared.Desired.Services.Select(s =>
        {
            var containers = observed.Containers.Where(c => c.Service == s.Name).ToList();
            var node = prepared.Plan.Nodes.First(n => n.Kind == ResourceKind.Service && n.Name == s.Name);
            var running = containers.Count(c => c.Running && c.Fingerprint == s.Fingerprint);
            return new
            {
                service = s.Name,
                desired = s.Replicas,
                running,
                health = running == s.Replicas ? "healthy" : running == 0 ? (containers.Count == 0 ? "missing" : "degraded") : "progressing",
                sync = node.Action == PlanAction.NoOp ? "in sync" : $"out of sync: {node.Cause}",
                image = s.Spec.Image,
                restarts = conditions.Where(c => c.Service == s.Name).Sum(c => c.Restarts),
                incidents = EnvironmentStatusReader.Incidents(conditions, s.Name),
                autoscale = s.Extras.Autoscale is { } autoscale
                    ? Gitops.Engine.Scaling.ScaleStatus.Of(autoscale, decisions.GetValueOrDefault(s.Name), readings.GetValueOrDefault(s.Name))
                    : null,
                @checked = checkedHealth.GetValueOrDefault(s.Name),
            };
        }).ToList();

        var crons = EnvironmentStatusReader.Crons(session.State, session.Manifest.Project, session.Environment);
        var backups = Gitops.Engine.Backups.BackupStatus.Of(session.State, session.Manifest.Project, session.Environment, DateTimeOffset.UtcNow);
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new { project = session.Manifest.Project, environment = session.Environment, revision = recorded.Revision, stateVersion = recorded.Version, pinned, services, crons, backups });
            return ExitCodes.Ok;
        }

        console.Human.MarkupLine($"[bold]{session.Manifest.Project}/{session.Environment}[/] revision {Markup.Escape(recorded.Revision ?? "(never applied)")}, state version {recorded.Version}");
        if (pinned is not null)
        {
            console.Human.MarkupLine($"[yellow]pinned[/] to {pinned.Deployment} by paas rollback: new commits on the branch are not deployed until the next one arrives (paas rollback --clear follows the branch now)");
        }
        var table = new Table().AddColumns("service", "replicas", "health", "restarts", "sync", "image");
        foreach (var s in services)
        {
            table.AddRow(s.service, $"{s.running}/{s.desired}", s.health, s.restarts.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(s.sync), Markup.Escape(s.image));
        }

        console.Human.Write(table);
        foreach (var s in services.Where(s => s.incidents is not null))
        {
            console.Human.MarkupLine($"[yellow]{s.service}[/]: {Markup.Escape(s.incidents!)}"); // below the table: a table cell would wrap it
        }

        foreach (var s in services.Where(s => s.@checked is not null))
        {
            console.Human.MarkupLine($"{(s.@checked!.Healthy ? "[green]" : "[red]")}{s.service}[/] health check: {Markup.Escape(EnvironmentStatusReader.Describe(s.@checked))}");
        }

        foreach (var s in services.Where(s => s.autoscale is not null))
        {
            console.Human.MarkupLine($"{s.service}: {Markup.Escape(s.autoscale!.Describe())}");
        }

        CronCommand.PrintStatus(console, crons, scheduledHere: false);
        BackupCommand.PrintStatus(console, backups);
        return ExitCodes.Ok;
    }
}
