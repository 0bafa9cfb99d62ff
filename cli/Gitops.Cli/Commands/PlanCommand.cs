using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Sources;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("plan", HelpText = "Show what apply would change in an environment, and why.")]
public sealed class PlanOptions : EngineOptions
{
    [Value(0, MetaName = "DIR", Default = ".", HelpText = "Directory holding paas.yaml.")]
    public string Path { get; set; } = ".";

    [Option("out", HelpText = "Save the plan to this file; 'paas apply FILE' applies exactly it, or refuses when it is stale.")]
    public string? Out { get; set; }
}

public static class PlanCommand
{
    public static int Run(PlanOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        using var session = EngineSession.Open(options.Path, options, console);
        var prepared = session.Deployer.PlanAsync(new DirectoryTree(session.Directory), session.Manifest, session.Environment, console.Cancellation).GetAwaiter().GetResult();
        if (options.Out is { } file)
        {
            File.WriteAllText(file, StateJson.Write(new SavedPlan(session.Directory, prepared.Plan), indented: true));
        }

        Show(console, options.Output, prepared.Plan);
        ShowFirewall(console, options.Output, session.Platform);
        if (options.Out is not null)
        {
            console.Human.MarkupLine($"saved to [bold]{Markup.Escape(options.Out)}[/]; apply it with: paas apply {Markup.Escape(options.Out)} --env {session.Environment}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The host firewall's changes too, when platform.yaml declares one: it guards what the plan deploys.</summary>
    private static void ShowFirewall(CliConsole console, OutputFormat format, Gitops.Engine.Targets.PlatformConfig platform)
    {
        if (format == OutputFormat.Json || platform.Firewall is not { } config)
        {
            return;
        }

        var changes = Gitops.Engine.Firewall.HostFirewall.Plan(Gitops.Engine.Firewall.FirewallRules.For(config), Gitops.Engine.Firewall.HostFirewall.ObserveAsync(console.Cancellation).GetAwaiter().GetResult());
        if (changes.Count > 0)
        {
            console.Human.WriteLine($"Host firewall ({changes.Count} change(s), made by paas firewall apply or a running server):");
            foreach (var change in changes)
            {
                console.Human.WriteLine($"  {change}", Style.Plain);
            }
        }
    }

    public static void Show(CliConsole console, OutputFormat format, Plan plan)
    {
        if (format == OutputFormat.Json)
        {
            Json.Write(console, new PlanDocument(plan, PlanText.Render(plan), plan.HasChanges));
            return;
        }

        console.Human.Write(new Text(PlanText.Render(plan)));
        if (!plan.HasChanges)
        {
            console.Human.MarkupLine("[green]No changes.[/] The environment matches the manifest.");
        }
    }
}

/// <summary>A plan saved by <c>paas plan --out</c>, with the directory it was made from.</summary>
public sealed record SavedPlan(string Directory, Plan Plan);

[Description("paas plan: what an apply would change, node by node with causes, and the same plan as text.")]
public sealed record PlanDocument(Plan Plan, [property: Description("the plan as paas plan prints it")] string Text, bool HasChanges);
