using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Sources;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("sync", HelpText = "One pass of the GitOps loop: fetch watched repositories and deploy each environment's branch.")]
public sealed class SyncOptions : CommonOptions
{
    [Option("project", HelpText = "Only this project's repository.")]
    public string? Project { get; set; }

    [Option("server", HelpText = "Ask this paas server to sync (default: $PAAS_SERVER, or the one paas login saved).")]
    public string? Server { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

public static class SyncCommand
{
    private sealed record RepositoryAnswer(string Project);

    private sealed record SyncAnswer(bool Enqueued);

    public static int Run(SyncOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using (var server = Gitops.Cli.Remote.ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                return Remote(server, options, console);
            }
        }

        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = LoadPlatform(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        var progress = new ProgressPrinter(console);
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, dataDirectory);
        var reconciler = new Reconciler(state, new GitSource(Path.Combine(dataDirectory, "repos"), platform.AllowFileUrls), platform, ProviderRegistry.Default.Connect, progress, progress.BuildLog, ingress);
        var results = reconciler.SyncAsync(options.Project, console.Cancellation).GetAwaiter().GetResult();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new SyncDocument([], results));
        }
        else
        {
            foreach (var r in results)
            {
                var color = r.Outcome is ReconcileOutcome.Applied or ReconcileOutcome.InSync ? "green" : r.Outcome is ReconcileOutcome.SkippedFailedRevision or ReconcileOutcome.AwaitingApproval or ReconcileOutcome.Suspended or ReconcileOutcome.Pinned ? "yellow" : "red";
                console.Human.MarkupLine($"[{color}]{r.Outcome}[/] {r.Project}/{r.Environment}: {Markup.Escape(r.Detail)}");
            }

            if (results.Count == 0)
            {
                console.Human.MarkupLine("nothing to do: no watched repository has a branch that an environment follows (paas repo add)");
            }
        }

        return results.Any(r => r.Outcome is ReconcileOutcome.Failed or ReconcileOutcome.RolledBack or ReconcileOutcome.InvalidManifest or ReconcileOutcome.SourceUnavailable)
            ? ExitCodes.Failed
            : ExitCodes.Ok;
    }

    /// <summary>A server syncs in its own loop: the CLI enqueues, and paas status shows the outcome.</summary>
    private static int Remote(Gitops.Cli.Remote.ServerClient server, SyncOptions options, CliConsole console)
    {
        var projects = options.Project is { } one ? [one] : server.Get<List<RepositoryAnswer>>("api/v1/repositories").Select(r => r.Project).ToList();
        var enqueued = projects.Select(p => (Project: p, server.Post<SyncAnswer>($"api/v1/sync/{Uri.EscapeDataString(p)}").Enqueued)).ToList();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new SyncDocument([.. enqueued.Select(e => e.Project)], []));
        }

        foreach (var (project, _) in enqueued)
        {
            console.Human.MarkupLine($"asked {Markup.Escape(server.Server)} to sync {Markup.Escape(project)}; paas status --project {Markup.Escape(project)} shows the outcome");
        }

        return ExitCodes.Ok;
    }

    private static PlatformConfig LoadPlatform(string dataDirectory)
    {
        try
        {
            return PlatformConfig.Load(dataDirectory);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }
    }
}

[Description("paas sync: without a server, each environment's outcome (results); through a server, which runs the sync in its own loop, the projects it enqueued (paas status shows the outcomes).")]
public sealed record SyncDocument(IReadOnlyList<string> Enqueued, IReadOnlyList<ReconcileResult> Results);
