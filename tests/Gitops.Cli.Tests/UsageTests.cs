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

    [Fact]
    public void Schema_prints_the_committed_schema()
    {
        var run = CliRun.Of("schema");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(ManifestJsonSchema.Generate(), run.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "schema", "paas.schema.json")), run.Output);
    }
}
