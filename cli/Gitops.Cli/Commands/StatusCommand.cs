using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Cli.Remote;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.Planning;
using Gitops.Engine.State;

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
    /// working directory instead of the applied one: its replicas of that version, and whether an apply
    /// would change it.
    /// </summary>
    private static EnvironmentStatus Read(EngineSession session, CancellationToken cancellationToken)
    {
        var (project, environment) = (session.Manifest.Project, session.Environment);
        var prepared = session.Deployer.PlanAsync(new DirectoryTree(session.Directory), session.Manifest, environment, cancellationToken).GetAwaiter().GetResult();
        var wanted = prepared.Desired.Services.Select(s => KeyValuePair.Create(s.Name, new RecordedService(s.Fingerprint, s.Replicas, s.Spec) { Extras = s.Extras }));
        var status = EnvironmentStatusReader.ReadAsync(session.State, session.Driver, session.Ingress, project, environment, wanted, cancellationToken).GetAwaiter().GetResult();
        return status with { Services = [.. status.Services.Select(s => s with { Sync = Sync(prepared.Plan, s.Service) })] };
    }

    private static string Sync(Plan plan, string service)
    {
        var node = plan.Nodes.First(n => n.Kind == ResourceKind.Service && n.Name == service);
        return node.Action == PlanAction.NoOp ? "in sync" : $"out of sync: {node.Cause}";
    }
}

[Description("paas status: each environment asked for (one without a server; through a server, every environment of the project unless --env names one) with its services, crons, backups, sync, pin and drift.")]
public sealed record StatusDocument(IReadOnlyList<EnvironmentStatus> Environments);
