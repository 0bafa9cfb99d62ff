using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Firewall;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("firewall", HelpText = "The host firewall platform.yaml declares (firewall:): plan shows what applying changes on this host, apply makes the host's rules those, remove deletes the platform's rules. Needs root; a running server keeps the rules applied by itself.")]
public sealed class FirewallOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "plan, apply or remove.")]
    public string Action { get; set; } = "";

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

/// <summary>Plans and applies platform.yaml's firewall on this host (the engines' host: their targets are local sockets).</summary>
public static class FirewallCommand
{
    public static int Run(FirewallOptions options, CliConsole console)
    {
        console = console.For(options.Output);
        var platform = PlatformConfig.Load(DataDirectory.Resolve(options.DataDir));
        switch (options.Action)
        {
            case "plan" or "apply":
                var config = platform.Firewall ?? throw new CliException(ExitCodes.InvalidInput,
                    $"{PlatformConfig.FileName} declares no firewall: add firewall: {{ allow: [{{ port: 22, from: [ADMIN-RANGE] }}, {{ port: 443 }}] }} (the platform leaves the host's firewall alone without it)");
                var rules = FirewallRules.For(config);
                var changes = HostFirewall.Plan(rules, HostFirewall.ObserveAsync(console.Cancellation).GetAwaiter().GetResult());
                if (options.Action == "apply" && changes.Count > 0)
                {
                    HostFirewall.ApplyAsync(rules, console.Cancellation).GetAwaiter().GetResult();
                }

                return Report(console, options, changes, options.Action == "apply");
            case "remove":
                HostFirewall.RemoveAsync(console.Cancellation).GetAwaiter().GetResult();
                console.Human.WriteLine($"removed table inet {FirewallRules.Table}: this host's own rules, if any, are all that filter it now");
                return ExitCodes.Ok;
            default:
                throw new CliException(ExitCodes.Usage, $"unknown firewall action '{options.Action}': plan, apply or remove");
        }
    }

    private static int Report(CliConsole console, FirewallOptions options, IReadOnlyList<FirewallChange> changes, bool applied)
    {
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new FirewallDocument(applied && changes.Count > 0, [.. changes.Select(c => c.ToString())]));
            return ExitCodes.Ok;
        }

        console.Human.WriteLine(changes.Count == 0 ? "Host firewall: no changes (the host's rules are the declared ones)." : $"Host firewall (table inet {FirewallRules.Table}):");
        foreach (var change in changes)
        {
            console.Human.WriteLine($"  {change}", Style.Plain);
        }

        if (changes.Count > 0)
        {
            console.Human.WriteLine(applied ? $"applied {changes.Count} change(s)" : "paas firewall apply makes these changes (a running server makes them by itself)");
        }

        return ExitCodes.Ok;
    }
}

[Description("paas firewall plan|apply: the rule changes the host needs (plan) or made (apply), each as the rule's text.")]
public sealed record FirewallDocument([property: Description("true when apply changed the host's rules")] bool Applied, IReadOnlyList<string> Changes);
