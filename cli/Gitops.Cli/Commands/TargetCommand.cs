using System.ComponentModel;
using CommandLine;
using Gitops.Cli.Output;
using Gitops.Engine.Secrets;
using Gitops.Engine.Targets;
using Spectre.Console;

namespace Gitops.Cli.Commands;

[Verb("target", HelpText = "The platform's targets: paas target list | credentials NAME (what the cloud's own tool prints for them, on stdin) | forget NAME.")]
public sealed class TargetOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "list, credentials or forget.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "NAME", HelpText = "The target, as platform.yaml names it under targets:.")]
    public string? Name { get; set; }

    [Option("data-dir", HelpText = "Platform data directory. Default: $PAAS_HOME or ~/.paas.")]
    public string? DataDir { get; set; }
}

/// <summary>
/// Lists the targets of platform.yaml and keeps a cloud target's credentials in the encrypted store,
/// where only its provider reads them when it connects (never printed, planned or logged). Run it
/// where the platform's data directory is (a running server holds the store: stop it, or run this first).
/// </summary>
public static class TargetCommand
{
    public static int Run(TargetOptions options, CliConsole console, TextReader input)
    {
        console = console.For(options.Output);
        var dataDirectory = DataDirectory.Resolve(options.DataDir);
        var platform = PlatformFile.Load(dataDirectory);
        using var state = SecretsCommand.OpenState(dataDirectory);
        var secrets = new SecretStore(state);
        switch (options.Action)
        {
            case "list":
                return List(platform, secrets, options, console);
            case "credentials":
                var (target, provider) = Named(platform, options);
                var value = SecretsCommand.ReadValue(console, input, $"the credentials of target {target.Name}");
                if (provider.CredentialsProblem(value) is { } problem)
                {
                    throw new CliException(ExitCodes.InvalidInput, $"target {target.Name} ({target.Kind}): {problem}; nothing was stored");
                }

                TargetCredentials.Save(secrets, target.Name, value);
                CliAudit.Record(state, "target credentials", target.Name); // never the value
                console.Human.MarkupLine(Markup.Escape($"stored the credentials of target {target.Name}; its next connection signs in with them"));
                return ExitCodes.Ok;
            case "forget":
                var (forgotten, _) = Named(platform, options);
                var removed = TargetCredentials.Remove(secrets, forgotten.Name);
                CliAudit.Record(state, "target forget", forgotten.Name, removed ? "ok" : "none");
                console.Human.MarkupLine(Markup.Escape(removed
                    ? $"removed the stored credentials of target {forgotten.Name}; it signs in with its kind's standard chain again"
                    : $"target {forgotten.Name} has no stored credentials"));
                return removed ? ExitCodes.Ok : ExitCodes.InvalidInput;
            default:
                throw new CliException(ExitCodes.Usage, $"unknown action '{options.Action}'; use list, credentials or forget");
        }
    }

    private static int List(PlatformConfig platform, SecretStore secrets, TargetOptions options, CliConsole console)
    {
        var stored = TargetCredentials.Stored(secrets);
        var targets = platform.Targets.Values
            .Select(t => new TargetInfo(t.Name, t.Kind, ProviderRegistry.Default.Describe(t), stored.TryGetValue(t.Name, out var at) ? at : null))
            .ToList();
        if (options.Output == OutputFormat.Json)
        {
            Json.Write(console, new TargetListDocument(targets));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("target", "kind", "where", "stored credentials");
        foreach (var target in targets)
        {
            table.AddRow(Markup.Escape(target.Name), target.Kind, Markup.Escape(target.Where), target.CredentialsStoredAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "-");
        }

        console.Human.Write(table);
        return ExitCodes.Ok;
    }

    private static (TargetConfig Target, ITargetProvider Provider) Named(PlatformConfig platform, TargetOptions options)
    {
        var name = options.Name ?? throw new CliException(ExitCodes.Usage, $"say which target: paas target {options.Action} NAME (targets: {string.Join(", ", platform.Targets.Keys)})");
        TargetConfig target;
        try
        {
            target = platform.Target(name);
        }
        catch (KeyNotFoundException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message);
        }

        return (target, ProviderRegistry.Default.TargetProvider(target.Kind) ?? throw new CliException(ExitCodes.InvalidInput, $"no provider for kind '{target.Kind}'"));
    }
}

/// <summary>One target of platform.yaml: never its credentials, only when they were stored.</summary>
public sealed record TargetInfo(string Name, string Kind, [property: Description("The kind and where it is, as people read it.")] string Where, [property: Description("When credentials were stored for it (paas target credentials); null: none, it uses its kind's standard chain.")] DateTimeOffset? CredentialsStoredAt);

[Description("paas target list: the platform's targets, and which have credentials stored (never the credentials).")]
public sealed record TargetListDocument(IReadOnlyList<TargetInfo> Targets);
