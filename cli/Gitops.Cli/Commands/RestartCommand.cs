using CommandLine;
using Gitops.Cli.Remote;
using Gitops.Engine.Operations;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("restart", HelpText = "Replace a service's replicas with fresh ones of what runs now, one by one, the new started and healthy before the old stops.")]
public sealed class RestartOptions : ServiceScopeOptions
{
    [Value(0, MetaName = "SERVICE", Required = true, HelpText = "The service to restart.")]
    public string Service { get; set; } = "";
}

/// <summary>
/// <c>paas restart</c>: a deployment of what runs, with the service's replicas replaced (<see cref="ServiceRestart"/>),
/// shown and recorded like any other (<c>paas history</c>, <c>paas logs DEPLOYMENT</c>).
/// </summary>
public static class RestartCommand
{
    /// <summary>How long the CLI waits for the server's restart: the rollout's health checks bound it well below this.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(30);

    public static int Run(RestartOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        console = console.For(options.Output);
        var project = options.Project ?? ManifestScope.Project(options.Dir);
        var environment = options.Environment ?? ManifestScope.Environment(options.Dir);
        var name = $"{project}/{environment}";
        using (var server = ServerClient.Resolve(options.Server, options.DataDir, console.Cancellation))
        {
            if (server is not null)
            {
                console.Human.MarkupLine($"asking {Markup.Escape(server.Server)} to restart [bold]{Markup.Escape(options.Service)}[/] in {Markup.Escape(name)}: fresh replicas, each healthy before an old one stops...");
                var deployment = server.Post<Deployment>($"api/v1/environments/{Uri.EscapeDataString(project)}/{Uri.EscapeDataString(environment)}/services/{Uri.EscapeDataString(options.Service)}/restart", new { }, Patience);
                return ApplyCommand.Done(console, options.Output, deployment);
            }
        }

        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformFile.Load(dataDirectory);

        using var state = SecretsCommand.OpenState(dataDirectory);
        using var ingress = ProviderRegistry.Default.OpenIngress(platform, dataDirectory);
        var restarts = new ServiceRestart(state, platform, ProviderRegistry.Default.Connect, ingress, new ProgressPrinter(console));
        try
        {
            RunningServices.Require(state, project, environment, options.Service);
            CliAudit.Record(state, "restart", $"{name} {options.Service}");
            console.Human.MarkupLine($"restarting [bold]{Markup.Escape(options.Service)}[/] in {Markup.Escape(name)}: fresh replicas, each healthy before an old one stops...");
            var deployment = restarts.RestartAsync(project, environment, options.Service, $"cli:{System.Environment.UserName}",
                new Gitops.Engine.Execution.InlineProgress<Gitops.Engine.Planning.Plan>(plan => PlanCommand.Show(console, OutputFormat.Text, plan)), console.Cancellation).GetAwaiter().GetResult();
            return ApplyCommand.Done(console, options.Output, deployment);
        }
        catch (ServiceRefusedException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }
    }
}
