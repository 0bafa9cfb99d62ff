using Gitops.Cli;
using Gitops.Engine.Desired;

namespace Gitops.IntegrationTests;

/// <summary>
/// Template services on real engines with the catalogue's images (built from Debian packages by
/// scripts/template-images.sh under the official names): the web-postgres starter deploys as
/// <c>paas init</c> writes it, its web service writes and reads rows through the DATABASE_URL the
/// platform generated, the rows outlive a change of the web service and a restart of the database,
/// and the password is in no output and in no file of the data directory in clear.
/// </summary>
public sealed class TemplateServiceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task The_web_postgres_starter_deploys_and_its_rows_outlive_a_web_change_and_a_database_restart(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine, environment: "staging");
        Assert.Equal(0, Init(world, "web-postgres"));

        var applied = world.Paas("apply", world.AppDirectory, "--env", "staging", "--yes");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var web = await AddressAsync(world, "web");
        using var posted = await http.PostAsync(new Uri($"http://{web}:8080/notes"), new StringContent($"hello from {engine}"), Token);
        var postedBody = await posted.Content.ReadAsStringAsync(Token);
        var read = await ReadAsync(http, web);
        var password = await EnvOfAsync(world, "db", "POSTGRES_PASSWORD");
        var db = await IdOfAsync(world, "db");
        var dbUser = (await world.Client.Containers.InspectContainerAsync(db, Token)).Config!.User;

        File.WriteAllText(Path.Combine(world.AppDirectory, "paas.yaml"), File.ReadAllText(Path.Combine(world.AppDirectory, "paas.yaml")).Replace("LOG_LEVEL: info", "LOG_LEVEL: debug", StringComparison.Ordinal));
        var changed = world.Paas("apply", world.AppDirectory, "--env", "staging", "--yes");
        var afterChange = await ReadAsync(http, await AddressAsync(world, "web"));
        var dbAfterChange = await IdOfAsync(world, "db");
        var restarted = world.Paas("restart", "db", "--env", "staging", "--dir", world.AppDirectory);
        var afterRestart = await ReadAsync(http, await AddressAsync(world, "web"));
        var plan = world.Paas("plan", world.AppDirectory, "--env", "staging");
        var listed = world.Paas("secrets", "list", world.Project);

        Assert.True(posted.StatusCode == System.Net.HttpStatusCode.Created, postedBody);
        Assert.Contains($"hello from {engine}", read, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9]{32}$", password);
        Assert.Equal("999:999", dbUser); // the image's own user: the server never runs as root
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Equal(db, dbAfterChange); // a change of web leaves the database's container alone
        Assert.Contains($"hello from {engine}", afterChange, StringComparison.Ordinal);
        Assert.True(restarted.ExitCode == 0, restarted.ToString());
        Assert.NotEqual(db, await IdOfAsync(world, "db")); // a new container on the same volume
        Assert.Contains($"hello from {engine}", afterRestart, StringComparison.Ordinal);
        Assert.Contains("No changes", plan.Output, StringComparison.Ordinal); // the credentials are not generated again
        Assert.Contains("db.password", listed.Output, StringComparison.Ordinal);
        foreach (var output in new[] { applied, changed, restarted, plan, listed })
        {
            Assert.DoesNotContain(password, output.Output + output.Error, StringComparison.Ordinal);
        }

        foreach (var file in Directory.EnumerateFiles(world.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(password)) < 0, $"{file} holds the password in clear");
        }
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Mariadb_and_redis_templates_serve_their_dependents_with_the_generated_credentials_and_refuse_others(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("""
            services:
              db: { template: mariadb, parameters: { database: shop } }
              cache: { template: redis }
              sql:
                image: mariadb:10.11
                command: [sleep, infinity]
                dependsOn: [db]
              kv:
                image: redis:7
                command: [sleep, infinity]
                dependsOn: [cache]

            """);

        var applied = world.Apply();
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var sql = await NameOfAsync(world, "sql");
        var kv = await NameOfAsync(world, "kv");
        var (_, user) = await world.ExecOutputAsync(sql, "printenv", "MYSQL_USER");
        var (_, secret) = await world.ExecOutputAsync(sql, "printenv", "MYSQL_PASSWORD");
        var (written, rows) = await world.ExecOutputAsync(sql, "mariadb", "-h", "db", $"-u{user.Trim()}", $"-p{secret.Trim()}", "shop", "-e", "CREATE TABLE t (x int); INSERT INTO t VALUES (42); SELECT x FROM t");
        var (wrong, denied) = await world.ExecOutputAsync(sql, "mariadb", "-h", "db", $"-u{user.Trim()}", "-pnot-the-password", "shop", "-e", "SELECT 1");
        var (_, url) = await world.ExecOutputAsync(kv, "printenv", "REDIS_URL");
        var (set, _) = await world.ExecOutputAsync(kv, "redis-cli", "-u", url.Trim(), "SET", "greeting", "hello");
        var (_, got) = await world.ExecOutputAsync(kv, "redis-cli", "-u", url.Trim(), "GET", "greeting");
        var (_, anonymous) = await world.ExecOutputAsync(kv, "redis-cli", "-h", "cache", "GET", "greeting");
        var cache = await world.Client.Containers.InspectContainerAsync(await NameOfAsync(world, "cache"), Token);

        Assert.Equal(0, written);
        Assert.Contains("42", rows, StringComparison.Ordinal);
        Assert.NotEqual(0, wrong);
        Assert.Contains("Access denied", denied, StringComparison.Ordinal);
        Assert.Equal(0, set);
        Assert.Equal("hello", got.Split('\n')[0].Trim()); // then redis-cli's warning about a password on its command line
        Assert.Contains("NOAUTH", anonymous, StringComparison.Ordinal);
        Assert.StartsWith("redis://default:", url.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain(cache.Args ?? [], a => a.Contains(url.Trim()[16..48], StringComparison.Ordinal)); // the password is no argument the engine shows
        Assert.DoesNotContain(secret.Trim(), applied.Output + applied.Error, StringComparison.Ordinal);
    }

    /// <summary>GET /notes: the body, or the status and what the app said.</summary>
    private static async Task<string> ReadAsync(HttpClient http, string address)
    {
        using var response = await http.GetAsync(new Uri($"http://{address}:8080/notes"), Token);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}";
    }

    private static int Init(EngineWorld world, string starter)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PaasCli.Run(["init", "--template", starter, world.AppDirectory, "--name", world.Project], CliConsole.Plain(output, error));
        Assert.True(code == 0, error.ToString());
        return code;
    }

    private static async Task<string> NameOfAsync(EngineWorld world, string service) =>
        (await world.ContainersAsync()).Single(c => c.Value.Service == service && c.Value.Running).Key;

    private static async Task<string> IdOfAsync(EngineWorld world, string service) =>
        (await world.ContainersAsync()).Single(c => c.Value.Service == service && c.Value.Running).Value.Id;

    /// <summary>The service's address on the environment's network (the test runs on the engine's host).</summary>
    private static async Task<string> AddressAsync(EngineWorld world, string service)
    {
        var inspected = await world.Client.Containers.InspectContainerAsync(await NameOfAsync(world, service), Token);
        return inspected.NetworkSettings!.Networks[Names.Network(world.Project, world.Environment)].IPAddress;
    }

    private static async Task<string> EnvOfAsync(EngineWorld world, string service, string name)
    {
        var inspected = await world.Client.Containers.InspectContainerAsync(await NameOfAsync(world, service), Token);
        return inspected.Config!.Env.Single(e => e.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
    }
}
