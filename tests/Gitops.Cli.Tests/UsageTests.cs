using Gitops.Schema.JsonSchema;

namespace Gitops.Cli.Tests;

public sealed class UsageTests
{
    [Theory]
    [InlineData("deploy-everything")]
    [InlineData("validate", "--no-such-option")]
    [InlineData("init")]
    [InlineData("validate", "--output", "yaml")]
    public void Bad_command_line_is_a_usage_error_with_help(params string[] args)
    {
        var run = CliRun.Of(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("paas", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-option", "validate", "--no-such-option")]
    [InlineData("defined multiple times", "templates", "list", "-o", "json", "-o", "text")]
    [InlineData("bad format", "validate", "--output", "yaml")]
    [InlineData("required value", "templates")]
    public void A_usage_error_says_what_was_wrong_above_the_help(string said, params string[] args)
    {
        var run = CliRun.Of(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(said, run.Error, StringComparison.Ordinal);
        Assert.Contains("ERROR", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_the_commands_and_exits_zero()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        foreach (var verb in new[] { "validate", "init", "schema" })
        {
            Assert.Contains(verb, run.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>Every command, and every action a command documents (its ACTION argument's help: "add, list or rm"), with --help after it.</summary>
    public static TheoryData<string[]> CommandTree()
    {
        var tree = new TheoryData<string[]>();
        foreach (var type in typeof(ExitCodes).Assembly.GetTypes())
        {
            if (type.GetCustomAttributes(typeof(CommandLine.VerbAttribute), false).FirstOrDefault() is not CommandLine.VerbAttribute verb)
            {
                continue;
            }

            tree.Add([verb.Name, "--help"]);
            var action = type.GetProperties().Select(p => p.GetCustomAttributes(typeof(CommandLine.ValueAttribute), false).FirstOrDefault() as CommandLine.ValueAttribute)
                .FirstOrDefault(v => v is { Index: 0, MetaName: "ACTION" });
            foreach (var name in System.Text.RegularExpressions.Regex.Matches(action?.HelpText ?? "", "[a-z][a-z-]*").Select(m => m.Value).Where(w => w is not ("or" or "and")).Distinct())
            {
                tree.Add([verb.Name, name, "--help"]);
            }
        }

        return tree;
    }

    [Theory]
    [MemberData(nameof(CommandTree))]
    public void Help_after_any_command_or_action_prints_its_help_and_exits_zero(string[] args)
    {
        var run = CliRun.Of(args);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains(args[0], run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void Paas_alone_lists_the_commands_and_exits_zero()
    {
        var run = CliRun.Of();

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("quickstart", run.Output, StringComparison.Ordinal);
        Assert.Contains("status", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_prints_the_committed_schema()
    {
        var run = CliRun.Of("schema");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(ManifestJsonSchema.Generate(), run.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "schema", "paas.schema.json")), run.Output);
    }
}
