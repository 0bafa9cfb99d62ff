using System.Text.Json;

namespace Gitops.Cli.Tests;

public sealed class ValidateCommandTests
{
    [Fact]
    public void Valid_sample_exits_zero_and_names_the_project()
    {
        var run = CliRun.Of("validate", Path.Combine(RepositoryRoot.Path, "samples", "hello"));

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("project hello", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_manifest_prints_place_code_and_source_line_and_exits_one()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "paas.yaml"), "version: 1\nproject: shop\nservices:\n  web:\n    image: busybox:1.36\n    replica: 2\n");

        var run = CliRun.Of("validate", temp.Path);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"{Path.Combine(temp.Path, "paas.yaml")}:6:5: E-MANIFEST-UNKNOWN-KEY", run.Output, StringComparison.Ordinal);
        Assert.Contains("did you mean 'replicas'?", run.Output, StringComparison.Ordinal);
        Assert.Contains("    6 |     replica: 2", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_carries_every_error_with_its_place()
    {
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Path, "paas.yaml");
        File.WriteAllText(file, "version: 1\nproject: Shop\nservices:\n  web: { image: busybox:1.36, port: 0 }\n");

        var run = CliRun.Of("validate", file, "--output", "json");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var errors = json.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("line").GetInt32()}:{e.GetProperty("column").GetInt32()} {e.GetProperty("code").GetString()} {e.GetProperty("path").GetString()}")
            .ToList();
        Assert.Equal(["2:10 E-MANIFEST-NAME project", "4:37 E-MANIFEST-PORT services.web.port"], errors);
    }

    [Fact]
    public void Directory_without_a_manifest_is_invalid_input()
    {
        using var temp = new TempDirectory();

        var run = CliRun.Of("validate", temp.Path);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("E-FILE-NOT-FOUND", run.Output, StringComparison.Ordinal);
        Assert.Contains("paas init", run.Output, StringComparison.Ordinal);
    }
}
