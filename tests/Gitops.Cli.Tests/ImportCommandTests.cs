using System.Text.Json;
using Gitops.Schema.Loading;

namespace Gitops.Cli.Tests;

/// <summary>paas import as a user runs it: the file it writes, what it prints, and what it refuses.</summary>
public sealed class ImportCommandTests
{
    private const string Compose = """
        services:
          web:
            build: ./web
            ports: ["8080:8080"]
            depends_on: [db]
          db:
            image: postgres:16
            privileged: true
            environment:
              POSTGRES_PASSWORD: ${DB_PASSWORD}
            volumes:
              - db_data:/var/lib/postgresql/data
              - ./initdb:/docker-entrypoint-initdb.d
        volumes:
          db_data:
        """;

    [Fact]
    public void Import_writes_paas_yaml_next_to_the_compose_file_that_validates_and_lists_what_was_not_carried()
    {
        using var temp = new TempDirectory();
        var app = Directory.CreateDirectory(Path.Combine(temp.Path, "My Shop")).FullName;
        File.WriteAllText(Path.Combine(app, "docker-compose.yml"), Compose);

        var run = CliRun.Of("import", Path.Combine(app, "docker-compose.yml"));
        var validate = CliRun.Of("validate", app);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0, validate.ExitCode);
        var manifest = ManifestLoader.LoadPath(app).Manifest!;
        Assert.Equal("my-shop", manifest.Project);
        Assert.Equal("web", manifest.Services["web"].Build!.Context);
        Assert.Contains("db: privileged: true is not carried over: paas never runs a privileged container", run.Output, StringComparison.Ordinal);
        Assert.Contains("db: volumes: ./initdb:/docker-entrypoint-initdb.d is not carried over: ./initdb is a path on the host", run.Output, StringComparison.Ordinal);
        Assert.Contains("web: ports: \"8080:8080\" is carried with a change: port: 8080, public: true", run.Output, StringComparison.Ordinal);
        Assert.Contains("paas secrets set my-shop POSTGRES_PASSWORD", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_json_output_names_the_file_the_services_and_each_note()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "compose.yaml"), Compose);

        var run = CliRun.Of("import", Path.Combine(temp.Path, "compose.yaml"), "--project", "shop", "--output", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(Path.Combine(temp.Path, "paas.yaml"), root.GetProperty("written").GetString());
        Assert.Equal(["web", "db"], root.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        var privileged = root.GetProperty("notCarried").EnumerateArray().Single(n => n.GetProperty("key").GetString() == "privileged");
        Assert.Equal("db", privileged.GetProperty("service").GetString());
        Assert.StartsWith("paas never runs a privileged container", privileged.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(8, privileged.GetProperty("line").GetInt32());
        Assert.Contains(root.GetProperty("changed").EnumerateArray(), n => n.GetProperty("key").GetString() == "ports");
        Assert.Equal("POSTGRES_PASSWORD", root.GetProperty("secrets").EnumerateArray().Single().GetProperty("name").GetString());
    }

    [Fact]
    public void Malformed_compose_yaml_is_an_error_at_file_line_column_and_nothing_is_written()
    {
        using var temp = new TempDirectory();
        var compose = Path.Combine(temp.Path, "compose.yaml");
        File.WriteAllText(compose, "services:\n  web:\n    image: nginx\n   ports: [\"80:80\"]\n");

        var run = CliRun.Of("import", compose);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"{compose}:4:4", run.Error, StringComparison.Ordinal);
        Assert.Contains("E-YAML-SYNTAX", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "paas.yaml")));
    }

    [Fact]
    public void An_existing_paas_yaml_is_not_overwritten_without_force()
    {
        using var temp = new TempDirectory();
        var compose = Path.Combine(temp.Path, "compose.yaml");
        var manifest = Path.Combine(temp.Path, "paas.yaml");
        File.WriteAllText(compose, Compose);
        File.WriteAllText(manifest, "mine\n");

        var refused = CliRun.Of("import", compose);
        var kept = File.ReadAllText(manifest);
        var forced = CliRun.Of("import", compose, "--force");

        Assert.Equal(ExitCodes.InvalidInput, refused.ExitCode);
        Assert.Contains("already exists; nothing was written (use --force to overwrite)", refused.Error, StringComparison.Ordinal);
        Assert.Equal("mine\n", kept);
        Assert.Equal(0, forced.ExitCode);
        Assert.True(ManifestLoader.LoadPath(manifest).IsValid);
    }

    [Fact]
    public void Out_in_another_directory_rebases_build_contexts_onto_it()
    {
        using var temp = new TempDirectory();
        var deploy = Directory.CreateDirectory(Path.Combine(temp.Path, "deploy")).FullName;
        File.WriteAllText(Path.Combine(deploy, "compose.yaml"), Compose);

        var run = CliRun.Of("import", Path.Combine(deploy, "compose.yaml"), "--out", temp.Path);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("deploy/web", ManifestLoader.LoadPath(temp.Path).Manifest!.Services["web"].Build!.Context);
    }

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("2shop")]
    public void An_invalid_project_name_is_refused_before_anything_is_written(string project)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "compose.yaml"), Compose);

        var run = CliRun.Of("import", Path.Combine(temp.Path, "compose.yaml"), "--project", project);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"project name '{project}'", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "paas.yaml")));
    }

    [Fact]
    public void A_missing_compose_file_is_named()
    {
        using var temp = new TempDirectory();

        var run = CliRun.Of("import", Path.Combine(temp.Path, "nope.yml"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("nope.yml' does not exist", run.Error, StringComparison.Ordinal);
    }
}
