using System.Text.Json;
using Gitops.Cli;
using Gitops.Engine.Backups;
using Gitops.Engine.Desired;
using Gitops.Engine.Events;
using Gitops.Engine.Execution;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.IntegrationTests;

/// <summary>
/// Backups of the web-postgres starter's database on real engines, to a local directory and to S3
/// (moto_server and s3rver, each over the real wire protocol): scheduled, kept exactly <c>keep</c>, restored into a new
/// environment with the rows the web service wrote, a damaged archive refused by its checksum with
/// the data left as it was, and a backup whose destination is down reported, the next one succeeding.
/// </summary>
public sealed class BackupTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Tomorrow, 00:00 UTC: the scheduler counts from the deployment, made now, so the test's days must come after it.</summary>
    private static readonly DateTimeOffset Day = new(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Scheduled_backups_to_a_directory_keep_exactly_keep_and_one_restores_into_a_new_environment_with_its_rows(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine, environment: "staging");
        var offsite = Path.Combine(world.Root, "offsite");
        File.AppendAllText(Path.Combine(world.DataDirectory, PlatformConfig.FileName), $"backups:\n  offsite: {{ kind: local, path: {offsite} }}\n");
        await StarterAsync(world, "offsite");
        await PostAsync(world, "staging", "first");
        await PostAsync(world, "staging", "second");

        var clock = new TestClock(Day);
        var events = new RecordedEvents();
        var ticks = new List<IReadOnlyList<ScheduledBackup>>();
        using (var scheduler = SchedulerWorld.Open(world, clock, events))
        {
            for (var day = 0; day < 3; day++)
            {
                // 20 s after 03:00 each day, the third 20 minutes late: the platform was down at 03:00.
                clock.Now = Day.AddDays(day).AddHours(3).AddMinutes(day == 2 ? 20 : 0).AddSeconds(20);
                ticks.Add(await scheduler.Scheduler.TickAsync(Token));
                Assert.Empty(await scheduler.Scheduler.TickAsync(Token)); // once per due time
            }
        }

        var listed = Listed(world.Paas("backup", "list", "--dir", world.AppDirectory, "-o", "json"));
        Assert.True(world.Paas("apply", world.AppDirectory, "--env", "production", "--yes").ExitCode == 0);
        await PostAsync(world, "production", "only in production");
        var restored = world.Paas("backup", "restore", listed[0].Id, "--to-env", "production", "--yes");
        var production = await NotesAsync(world, "production");
        File.WriteAllBytes(Path.Combine(offsite, $"{listed[1].Id}.paasbk"), Damaged(File.ReadAllBytes(Path.Combine(offsite, $"{listed[1].Id}.paasbk"))));
        await PostAsync(world, "production", "after the restore");
        var damaged = world.Paas("backup", "restore", listed[1].Id, "--to-env", "production", "--yes");
        var untouched = await NotesAsync(world, "production");

        Assert.All(ticks, t => Assert.Null(Assert.Single(t).Error));
        Assert.Equal([false, false, true], ticks.Select(t => t[0].Missed));
        Assert.Equal(3, events.Seen.Count(e => e.Name == PlatformEvent.BackupSucceeded));
        Assert.Single(events.Seen, e => e.Name == PlatformEvent.BackupMissed);
        Assert.Equal(2, listed.Count); // keep: 2 of the 3 made
        Assert.Equal([ticks[2][0].Backup, ticks[1][0].Backup], listed.Select(b => b.Id));
        Assert.Equal(4, Directory.GetFiles(offsite).Length); // two archives and their manifests, nothing else
        Assert.All(listed, b => Assert.Equal("1 tables", b.Check));
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Contains("first", production, StringComparison.Ordinal);
        Assert.Contains("second", production, StringComparison.Ordinal);
        Assert.DoesNotContain("only in production", production, StringComparison.Ordinal); // the backup's data, not a merge
        Assert.Equal(ExitCodes.Failed, damaged.ExitCode);
        Assert.Contains($"{listed[1].Id} at offsite is damaged: its SHA-256 is", damaged.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was restored", damaged.Error, StringComparison.Ordinal);
        Assert.Contains("after the restore", untouched, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> EnginesAndStores() => new()
    {
        { "docker", "moto" }, { "podman", "moto" }, { "docker", "s3rver" }, { "podman", "s3rver" },
    };

    [Theory]
    [MemberData(nameof(EnginesAndStores))]
    public async Task A_backup_to_s3_whose_store_is_down_is_reported_the_next_succeeds_and_it_restores_into_a_new_environment(string engine, string store)
    {
        using IS3Store bucketStore = store == "moto" ? await MotoServer.StartAsync("paas-backups") : await S3rverServer.StartAsync("paas-backups");
        await using var world = await EngineWorld.CreateAsync(engine, environment: "staging");
        File.AppendAllText(Path.Combine(world.DataDirectory, PlatformConfig.FileName), $"backups:\n  offsite: {{ kind: s3, bucket: paas-backups, endpoint: \"{bucketStore.Endpoint}\", pathStyle: true, prefix: nightly }}\n");
        var keys = world.PaasWithInput(bucketStore.SecretKey, "backup", "credentials", "offsite", "--access-key-id", bucketStore.AccessKey);
        await StarterAsync(world, "offsite");
        await PostAsync(world, "staging", "kept in s3");

        bucketStore.Stop();
        var down = world.Paas("backup", "run", "db", "--dir", world.AppDirectory, "--env", "staging");
        await bucketStore.StartAsync();
        await bucketStore.CreateBucketAsync("paas-backups"); // the store came back (bucketStore empty, s3rver with its directory)
        var up = world.Paas("backup", "run", "db", "--dir", world.AppDirectory, "--env", "staging", "-o", "json");
        var made = JsonSerializer.Deserialize<BackupManifest>(up.Output, BackupManifest.Json)!;
        using var s3 = bucketStore.Client();
        var stored = (await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "paas-backups" }, Token)).S3Objects.Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        Assert.True(world.Paas("apply", world.AppDirectory, "--env", "production", "--yes").ExitCode == 0);
        var restored = world.Paas("backup", "restore", made.Id, "--to-env", "production", "--yes");
        var production = await NotesAsync(world, "production");
        using var state = StateStore.Open(world.DataDirectory);
        var record = new BackupRecords(state).Last(world.Project, "staging", "db");

        Assert.True(keys.ExitCode == 0, keys.ToString());
        Assert.Equal(ExitCodes.Failed, down.ExitCode);
        Assert.Contains("backup destination offsite (s3 bucket paas-backups) refused", down.Error, StringComparison.Ordinal);
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal([$"nightly/{made.Id}.json", $"nightly/{made.Id}.paasbk"], stored);
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Contains("kept in s3", production, StringComparison.Ordinal);
        Assert.Equal(made.Id, record!.Backup);
        Assert.Null(record.Error);
        foreach (var output in new[] { keys, down, up, restored })
        {
            Assert.DoesNotContain($"{bucketStore.SecretKey}\n", output.Output + output.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>The web-postgres starter with its database backed up to <paramref name="to"/> (and <paramref name="more"/> fields), applied to staging.</summary>
    internal static async Task StarterAsync(EngineWorld world, string to, string more = "")
    {
        using (var output = new StringWriter())
        using (var error = new StringWriter())
        {
            Assert.Equal(0, Gitops.Cli.PaasCli.Run(["init", "--template", "web-postgres", world.AppDirectory, "--name", world.Project], Gitops.Cli.CliConsole.Plain(output, error)));
        }

        var manifest = Path.Combine(world.AppDirectory, "paas.yaml");
        var starter = File.ReadAllText(manifest);
        Assert.Contains("    backup: { schedule: \"0 3 * * *\", keep: 7 }", starter, StringComparison.Ordinal); // the starter backs its database up nightly
        File.WriteAllText(manifest, starter.Replace("    backup: { schedule: \"0 3 * * *\", keep: 7 }", $"    backup: {{ schedule: \"0 3 * * *\", keep: 2, to: {to}{more} }}", StringComparison.Ordinal));
        var applied = world.Paas("apply", world.AppDirectory, "--env", "staging", "--yes");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        await Task.CompletedTask;
    }

    internal static async Task PostAsync(EngineWorld world, string environment, string text)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var posted = await http.PostAsync(new Uri($"http://{await WebAsync(world, environment)}:8080/notes"), new StringContent(text), Token);
        Assert.Equal(System.Net.HttpStatusCode.Created, posted.StatusCode);
    }

    internal static async Task<string> NotesAsync(EngineWorld world, string environment)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri($"http://{await WebAsync(world, environment)}:8080/notes"), Token);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}";
    }

    internal static async Task<string> WebAsync(EngineWorld world, string environment)
    {
        var list = await world.Client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Labels.Project}={world.Project}"] = true, [$"{Labels.Service}=web"] = true, [$"{Labels.Environment}={environment}"] = true } },
        }, Token);
        var inspected = await world.Client.Containers.InspectContainerAsync(list.First().ID, Token);
        return inspected.NetworkSettings!.Networks[Names.Network(world.Project, environment)].IPAddress;
    }

    private static List<BackupManifest> Listed(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement.GetProperty("backups").Deserialize<List<BackupManifest>>(BackupManifest.Json)!;
    }

    /// <summary>One byte changed in the middle: what a failing disk or a careless copy does.</summary>
    internal static byte[] Damaged(byte[] archive)
    {
        archive[archive.Length / 2] ^= 0x5a;
        return archive;
    }

    private sealed class SchedulerWorld : IDisposable
    {
        private readonly StateStore _state;

        private SchedulerWorld(StateStore state, BackupScheduler scheduler) => (_state, Scheduler) = (state, scheduler);

        public BackupScheduler Scheduler { get; }

        public static SchedulerWorld Open(EngineWorld world, TimeProvider clock, IEventSink events)
        {
            var state = StateStore.Open(world.DataDirectory);
            var platform = PlatformConfig.Load(world.DataDirectory);
            var hooks = new ExecutionHooks(clock, CrashHooks.FromEnvironment()) { Events = events };
            var backups = new Backups(state, (_, _) => ProviderRegistry.Default.Connect(platform.Target("local")), new BackupDestinations(platform.Backups, world.DataDirectory, new SecretStore(state)), hooks);
            return new SchedulerWorld(state, new BackupScheduler(state, backups, new RestoreDrills(state, (_, _) => ProviderRegistry.Default.Connect(platform.Target("local")), backups, new SecretStore(state), hooks), hooks));
        }

        public void Dispose() => _state.Dispose();
    }
}
