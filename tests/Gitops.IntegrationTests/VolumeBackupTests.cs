using System.Text.Json.Nodes;
using Gitops.Engine.Desired;
using Gitops.Engine.Targets;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>backup:</c> on a service that is no template, on real engines: its volumes are copied with it
/// briefly stopped (the same replica started again, healthy), a file the service's own root may not
/// read included (services drop DAC_OVERRIDE; the copy's helper keeps it, on no network);
/// the copy is drilled in scratch volumes and restored over changed data, owners and modes intact.
/// </summary>
public sealed class VolumeBackupTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_services_volumes_are_copied_with_it_briefly_stopped_drilled_and_restored_over_changed_data_owners_intact(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        DeclareHere(world);
        world.WriteManifest("services:\n" + world.WebService("files", "    volumes: { data: /data }\n    backup: { keep: 2, to: here, verify: true }\n"));
        AssertApplied(world.Apply());
        var replica = (await world.ContainersAsync()).Single();
        await RunAsync(world, replica.Value.Id, "sh", "-c", "echo first > /data/a.txt && mkdir -p /data/private && echo only-999 > /data/private/x && chmod 600 /data/private/x && chown -R 999:999 /data/private");

        var run = world.Paas("backup", "run", "files", "--dir", world.AppDirectory, "--env", world.Environment, "-o", "json");
        var afterBackup = await world.ContainersAsync();
        await RunAsync(world, replica.Value.Id, "sh", "-c", "rm /data/a.txt && echo later > /data/b.txt");
        var made = JsonNode.Parse(run.Output)!;
        var id = made["id"]!.GetValue<string>();
        var restored = world.Paas("backup", "restore", id, "--yes");
        var afterRestore = await world.ContainersAsync();
        var files = await world.ExecOutputAsync(replica.Value.Id, "ls", "/data");
        var first = await world.ExecOutputAsync(replica.Value.Id, "cat", "/data/a.txt");
        var owners = await world.ExecOutputAsync(replica.Value.Id, "stat", "-c", "%u:%g %a", "/data/private", "/data/private/x");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("stopping files for a consistent copy of its volumes (data)", run.Error, StringComparison.Ordinal);
        Assert.Contains("files runs again (1 replica(s) down", run.Error, StringComparison.Ordinal);
        Assert.Equal([replica.Key], afterBackup.Keys); // the same replica started again: nothing replaced, nothing left
        Assert.Equal((replica.Value.Id, true), (afterBackup[replica.Key].Id, afterBackup[replica.Key].Running));
        Assert.Equal("volumes", made["template"]!.GetValue<string>());
        var check = made["check"]!.GetValue<string>();
        Assert.Matches("^[0-9]+ entries, digest [0-9a-f]{16}$", check);
        Assert.True(made["drill"]!["passed"]!.GetValue<bool>(), run.Output);
        Assert.Equal($"restored; check: {check}, as when backed up", made["drill"]!["detail"]!.GetValue<string>());
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Contains("volumes data replaced", restored.Output + restored.Error, StringComparison.Ordinal);
        Assert.Equal([replica.Key], afterRestore.Keys);
        Assert.Equal((replica.Value.Id, true), (afterRestore[replica.Key].Id, afterRestore[replica.Key].Running));
        Assert.Equal(["a.txt", "private"], files.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)); // b.txt, written after the backup, is gone
        Assert.Equal("first", first.Output.Trim());
        Assert.Equal(["999:999 755", "999:999 600"], owners.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain((await world.Client.Volumes.ListAsync(TestContext.Current.CancellationToken)).Volumes, v => v.Name.Contains("drill", StringComparison.Ordinal) && v.Name.Contains(world.Project, StringComparison.Ordinal)); // the drill's scratch volumes went
        Assert.Contains("No changes", world.Plan().Output, StringComparison.Ordinal); // the platform sees what it deployed
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_restore_into_a_service_that_no_longer_mounts_a_backed_up_volume_is_refused_and_stops_nothing(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        DeclareHere(world);
        world.WriteManifest("services:\n" + world.WebService("files", "    volumes: { data: /data, logs: /logs }\n    backup: { keep: 2, to: here }\n") + world.WebService("other", "    volumes: { data: /data }\n    backup: { keep: 2, to: here }\n"));
        AssertApplied(world.Apply());
        var run = world.Paas("backup", "run", "files", "--dir", world.AppDirectory, "--env", world.Environment, "-o", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var id = JsonNode.Parse(run.Output)!["id"]!.GetValue<string>();
        var other = (await world.ContainersAsync()).Single(c => c.Value.Service == "other").Value.Id;
        await RunAsync(world, other, "sh", "-c", "echo mine > /data/mine.txt");

        world.WriteManifest("services:\n" + world.WebService("files", "    volumes: { data: /data }\n    backup: { keep: 2, to: here }\n") + world.WebService("other", "    volumes: { data: /data }\n    backup: { keep: 2, to: here }\n"));
        AssertApplied(world.Apply());
        var narrowed = await world.ContainersAsync();
        var refused = world.Paas("backup", "restore", id, "--yes");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("the backup holds volume(s) logs, which files of", refused.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was restored", refused.Error, StringComparison.Ordinal);
        Assert.Equal(narrowed.Keys.Order(StringComparer.Ordinal), (await world.ContainersAsync()).Keys.Order(StringComparer.Ordinal)); // nothing stopped or replaced
        Assert.All(await world.ContainersAsync(), c => Assert.True(c.Value.Running));
        Assert.Equal("mine", (await world.ExecOutputAsync(other, "cat", "/data/mine.txt")).Output.Trim());
    }

    /// <summary>
    /// Under the server, which reconciles the project from Git every second: the stopped replica is
    /// not repaired as drift nor replaced by the health check while its volumes are copied (the
    /// backup holds the engine between two reconciles), so the same replica runs after it and no
    /// deployment was made.
    /// </summary>
    [Fact]
    public async Task Under_the_server_a_volume_backup_is_never_taken_for_drift_while_the_service_is_stopped()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        DeclareHere(world);
        var git = new GitWorkTree(world.Root);
        git.Write("paas.yaml", $"version: 1\nproject: {world.Project}\nenvironments:\n  dev: {{ branch: dev }}\nservices:\n{world.WebService("files", "    volumes: { data: /data }\n    backup: { schedule: \"0 3 * * *\", keep: 2, to: here }\n")}");
        git.CommitAndPush("files with a volume backup");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(await world.ContainersAsync()).Values.Any(c => c.Service == "files" && c.Running))
        {
            Assert.True(DateTime.UtcNow < deadline, "the server did not deploy files");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        var replica = (await world.ContainersAsync()).Single(c => c.Value.Service == "files");
        await RunAsync(world, replica.Value.Id, "dd", "if=/dev/urandom", "of=/data/big", "bs=1M", "count=48"); // a copy that takes a few polls
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // the server has seen it in sync, health checks passing
        var deployments = server.State.History(world.Project, "dev").Count;

        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromMinutes(3) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.Token);
        using var response = await http.PostAsync($"/api/v1/environments/{world.Project}/dev/services/files/backups", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var events = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // the reconciles and checks held meanwhile have run since

        Assert.Contains("event: result", events, StringComparison.Ordinal);
        Assert.Contains("files runs again", events, StringComparison.Ordinal);
        Assert.Equal([replica.Key], (await world.ContainersAsync()).Where(c => c.Value.Service == "files").Select(c => c.Key));
        Assert.Equal((replica.Value.Id, true), ((await world.ContainersAsync())[replica.Key].Id, (await world.ContainersAsync())[replica.Key].Running)); // the same container
        Assert.Equal(deployments, server.State.History(world.Project, "dev").Count); // no repair, no replacement
    }

    /// <summary>platform.yaml's backup destination <c>here</c>: a directory of the world's.</summary>
    private static void DeclareHere(EngineWorld world) =>
        File.AppendAllText(Path.Combine(world.DataDirectory, PlatformConfig.FileName), $"backups:\n  here: {{ kind: local, path: {Path.Combine(world.Root, "here")} }}\n");

    private static void AssertApplied(CliRun run) => Assert.True(run.ExitCode == 0, run.ToString());

    private static async Task RunAsync(EngineWorld world, string container, params string[] command)
    {
        var (code, output) = await world.ExecOutputAsync(container, command);
        Assert.True(code == 0, $"{string.Join(' ', command)} exited {code}: {output}");
    }
}
