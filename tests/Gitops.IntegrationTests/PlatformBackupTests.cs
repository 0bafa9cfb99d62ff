namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas admin backup</c> and <c>restore</c> on a real engine: the platform's state backed up, the
/// data directory wiped, the master key put back, the state restored; then the same environments
/// (status equal), the same secrets, an audit log that verifies, and an apply that finds nothing to
/// change. Refused: a restore without the key, over a state, or of a damaged archive.
/// </summary>
public sealed class PlatformBackupTests
{
    [Fact]
    public async Task A_platform_backup_restored_into_a_wiped_data_directory_brings_back_the_same_environments_and_an_intact_audit_log()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest("services:\n" + world.WebService("web", "    secrets: [API_KEY]\n"));
        Assert.Equal(0, world.PaasWithInput("s3cret-canary", "secrets", "set", world.Project, "API_KEY", "--env", world.Environment).ExitCode);
        Assert.Equal(0, world.Apply().ExitCode);
        var kept = Path.Combine(world.Root, "kept");
        var status = world.Paas("status", world.AppDirectory, "--env", world.Environment, "-o", "json").Output;
        var secrets = world.Paas("secrets", "list", world.Project).Output;

        var backup = world.Paas("admin", "backup", "--path", kept, "-o", "json");
        var id = System.Text.Json.JsonDocument.Parse(backup.Output).RootElement.GetProperty("id").GetString()!;
        var key = File.ReadAllBytes(Path.Combine(world.DataDirectory, "master.key"));
        var overState = world.Paas("admin", "restore", id, "--path", kept);
        foreach (var entry in Directory.EnumerateFileSystemEntries(world.DataDirectory))
        {
            if (Directory.Exists(entry)) { Directory.Delete(entry, recursive: true); } else { File.Delete(entry); }
        }

        var withoutKey = world.Paas("admin", "restore", id, "--path", kept);
        File.WriteAllBytes(Path.Combine(world.DataDirectory, "master.key"), key);
        File.SetUnixFileMode(Path.Combine(world.DataDirectory, "master.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var restored = world.Paas("admin", "restore", id, "--path", kept);

        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.Contains("keep a copy of", backup.Error, StringComparison.Ordinal);
        Assert.Contains("master.key apart from this backup", backup.Error, StringComparison.Ordinal);
        Assert.Equal(1, overState.ExitCode);
        Assert.Contains("holds a state already", overState.Error, StringComparison.Ordinal);
        Assert.Equal(1, withoutKey.ExitCode);
        Assert.Contains("put the platform's master key at", withoutKey.Error, StringComparison.Ordinal);
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(status, world.Paas("status", world.AppDirectory, "--env", world.Environment, "-o", "json").Output);
        Assert.Equal(secrets, world.Paas("secrets", "list", world.Project).Output);
        Assert.Equal(0, world.Paas("audit", "verify").ExitCode);
        Assert.Contains("No changes", world.Plan().Output, StringComparison.Ordinal); // the state knows what runs
        foreach (var file in Directory.EnumerateFiles(kept))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf("s3cret-canary"u8) < 0, $"{file} holds the secret in clear");
        }
    }

    [Fact]
    public async Task The_server_backs_its_state_up_on_schedule_while_writing_to_it_keeps_keep_and_the_newest_restores_the_same_environments()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest("services:\n" + world.WebService("web", "    secrets: [API_KEY]\n"));
        Assert.Equal(0, world.PaasWithInput("s3cret-canary", "secrets", "set", world.Project, "API_KEY", "--env", world.Environment).ExitCode);
        Assert.Equal(0, world.Apply().ExitCode);
        var here = Path.Combine(world.Root, "here");
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName), $"backups:\n  here: {{ kind: local, path: {here} }}\nplatformBackup: {{ schedule: \"30 2 * * *\", keep: 2, to: here }}\n");
        var status = world.Paas("status", world.AppDirectory, "--env", world.Environment, "-o", "json").Output;

        // The state held open as the server holds it, written to by another task all along (as a server's loops do).
        var clock = new TestClock(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));
        var events = new RecordedEvents();
        var ticks = new List<Gitops.Engine.Backups.ScheduledBackup?>();
        using (var state = Gitops.Engine.State.StateStore.Open(world.DataDirectory))
        {
            var platform = Gitops.Engine.Targets.PlatformConfig.Load(world.DataDirectory);
            var hooks = new Gitops.Engine.Execution.ExecutionHooks(clock, Gitops.Engine.Execution.CrashHooks.FromEnvironment()) { Events = events };
            var scheduler = new Gitops.Engine.Backups.PlatformBackupScheduler(state, new Gitops.Engine.Backups.BackupDestinations(platform.Backups, world.DataDirectory, null), platform.PlatformBackup, hooks);
            using var stop = new CancellationTokenSource();
            var writes = 0;
            var writer = Task.Run(async () =>
            {
                var records = new Gitops.Engine.Reconcile.EnvironmentRecords(state);
                while (!stop.IsCancellationRequested)
                {
                    records.Synced("busy", "dev", new Gitops.Engine.Reconcile.SyncRecord(Gitops.Engine.Reconcile.ReconcileOutcome.InSync, $"write {Interlocked.Increment(ref writes)}", "abc", "local", DateTimeOffset.UtcNow));
                    await Task.Delay(1);
                }
            });
            // Each backup starts only once the writer has written again, so writes and copies interleave
            // however loaded the machine is (a count of writes per second would measure the machine).
            async Task WriterMovedOnAsync()
            {
                var seen = Volatile.Read(ref writes);
                var until = DateTime.UtcNow.AddSeconds(30);
                while (Volatile.Read(ref writes) == seen && DateTime.UtcNow < until) { await Task.Delay(5, TestContext.Current.CancellationToken); }
                Assert.True(Volatile.Read(ref writes) > seen, "the writer stopped writing to the state");
            }

            await WriterMovedOnAsync();
            ticks.Add(await scheduler.TickAsync(TestContext.Current.CancellationToken)); // the first look only starts the schedule
            for (var day = 0; day < 3; day++)
            {
                clock.Now = new DateTimeOffset(2026, 12, 3 + day, 2, 30, 10, TimeSpan.Zero);
                await WriterMovedOnAsync();
                ticks.Add(await scheduler.TickAsync(TestContext.Current.CancellationToken));
                ticks.Add(await scheduler.TickAsync(TestContext.Current.CancellationToken)); // once per due time
            }

            await WriterMovedOnAsync();
            await stop.CancelAsync();
            await writer;
        }

        var made = ticks.Where(t => t is not null).Select(t => t!).ToList();
        var fresh = Directory.CreateDirectory(Path.Combine(world.Root, "fresh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        File.Copy(Path.Combine(world.DataDirectory, "master.key"), Path.Combine(fresh, "master.key"));
        var restored = Run("admin", "restore", made[^1].Backup!, "--path", here, "--data-dir", fresh);

        Assert.Equal(3, made.Count);
        Assert.All(made, t => Assert.Null(t.Error));
        Assert.Equal(3, events.Seen.Count(e => e.Name == Gitops.Engine.Events.PlatformEvent.BackupSucceeded && e.Project == "@platform"));
        Assert.Equal([$"{made[1].Backup}.json", $"{made[1].Backup}.paasbk", $"{made[2].Backup}.json", $"{made[2].Backup}.paasbk"], Directory.GetFiles(here).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(status, Run("status", world.AppDirectory, "--env", world.Environment, "-o", "json", "--data-dir", fresh).Output);
        Assert.Equal(0, Run("audit", "verify", "--data-dir", fresh).ExitCode);
        Assert.Equal(world.Paas("secrets", "list", world.Project).Output, Run("secrets", "list", world.Project, "--data-dir", fresh).Output);
        using var copy = Gitops.Engine.State.StateStore.Open(fresh);
        Assert.StartsWith("write ", new Gitops.Engine.Reconcile.EnvironmentRecords(copy).LastSync("busy", "dev")!.Detail, StringComparison.Ordinal); // taken while it was being written
    }

    /// <summary>
    /// While the server runs it holds the state, so <c>paas admin backup</c> asks it: a platform
    /// administrator gets the copy (progress, id, the master-key warning) at a destination of
    /// platform.yaml, which restores into a fresh directory; a project's deployer is refused with
    /// nothing written, and <c>--path</c> (a directory of the caller's machine) is refused by name.
    /// </summary>
    [Fact]
    public async Task Through_the_server_a_platform_administrator_backs_its_state_up_while_it_runs_and_a_deployer_cannot()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest("services:\n" + world.WebService("web"));
        Assert.Equal(0, world.Apply().ExitCode);
        var here = Path.Combine(world.Root, "here");
        File.AppendAllText(Path.Combine(world.DataDirectory, Gitops.Engine.Targets.PlatformConfig.FileName), $"backups:\n  here: {{ kind: local, path: {here} }}\n");
        var status = world.Paas("status", world.AppDirectory, "--env", world.Environment, "-o", "json").Output;
        string deployerToken;
        using (var state = Gitops.Engine.State.StateStore.Open(world.DataDirectory))
        {
            var people = new Gitops.Engine.Access.People(state);
            people.AddUser("ops", UiTests.Password);
            people.GrantRole(new Gitops.Engine.Access.Grant("ops", Gitops.Engine.Access.Role.Deployer, Gitops.Engine.Access.Scope.Project(world.Project)));
            deployerToken = new Gitops.Engine.Access.Tokens(state).Create("ops", "test", Gitops.Engine.Access.Role.Deployer, TimeSpan.FromDays(1)).Secret;
        }

        CliRun made, viaPath;
        System.Net.HttpStatusCode deployerGot;
        await using (var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1)))
        {
            Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
            viaPath = world.Paas("admin", "backup", "--path", here);
            made = world.Paas("admin", "backup", "--to", "here", "-o", "json");
            using var deployer = new HttpClient { BaseAddress = new Uri(server.Url) };
            deployer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", deployerToken);
            using var response = await deployer.PostAsync("/api/v1/admin/backups?to=here", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            deployerGot = response.StatusCode;
        }

        Assert.True(made.ExitCode == 0, made.ToString());
        var id = System.Text.Json.JsonDocument.Parse(made.Output).RootElement.GetProperty("id").GetString()!;
        var fresh = Directory.CreateDirectory(Path.Combine(world.Root, "fresh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        File.Copy(Path.Combine(world.DataDirectory, "master.key"), Path.Combine(fresh, "master.key"));
        var restored = Run("admin", "restore", id, "--path", here, "--data-dir", fresh);

        Assert.Equal(2, viaPath.ExitCode);
        Assert.Contains("--path names a directory on this machine", viaPath.Error, StringComparison.Ordinal);
        Assert.Contains("state.db (", made.Error + made.Output, StringComparison.Ordinal); // the server's progress, as it came
        Assert.Contains("master.key (in its data directory) apart from this backup", made.Error, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, deployerGot);
        Assert.Equal([$"{id}.json", $"{id}.paasbk"], Directory.GetFiles(here).Select(Path.GetFileName).Order(StringComparer.Ordinal)); // the deployer's call wrote nothing
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(status, Run("status", world.AppDirectory, "--env", world.Environment, "-o", "json", "--data-dir", fresh).Output);
        Assert.Equal(0, Run("audit", "verify", "--data-dir", fresh).ExitCode);
    }

    /// <summary>paas with its own --data-dir (EngineWorld.Paas adds the world's).</summary>
    private static CliRun Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Gitops.Cli.PaasCli.Run(args, Gitops.Cli.CliConsole.Plain(output, error));
        return JsonOutputCheck.Checked(args, new CliRun(code, output.ToString(), error.ToString()));
    }

    [Fact]
    public async Task A_damaged_platform_backup_is_refused_and_restores_nothing()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest("services:\n" + world.WebService("web"));
        Assert.Equal(0, world.Apply().ExitCode);
        var kept = Path.Combine(world.Root, "kept");
        var backup = world.Paas("admin", "backup", "--path", kept, "-o", "json");
        var id = System.Text.Json.JsonDocument.Parse(backup.Output).RootElement.GetProperty("id").GetString()!;
        var archive = Path.Combine(kept, $"{id}.paasbk");
        var bytes = File.ReadAllBytes(archive);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(archive, bytes);
        var fresh = Directory.CreateDirectory(Path.Combine(world.Root, "fresh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        File.Copy(Path.Combine(world.DataDirectory, "master.key"), Path.Combine(fresh, "master.key"));

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Gitops.Cli.PaasCli.Run(["admin", "restore", id, "--path", kept, "--data-dir", fresh], Gitops.Cli.CliConsole.Plain(output, error));
        var refused = new CliRun(code, output.ToString(), error.ToString());

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("is damaged: its SHA-256 is", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fresh, "state.db")));
        Assert.False(File.Exists(Path.Combine(fresh, "platform.yaml")));
        await Task.CompletedTask;
    }
}
