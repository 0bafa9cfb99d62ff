using Gitops.Cli.Commands;
using Gitops.Schema.JsonSchema;
using Gitops.Schema.Loading;

namespace Gitops.Cli.Tests;

public sealed class InitCommandTests
{
    public static TheoryData<string> Templates() => new("static-site", "web-postgres", "worker-cron");

    [Theory]
    [MemberData(nameof(Templates))]
    public void Init_writes_a_project_that_validates(string template)
    {
        using var temp = new TempDirectory();
        var directory = Path.Combine(temp.Path, "my-app");

        var init = CliRun.Of("init", "--template", template, directory);
        var validate = CliRun.Of("validate", directory);

        Assert.Equal(0, init.ExitCode);
        Assert.Equal(0, validate.ExitCode);
        Assert.Contains("valid", validate.Output, StringComparison.Ordinal);
        var manifest = ManifestLoader.LoadPath(directory).Manifest!;
        Assert.Equal("my-app", manifest.Project);
        foreach (var build in manifest.Services.Values.Select(s => s.Build).OfType<Schema.Model.BuildSpec>())
        {
            Assert.True(File.Exists(Path.Combine(directory, build.Context, build.Dockerfile)), $"{build.Context}/{build.Dockerfile} missing");
        }
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Init_writes_the_schema_the_manifest_points_editors_at(string template)
    {
        using var temp = new TempDirectory();

        CliRun.Of("init", "--template", template, temp.Path, "--name", "demo");

        Assert.StartsWith("# yaml-language-server: $schema=./paas.schema.json", File.ReadAllText(Path.Combine(temp.Path, "paas.yaml")), StringComparison.Ordinal);
        Assert.Equal(ManifestJsonSchema.Generate(), File.ReadAllText(Path.Combine(temp.Path, InitCommand.SchemaFileName)));
    }

    [Fact]
    public void Init_refuses_to_overwrite_and_changes_nothing()
    {
        using var temp = new TempDirectory();
        var manifest = Path.Combine(temp.Path, "paas.yaml");
        File.WriteAllText(manifest, "mine");

        var run = CliRun.Of("init", "--template", "static-site", temp.Path, "--name", "demo");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("paas.yaml", run.Error, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(manifest));
        Assert.Equal(["paas.yaml"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Init_with_an_unknown_template_lists_the_real_ones()
    {
        using var temp = new TempDirectory();

        var run = CliRun.Of("init", "--template", "rails", temp.Path);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("static-site, web-postgres, worker-cron", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Init_json_output_lists_the_files()
    {
        using var temp = new TempDirectory();

        var run = CliRun.Of("init", "--template", "worker-cron", temp.Path, "--name", "jobs", "--output", "json");

        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.Equal("jobs", json.RootElement.GetProperty("project").GetString());
        Assert.Contains("worker/Dockerfile", json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
    }

    [Theory]
    [InlineData("My App", "my-app")]
    [InlineData("shop_v2", "shop-v2")]
    [InlineData("--x--", "x")]
    public void Directory_names_become_project_names(string directory, string project) =>
        Assert.Equal(project, InitCommand.ProjectNameFrom(directory));
}
