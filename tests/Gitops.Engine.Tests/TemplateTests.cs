using Gitops.Engine.Desired;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Templates;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>
/// The template catalogue as data: the built-in files read, a platform's own file adds or replaces
/// one (a bad one is left out with file:line:column), and a template service compiles into an
/// ordinary service whose credentials come from the encrypted store, never from the manifest or the plan.
/// </summary>
public sealed class TemplateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paas-templates-").FullName;
    private readonly Lazy<StateStore> _state;

    public TemplateTests() => _state = new(() => StateStore.Open(Path.Combine(_directory, "state")));

    public void Dispose()
    {
        if (_state.IsValueCreated)
        {
            _state.Value.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_built_in_catalogue_holds_the_templates_tested_on_real_images()
    {
        var catalogue = TemplateCatalogue.BuiltIn;

        Assert.Equal(["mariadb", "postgres", "redis"], catalogue.Names);
        Assert.Empty(catalogue.Errors);
        var postgres = catalogue.Find("postgres")!;
        Assert.Equal("postgres:{version}", postgres.Image);
        Assert.Equal("15", postgres.Parameters["version"].Default);
        Assert.Equal(5432, postgres.Port);
        Assert.Equal(["password"], postgres.Generate);
        Assert.Equal("/var/lib/postgresql/data", postgres.Volumes["data"]);
    }

    [Fact]
    public void A_platform_template_file_adds_to_the_catalogue_and_a_bad_one_is_left_out_naming_file_line_and_column()
    {
        var templates = Directory.CreateDirectory(Path.Combine(_directory, TemplateCatalogue.DirectoryName)).FullName;
        File.WriteAllText(Path.Combine(templates, "valkey.yaml"), "name: valkey\ndescription: Valkey\nimage: \"valkey/valkey:{version}\"\nparameters: { version: { default: \"8\" } }\nport: 6379\nvolumes: { data: /data }\n");
        File.WriteAllText(Path.Combine(templates, "broken.yaml"), "name: broken\ndescription: leaks\nimage: x:1\nport: 80\ngenerate: [password]\nenv:\n  PASSWORD: \"{password}\"\n");
        File.WriteAllText(Path.Combine(templates, "typo.yaml"), "name: typo\ndescription: d\nimage: x:1\nport: 80\nexports: { URL: \"http://{hots}:80\" }\n");
        File.WriteAllText(Path.Combine(templates, "shape.yaml"), "name: shape\n  bad: [\n");

        var catalogue = TemplateCatalogue.Load(_directory);

        Assert.Equal(["mariadb", "postgres", "redis", "valkey"], catalogue.Names);
        Assert.Equal(Path.Combine(templates, "valkey.yaml"), catalogue.Find("valkey")!.Source);
        Assert.Contains(catalogue.Errors, e => e.StartsWith($"{Path.Combine(templates, "broken.yaml")}:1:1: env.PASSWORD: the credential {{password}} may only be in secretEnv or exports", StringComparison.Ordinal));
        Assert.Contains(catalogue.Errors, e => e.Contains("typo.yaml:1:1: exports.URL: {hots} is not a parameter", StringComparison.Ordinal));
        Assert.Contains(catalogue.Errors, e => e.Contains("shape.yaml:2:", StringComparison.Ordinal));
        var refused = Compile("  db: { template: broken }\n", CompileInputs.None with { Templates = catalogue });
        Assert.Contains(refused.Errors, e => e.StartsWith("services.db.template: no template 'broken' in the catalogue", StringComparison.Ordinal) && e.Contains("may only be in secretEnv", StringComparison.Ordinal));
    }

    [Fact]
    public void A_template_service_compiles_into_its_image_volume_health_check_and_recreate_rollout()
    {
        var (desired, _) = Deployable("  db: { template: postgres, parameters: { version: \"16\", database: shop } }\n");

        var db = desired.Service("db")!;
        Assert.Equal("postgres:16", db.Spec.Image);
        Assert.Equal(5432, db.Spec.Port);
        Assert.Equal("/var/lib/postgresql/data", db.Spec.Mounts[Names.Volume("shop", "dev", "db-data")]);
        Assert.Equal(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "app", "-d", "shop"], db.Spec.Health!.Command);
        Assert.Equal(DeployStrategy.Recreate, db.Strategy);
        Assert.Equal("shop", db.Spec.Env["POSTGRES_DB"]);
        Assert.Equal(["POSTGRES_PASSWORD"], db.Spec.Secrets);
        Assert.Equal("db.password", db.Spec.SecretFrom!["POSTGRES_PASSWORD"]);
    }

    [Fact]
    public void A_service_that_depends_on_a_template_gets_its_connection_url_as_a_secret_and_the_rest_as_plain_environment()
    {
        var (desired, store) = Deployable("  db: { template: postgres }\n  web: { image: busybox:1.36, dependsOn: [db], secrets: [API_KEY] }\n", secrets: [("API_KEY", "k")]);

        var web = desired.Service("web")!;
        Assert.Equal(["API_KEY", "DATABASE_URL", "PGPASSWORD"], web.Spec.Secrets.Order(StringComparer.Ordinal));
        Assert.Equal("db", web.Spec.Env["PGHOST"]);
        Assert.Equal("app", web.Spec.Env["PGDATABASE"]);
        var values = store.ResolveFor("shop", "dev", web.Spec).Reveal().ToDictionary(p => p.Key, p => p.Value);
        var password = store.ResolveFor("shop", "dev", desired.Service("db")!.Spec).Reveal().Single().Value;
        Assert.Equal($"postgres://app:{password}@db:5432/app", values["DATABASE_URL"]);
        Assert.Equal(password, values["PGPASSWORD"]);
        Assert.Equal("k", values["API_KEY"]);
        Assert.Matches("^[A-Za-z0-9]{32}$", password);
        Assert.DoesNotContain(password, System.Text.Json.JsonSerializer.Serialize(desired), StringComparison.Ordinal); // the spec, the plan and the state hold names and versions only
    }

    [Fact]
    public void Credentials_are_generated_once_and_a_changed_parameter_rewrites_only_the_url_made_from_them()
    {
        var (first, store) = Deployable("  db: { template: postgres }\n  web: { image: busybox:1.36, dependsOn: [db] }\n");
        var password = store.Resolve("shop", "dev", ["db.password"]).Reveal().Single().Value;

        var (again, _) = Deployable("  db: { template: postgres }\n  web: { image: busybox:1.36, dependsOn: [db] }\n", store: store);
        var (renamed, _) = Deployable("  db: { template: postgres, parameters: { database: shop } }\n  web: { image: busybox:1.36, dependsOn: [db] }\n", store: store);

        Assert.Equal(first.Service("web")!.Fingerprint, again.Service("web")!.Fingerprint); // nothing regenerated: no change to roll out
        Assert.Equal(password, store.Resolve("shop", "dev", ["db.password"]).Reveal().Single().Value);
        Assert.Equal("v1 (dev)", store.Versions("shop", "dev")["db.password"]);
        Assert.Equal("v2 (dev)", store.Versions("shop", "dev")["db.DATABASE_URL"]);
        Assert.NotEqual(first.Service("web")!.Fingerprint, renamed.Service("web")!.Fingerprint);
        Assert.EndsWith("@db:5432/shop", store.Resolve("shop", "dev", ["db.DATABASE_URL"]).Reveal().Single().Value, StringComparison.Ordinal);
        Assert.NotEqual(password, Deployable("  db: { template: postgres }\n", environment: "prod", store: store).Store.Resolve("shop", "prod", ["db.password"]).Reveal().Single().Value); // each environment its own
    }

    [Theory]
    [InlineData("  db: { template: postgres, parameters: { versoin: \"16\" } }\n", "services.db.parameters.versoin: template postgres has no parameter 'versoin'; its parameters: database, user, version")]
    [InlineData("  db: { template: postgres, parameters: { user: \"a@b\" } }\n", "services.db.parameters.user: 'a@b' may hold only letters, digits")]
    [InlineData("  db: { template: postgres, replicas: 2 }\n", "services.db: a postgres service runs one replica (its data is one volume); remove replicas: 2")]
    [InlineData("  db: { template: postgres, port: 5433 }\n", "services.db.port: postgres listens on 5432")]
    [InlineData("  db: { template: postgres, public: true, port: 5432 }\n", "services.db.public: a postgres service is reached only by the project's services")]
    [InlineData("  db: { template: postgres, env: { POSTGRES_PASSWORD: mine } }\n", "services.db.env.POSTGRES_PASSWORD: template postgres generates POSTGRES_PASSWORD into the encrypted store")]
    [InlineData("  db: { template: postgres }\n  web: { image: busybox:1.36, dependsOn: [db], env: { DATABASE_URL: x } }\n", "services.web.env.DATABASE_URL: db (postgres) gives DATABASE_URL to the services that depend on it; remove it here")]
    [InlineData("  db: { template: postgres }\n  db2: { template: postgres }\n  web: { image: busybox:1.36, dependsOn: [db, db2] }\n", "services.web.dependsOn: db2 and db both give DATABASE_URL")]
    [InlineData("  db: { template: postgres }\n  other: { image: busybox:1.36, volumes: { db-data: /x } }\n", "services.db: template postgres keeps its data on volume 'db-data', which service 'other' mounts too")]
    public void A_template_service_the_template_cannot_run_is_refused_naming_the_field(string services, string error)
    {
        var result = Compile(services, CompileInputs.None);

        Assert.Null(result.State);
        Assert.Contains(result.Errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Fact]
    public void The_service_own_volume_at_the_data_path_is_the_one_used()
    {
        var (desired, _) = Deployable("  db: { template: postgres, volumes: { pgdata: /var/lib/postgresql/data } }\n");

        Assert.Equal([Names.Volume("shop", "dev", "pgdata")], desired.Volumes);
    }

    private static CompileResult Compile(string services, CompileInputs inputs)
    {
        var loaded = ManifestLoader.LoadText(Scenario.Header + "services:\n" + services, "paas.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return Compiler.Compile(loaded.ForEnvironment("dev"), "dev", "rev", inputs);
    }

    /// <summary>What the deployer does: credentials into the store, then the compile with the store's versions.</summary>
    private (DesiredState Desired, SecretStore Store) Deployable(string services, string environment = "dev", SecretStore? store = null, (string Name, string Value)[]? secrets = null)
    {
        store ??= new SecretStore(_state.Value);
        foreach (var (name, value) in secrets ?? [])
        {
            store.Set("shop", environment, name, value);
        }

        var loaded = ManifestLoader.LoadText($"version: 1\nproject: shop\nenvironments:\n  {environment}: {{ branch: main }}\nservices:\n" + services, "paas.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var manifest = loaded.ForEnvironment(environment);
        var errors = new List<string>();
        TemplateCredentials.Ensure(store, "shop", environment, TemplateExpander.Expand(manifest, TemplateCatalogue.BuiltIn, errors).Stored);
        Assert.Empty(errors);
        var compiled = Compiler.Compile(manifest, environment, "rev", new CompileInputs(new Dictionary<string, string>(), store.Versions("shop", environment)));
        Assert.Empty(compiled.Errors);
        return (compiled.State!, store);
    }
}
