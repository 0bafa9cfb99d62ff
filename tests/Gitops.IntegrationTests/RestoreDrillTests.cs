using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using Gitops.Cli;
using Gitops.Engine.Access;
using Gitops.Engine.Backups;
using Gitops.Engine.Desired;
using Gitops.Engine.Execution;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gitops.IntegrationTests;

/// <summary>
/// Restore drills of the web-postgres starter's database on real engines: a backup is restored into
/// a scratch PostgreSQL on a network of its own (which the environment's services cannot reach), its
/// check compared with the one recorded at backup time, and every scratch object removed; the
/// running database is never touched. A damaged archive and a backup that restores to something
/// else than it recorded each fail the drill, and the results show in list, status and the dashboard.
/// </summary>
public sealed class RestoreDrillTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_drill_proves_a_backup_in_a_scratch_database_no_service_can_reach_and_a_damaged_or_changed_backup_fails_it(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine, environment: "staging");
        var offsite = Path.Combine(world.Root, "offsite");
        File.AppendAllText(Path.Combine(world.DataDirectory, PlatformConfig.FileName), $"backups:\n  offsite: {{ kind: local, path: {offsite} }}\n");
        await BackupTests.StarterAsync(world, "offsite", ", verify: true");
        await BackupTests.PostAsync(world, "staging", "first");
        var before = await ObjectsAsync(world);

        // backup.verify: the run drills the new backup at once.
        var run = world.Paas("backup", "run", "db", "--dir", world.AppDirectory, "--env", "staging", "-o", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var made = JsonNode.Parse(run.Output)!;
        var id = made["id"]!.GetValue<string>();
        await BackupTests.PostAsync(world, "staging", "after the backup");

        // A drill through the engine, held once its scratch database is ready (before the restore) and looked at from outside.
        var events = new RecordedEvents();
        var hold = new HoldAt("drill: restoring");
        DrillResult verified;
        Scratch scratch;
        using (var state = StateStore.Open(world.DataDirectory))
        {
            var platform = PlatformConfig.Load(world.DataDirectory);
            var hooks = new ExecutionHooks(TimeProvider.System, CrashHooks.FromEnvironment()) { Events = events };
            var connect = (string _, string _) => ProviderRegistry.Default.Connect(platform.Target("local"));
            var backups = new Backups(state, connect, new BackupDestinations(platform.Backups, world.DataDirectory, new SecretStore(state)), hooks);
            var drilling = Task.Run(() => new RestoreDrills(state, connect, backups, new SecretStore(state), hooks, hold).VerifyAsync(id, Token), Token);
            await Task.WhenAny(hold.Reached.Task, drilling).WaitAsync(TimeSpan.FromMinutes(3), Token);
            try
            {
                scratch = await LookAtScratchAsync(world);
            }
            finally
            {
                hold.Release.Set();
            }

            verified = await drilling;
        }

        var live = await BackupTests.NotesAsync(world, "staging");
        var after = await ObjectsAsync(world);

        // The manifest says the backup held two tables: what a dump missing one would restore to.
        var manifestPath = Path.Combine(offsite, $"{id}.json");
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"1 tables\"", "\"2 tables\"", StringComparison.Ordinal));
        var changed = world.Paas("backup", "verify", id, "--dir", world.AppDirectory);
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"2 tables\"", "\"1 tables\"", StringComparison.Ordinal));
        var archive = Path.Combine(offsite, $"{id}.paasbk");
        File.WriteAllBytes(archive, BackupTests.Damaged(File.ReadAllBytes(archive)));
        var damaged = world.Paas("backup", "verify", id, "--dir", world.AppDirectory);
        var listed = JsonNode.Parse(world.Paas("backup", "list", "--dir", world.AppDirectory, "-o", "json").Output)!["backups"]!.AsArray();
        var table = world.Paas("backup", "list", "--dir", world.AppDirectory);
        var status = world.Paas("status", world.AppDirectory, "--env", "staging");

        Assert.True(made["drill"]!["passed"]!.GetValue<bool>(), run.Output);
        Assert.Equal("restored; check: 1 tables, as when backed up", made["drill"]!["detail"]!.GetValue<string>());
        Assert.True(verified.Passed, verified.Detail);
        Assert.Single(events.Seen, e => e.Name == Gitops.Engine.Events.PlatformEvent.BackupVerified);
        // The scratch database: on its own network, its own volume, the environment's web service unable to reach it (and able to reach the real one).
        Assert.Equal([scratch.Name], scratch.Networks);
        Assert.DoesNotContain(Names.Network(world.Project, "staging"), scratch.Networks);
        Assert.All(scratch.Volumes, v => Assert.StartsWith($"{scratch.Name}_", v, StringComparison.Ordinal));
        Assert.NotEqual(0, scratch.WebToScratch);
        Assert.Equal(0, scratch.WebToDb);
        // The running database kept what was written after the backup; nothing of the drills is left on the engine.
        Assert.Contains("after the backup", live, StringComparison.Ordinal);
        Assert.Equal(before, after);

        Assert.Equal(ExitCodes.Failed, changed.ExitCode);
        Assert.Contains("the check says '1 tables' where the backup recorded '2 tables'", changed.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, damaged.ExitCode);
        Assert.Contains($"{id} at offsite is damaged", damaged.Error, StringComparison.Ordinal);
        var drill = Assert.Single(listed)!["drill"]!;
        Assert.False(drill["passed"]!.GetValue<bool>());
        Assert.Contains("is damaged", drill["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("FAILED", table.Output, StringComparison.Ordinal);
        Assert.Contains("db backups", status.Output, StringComparison.Ordinal);
        Assert.Contains("drill FAILED", status.Output, StringComparison.Ordinal);
        Assert.Equal(await ObjectsAsync(world), before);
        if (engine == "docker")
        {
            await DashboardShowsTheDrillAsync(world);
        }
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_mariadb_backup_passes_its_drill_and_restores_its_rows_into_a_new_environment(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine, environment: "staging");
        StagingAndProduction(world, """
            services:
              db:
                template: mariadb
                parameters: { database: shop }
                backup: { schedule: "0 3 * * *", keep: 3, to: here, verify: true }
              sql:
                image: mariadb:10.11
                command: [sleep, infinity]
                dependsOn: [db]

            """);
        Assert.True(world.Apply().ExitCode == 0);
        var written = await SqlAsync(world, "staging", "CREATE TABLE orders (id int, item varchar(20)); INSERT INTO orders VALUES (1, 'teapot'), (2, 'kettle')");

        var run = world.Paas("backup", "run", "db", "--dir", world.AppDirectory, "--env", "staging", "-o", "json");
        var made = JsonNode.Parse(run.Output)!;
        await SqlAsync(world, "staging", "INSERT INTO orders VALUES (3, 'after')");
        var production = world.Paas("apply", world.AppDirectory, "--env", "production", "--yes");
        Assert.True(production.ExitCode == 0, production.ToString());
        var restored = world.Paas("backup", "restore", made["id"]!.GetValue<string>(), "--to-env", "production", "--yes");
        var rows = await SqlAsync(world, "production", "SELECT item FROM orders ORDER BY id");

        Assert.Equal(0, written.ExitCode);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("mariadb-dump sql", made["format"]!.GetValue<string>());
        Assert.Equal("1 tables", made["check"]!.GetValue<string>());
        Assert.True(made["drill"]!["passed"]!.GetValue<bool>(), run.Output);
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(["teapot", "kettle"], rows.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain(await ObjectsAsync(world), n => n.Contains("_drill_", StringComparison.Ordinal)); // the drill cleaned up
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_redis_backup_passes_its_drill_and_restores_its_keys_into_a_new_environment_where_they_outlive_a_restart(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine, environment: "staging");
        StagingAndProduction(world, """
            services:
              cache:
                template: redis
                backup: { schedule: "0 3 * * *", keep: 3, to: here, verify: true }
              kv:
                image: redis:7
                command: [sleep, infinity]
                dependsOn: [cache]

            """);
        Assert.True(world.Apply().ExitCode == 0);
        await RedisAsync(world, "staging", "SET", "greeting", "hello");
        await RedisAsync(world, "staging", "RPUSH", "queue", "a", "b", "c");

        var run = world.Paas("backup", "run", "cache", "--dir", world.AppDirectory, "--env", "staging", "-o", "json");
        var made = JsonNode.Parse(run.Output)!;
        await RedisAsync(world, "staging", "SET", "later", "not in the backup");
        var production = world.Paas("apply", world.AppDirectory, "--env", "production", "--yes");
        Assert.True(production.ExitCode == 0, production.ToString());
        await RedisAsync(world, "production", "SET", "only", "in production");
        var restored = world.Paas("backup", "restore", made["id"]!.GetValue<string>(), "--to-env", "production", "--yes");
        var keys = await RedisAsync(world, "production", "KEYS", "*");
        // What the next start loads is the restored data: the append-only file was rewritten from it.
        var cache = await ContainerOfAsync(world, "production", "cache");
        await world.Client.Containers.RestartContainerAsync(cache, new ContainerRestartParameters { WaitBeforeKillSeconds = 10 }, Token);
        var afterRestart = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline && !afterRestart.Contains("hello", StringComparison.Ordinal); await Task.Delay(300, Token))
        {
            afterRestart = (await RedisAsync(world, "production", "GET", "greeting")).Output;
        }

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("redis rdb", made["format"]!.GetValue<string>());
        Assert.Equal("2 keys", made["check"]!.GetValue<string>());
        Assert.True(made["drill"]!["passed"]!.GetValue<bool>(), run.Output);
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(["greeting", "queue"], keys.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
        Assert.Contains("hello", afterRestart, StringComparison.Ordinal);
        Assert.Equal("a b c", string.Join(' ', (await RedisAsync(world, "production", "LRANGE", "queue", "0", "-1")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        Assert.DoesNotContain(await ObjectsAsync(world), n => n.Contains("_drill_", StringComparison.Ordinal));
    }

    /// <summary>A command run by redis-cli in the environment's kv service, with the URL (and password) the template gave it.</summary>
    private static async Task<(long ExitCode, string Output)> RedisAsync(EngineWorld world, string environment, params string[] command)
    {
        var container = await ContainerOfAsync(world, environment, "kv");
        var (_, url) = await world.ExecOutputAsync(container, "printenv", "REDIS_URL");
        var result = await world.ExecOutputAsync(container, ["redis-cli", "--no-auth-warning", "-u", url.Trim(), .. command]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result;
    }

    /// <summary>paas.yaml with staging and production and <paramref name="services"/>, and platform.yaml's destination <c>here</c>.</summary>
    private static void StagingAndProduction(EngineWorld world, string services)
    {
        File.AppendAllText(Path.Combine(world.DataDirectory, PlatformConfig.FileName), $"backups:\n  here: {{ kind: local, path: {Path.Combine(world.Root, "here")} }}\n");
        File.WriteAllText(Path.Combine(world.AppDirectory, "paas.yaml"), $"version: 1\nproject: {world.Project}\nenvironments:\n  staging: {{ branch: main }}\n  production: {{ branch: release }}\n{services}");
    }

    /// <summary>The id of the service's running container in the environment.</summary>
    private static async Task<string> ContainerOfAsync(EngineWorld world, string environment, string service) =>
        (await world.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={world.Project}"] = true, [$"{Labels.Service}={service}"] = true, [$"{Labels.Environment}={environment}"] = true } },
        }, Token)).Single().ID;

    /// <summary>SQL run by the client in the environment's sql service, with the credentials the template gave it.</summary>
    private static async Task<(long ExitCode, string Output)> SqlAsync(EngineWorld world, string environment, string sql)
    {
        var container = await ContainerOfAsync(world, environment, "sql");
        var (_, user) = await world.ExecOutputAsync(container, "printenv", "MYSQL_USER");
        var (_, password) = await world.ExecOutputAsync(container, "printenv", "MYSQL_PASSWORD");
        return await world.ExecOutputAsync(container, "mariadb", "-h", "db", $"-u{user.Trim()}", $"-p{password.Trim()}", "-N", "-B", "shop", "-e", sql);
    }

    /// <summary>The dashboard's project page names the service's last backup and its failed drill.</summary>
    private static async Task DashboardShowsTheDrillAsync(EngineWorld world)
    {
        UiTests.AddUser(world, "viewer", Role.Viewer, Scope.Project(world.Project));

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(30));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await UiTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await UiTests.SignInAsync(page, server.Url, "viewer");
        var backups = page.GetByRole(AriaRole.List, new() { Name = $"Backups of {world.Project}" });
        await Expect(backups).ToContainTextAsync("0 3 * * * UTC");
        await Expect(backups.GetByTestId("drill")).ToContainTextAsync("drill failed");
        await Expect(backups.GetByTestId("drill")).ToContainTextAsync("is damaged");
        var shots = Directory.CreateDirectory(Path.Combine(RepositoryRoot.Path, "artifacts", "screenshots")).FullName;
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "backups.png"), FullPage = true });
    }

    /// <summary>What a drill's scratch container was on, and whether the web service could connect to it and to the real database.</summary>
    private sealed record Scratch(string Name, List<string> Networks, List<string> Volumes, long WebToScratch, long WebToDb);

    /// <summary>The drill's scratch container (ready: it passed its health check), from the engine and from the web service.</summary>
    private static async Task<Scratch> LookAtScratchAsync(EngineWorld world)
    {
        var found = (await world.Client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, Token))
            .Single(c => c.State == "running" && c.Names.Any(n => n.Contains($"paas_{world.Project}_staging_db_drill_", StringComparison.Ordinal)));
        var inspected = await world.Client.Containers.InspectContainerAsync(found.ID, Token);
        var address = inspected.NetworkSettings!.Networks.Values.First().IPAddress;
        var web = (await world.ContainersAsync()).Values.First(c => c.Service == "web" && c.Running).Id;
        const string Connect = "import socket, sys; socket.create_connection((sys.argv[1], 5432), 3)";
        return new Scratch(
            inspected.Name.TrimStart('/'),
            [.. inspected.NetworkSettings.Networks.Keys],
            [.. inspected.Mounts.Where(m => m.Type == "volume").Select(m => m.Name!)],
            await world.ExecAsync(web, "python3", "-c", Connect, address),
            await world.ExecAsync(web, "python3", "-c", Connect, "db"));
    }

    /// <summary>Holds the drill at the progress line starting with <paramref name="prefix"/> until released: the test looks at it there.</summary>
    private sealed class HoldAt(string prefix) : IProgress<string>
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Release { get; } = new();

        public void Report(string value)
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal))
            {
                Reached.TrySetResult();
                Release.Wait(TimeSpan.FromMinutes(2));
            }
        }
    }

    /// <summary>The project's containers, networks and volumes on the engine, by name.</summary>
    private static async Task<List<string>> ObjectsAsync(EngineWorld world)
    {
        var containers = (await world.Client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, Token)).SelectMany(c => c.Names).Select(n => n.TrimStart('/'));
        var networks = (await world.Client.Networks.ListNetworksAsync(cancellationToken: Token)).Select(n => n.Name);
        var volumes = (await world.Client.Volumes.ListAsync(Token)).Volumes?.Select(v => v.Name) ?? [];
        return [.. containers.Concat(networks).Concat(volumes).Where(n => n.StartsWith($"paas_{world.Project}_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
    }
}
