using System.Reflection;
using System.Text.RegularExpressions;
using CommandLine;

namespace Gitops.Cli;

/// <summary>One command of the CLI as completion and documentation see it.</summary>
/// <param name="Actions">The words its ACTION argument takes (<c>repo add</c>), read from that argument's help.</param>
/// <param name="Options">Its options, long (<c>--env</c>) and short (<c>-e</c>) forms.</param>
public sealed record CommandInfo(string Name, string Help, IReadOnlyList<string> Actions, IReadOnlyList<string> Options);

/// <summary>The CLI's commands, read from the verbs' own attributes, so what completes is what parses.</summary>
public static partial class CommandTree
{
    public static IReadOnlyList<CommandInfo> Commands { get; } = PaasCli.Verbs.Select(Describe).ToList();

    private static CommandInfo Describe(Type options)
    {
        var verb = options.GetCustomAttribute<VerbAttribute>() ?? throw new InvalidOperationException($"{options.Name} is no verb");
        var properties = options.GetProperties();
        var action = properties.Select(p => p.GetCustomAttribute<ValueAttribute>()).FirstOrDefault(v => v is { Index: 0, MetaName: "ACTION" });
        var actions = action is null ? [] : Words().Matches(action.HelpText).Select(m => m.Value).Where(w => w is not ("or" or "and")).Distinct().ToList();
        var flags = properties.Select(p => p.GetCustomAttribute<OptionAttribute>()).OfType<OptionAttribute>()
            .SelectMany(o => new[] { $"--{o.LongName}", o.ShortName is { Length: > 0 } s ? $"-{s}" : null }).OfType<string>()
            .Append("--help").Distinct().ToList();
        return new CommandInfo(verb.Name, verb.HelpText, actions, flags);
    }

    /// <summary>The command and action (<c>cron</c>, <c>list</c>) parsed options stand for; the action is null for a verb without one.</summary>
    public static (string Verb, string? Action) Called(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var type = options.GetType();
        var verb = type.GetCustomAttribute<VerbAttribute>()?.Name ?? throw new InvalidOperationException($"{type.Name} is no verb");
        var action = type.GetProperties().FirstOrDefault(p => p.GetCustomAttribute<ValueAttribute>() is { Index: 0, MetaName: "ACTION" });
        return (verb, action?.GetValue(options) as string);
    }

    [GeneratedRegex("[a-z][a-z-]*")]
    private static partial Regex Words();
}
