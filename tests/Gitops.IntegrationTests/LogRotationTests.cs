using Gitops.Providers.Docker;

namespace Gitops.IntegrationTests;

/// <summary>
/// The engine's log of every replica (and every cron's job) is capped: a service writing 60 MB to
/// stdout leaves at most 3 files of 10 MB on Docker (a Swarm task too) and one file of at most 10 MB on Podman 4.3
/// (which truncates instead of rotating), and keeps running.
/// </summary>
public sealed class LogRotationTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [InlineData("swarm")] // a task's log driver, set in the service's task template
    public async Task A_chatty_replica_cannot_fill_the_disk_with_its_log(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        world.WriteManifest("services:\n  chatty:\n    image: " + world.Busybox
            + "\n    command: [\"sh\", \"-c\", \"yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | head -c 62914560; touch /tmp/written; sleep 3600\"]\n");
        Assert.Equal(0, world.Apply().ExitCode);
        var chatty = (await world.ContainersAsync()).Single().Value.Id;
        var inspected = await world.Client.Containers.InspectContainerAsync(chatty, TestContext.Current.CancellationToken);
        var directory = Path.GetDirectoryName(inspected.LogPath)!;
        var pattern = Path.GetFileName(inspected.LogPath) + "*";

        // Written within seconds; the engine's logger may lag behind the writer a little.
        long total = 0, largest = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(1000, TestContext.Current.CancellationToken))
        {
            var files = Directory.GetFiles(directory, pattern).Select(f => new FileInfo(f).Length).ToList();
            (total, largest) = (files.Sum(), files.Max());
            if (await world.ExecAsync(chatty, "test", "-f", "/tmp/written") == 0)
            {
                await Task.Delay(1000, TestContext.Current.CancellationToken); // the engine's logger catches up
                var final = Directory.GetFiles(directory, pattern).Select(f => new FileInfo(f).Length).ToList();
                (total, largest) = (final.Sum(), final.Max());
                break; // the 60 MB are written
            }
        }

        Assert.Equal("json-file", inspected.HostConfig!.LogConfig!.Type);
        if (engine != "podman")
        {
            Assert.Equal(ContainerRequest.LogFileSize, inspected.HostConfig.LogConfig.Config!["max-size"]); // Podman reports its size elsewhere (LogConfig.Size) and no options
        }

        Assert.True(largest <= 10 * MiB + (MiB / 2), $"a log file of {largest / MiB} MiB on {engine}");
        Assert.True(total <= 30 * MiB + (2 * MiB), $"{total / MiB} MiB of logs on {engine} for 60 MiB written");
        Assert.True(total >= MiB, $"only {total} bytes of logs: the test wrote nothing?");
        if (engine != "podman")
        {
            Assert.True(total > 10 * MiB && Directory.GetFiles(directory, pattern).Length >= 2, $"{total / MiB} MiB: Docker rotates, so more than one file of the 60 MiB stays"); // Podman truncates its one file
        }
        Assert.True((await world.Client.Containers.InspectContainerAsync(chatty, TestContext.Current.CancellationToken)).State!.Running);
    }
}
