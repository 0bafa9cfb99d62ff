using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.Planning;

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
        var status = Read(session, console.Cancellation);
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new StatusDocument([status]));
            return ExitCodes.Ok;
        }

        StatusPrinter.Print(console, status, scheduledHere: false);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The environment as a server would report it, with each service held against the manifest in the
    /// working directory: its replicas of that version, and whether an apply would change it.
    /// </summary>
    private static EnvironmentStatus Read(EngineSession session, CancellationToken cancellationToken)
    {
        var (project, environment) = (session.Manifest.Project, session.Environment);
        var prepared = session.Deployer.PlanAsync(new DirectoryTree(session.Directory), session.Manifest, environment, cancellationToken).GetAwaiter().GetResult();
        var observed = session.Driver.ObserveAsync(project, environment, cancellationToken).GetAwaiter().GetResult();
        var conditions = session.Driver.ConditionsAsync(project, environment, cancellationToken).GetAwaiter().GetResult();
        var recorded = session.State.Recorded(project, environment);
        var records = new EnvironmentRecords(session.State);
        var scaling = new Gitops.Engine.Scaling.ScaleRecords(session.State);
        var (decisions, readings) = (scaling.Decisions(project, environment), scaling.Readings(project, environment));
        var checkedHealth = new Gitops.Engine.Health.HealthRecords(session.State).Of(project, environment);
        var routes = EnvironmentStatusReader.Routes(session.State, project, environment);
        var services = prepared.Desired.Services.Select(s =>
        {
            var containers = observed.Containers.Where(c => c.Service == s.Name).ToList();
            var node = prepared.Plan.Nodes.First(n => n.Kind == ResourceKind.Service && n.Name == s.Name);
            var running = containers.Count(c => c.Running && c.Fingerprint == s.Fingerprint);
            var health = running == s.Replicas ? "healthy" : running == 0 ? (containers.Count == 0 ? "missing" : "degraded") : "progressing";
            return new ServiceStatus(s.Name, s.Replicas, running, health, s.Spec.Image)
            {
                Restarts = conditions.Where(c => c.Service == s.Name).Sum(c => c.Restarts),
                Incidents = EnvironmentStatusReader.Incidents(conditions, s.Name),
                Autoscale = s.Extras.Autoscale is { } autoscale
                    ? Gitops.Engine.Scaling.ScaleStatus.Of(autoscale, decisions.GetValueOrDefault(s.Name), readings.GetValueOrDefault(s.Name))
                    : null,
                Checked = checkedHealth.GetValueOrDefault(s.Name),
                Urls = EnvironmentStatusReader.UrlsOf(routes, session.Ingress, s.Name),
                Sync = node.Action == PlanAction.NoOp ? "in sync" : $"out of sync: {node.Cause}",
            };
        }).ToList();

        return new EnvironmentStatus(project, environment, recorded.Revision, recorded.Version, records.IsSuspended(project, environment), records.LastSync(project, environment), services)
        {
            Pinned = records.PinOf(project, environment),
            Crons = EnvironmentStatusReader.Crons(session.State, project, environment),
            Backups = Gitops.Engine.Backups.BackupStatus.Of(session.State, project, environment, DateTimeOffset.UtcNow),
            Drift = records.DriftOf(project, environment),
        };
    }
}

[Description("paas status: each environment asked for (one without a server; through a server, every environment of the project unless --env names one) with its services, crons, backups, sync, pin and drift.")]
public sealed record StatusDocument(IReadOnlyList<EnvironmentStatus> Environments);
