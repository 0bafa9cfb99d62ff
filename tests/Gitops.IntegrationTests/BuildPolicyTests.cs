namespace Gitops.IntegrationTests;

/// <summary>
/// A build's RUN steps run under policy (README, "Builds"): memory, CPU and pids limits, and a
/// network of the build's own (no route to the default bridge or another project), or none.
/// Each RUN prints what it sees; the assertions read the build log the apply streams.
/// </summary>
public sealed class BuildPolicyTests
{
    private const int Forks = 1100; // more than the build's pids limit (1024)

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_run_step_has_limits_and_an_isolated_network_of_its_own(string engine)
    {
        await using var other = await EngineWorld.CreateAsync(engine);
        other.WriteManifest("services:\n" + other.WebService("web"));
        var otherApplied = other.Apply();
        Assert.True(otherApplied.ExitCode == 0, otherApplied.ToString());
        var otherWeb = (await other.ContainersAsync()).Single().Value.Id;
        var otherAddress = (await other.Client.Containers.InspectContainerAsync(otherWeb)).NetworkSettings!.Networks.Single().Value.IPAddress;
        await using var world = await EngineWorld.CreateAsync(engine);

        var seen = BuildAndRead(world, otherAddress, network: null);

        Assert.Equal("2147483648", seen.Value("memory")); // 2 GiB, no swap beyond it
        Assert.StartsWith("100000", seen.Value("cpu"), StringComparison.Ordinal); // one CPU (quota of a 100 ms period)
        // The pids limit stopped the forks (after it, only builtins run: read and echo need no process).
        Assert.True(int.TryParse(seen.Value("started"), System.Globalization.CultureInfo.InvariantCulture, out var started) && started is > 0 and < 1024, seen.Log);
        // And it still holds in the next RUN step (Podman deletes the cgroup a step ran in).
        Assert.True(int.TryParse(seen.Value("next-step-started"), System.Globalization.CultureInfo.InvariantCulture, out var next) && next is > 0 and < 1024, seen.Log);
        Assert.Equal("unreachable", seen.Value("other-project"));
        Assert.Single(seen.Lines("route"), r => r.StartsWith("default via", StringComparison.Ordinal));
        Assert.Equal(2, seen.Lines("route").Count); // the default route and the build network's own subnet
        Assert.DoesNotContain(seen.Lines("route"), r => r.Contains("172.17.", StringComparison.Ordinal));
        Assert.Single(seen.Lines("addr"), a => !a.StartsWith("lo ", StringComparison.Ordinal));
        if (world.Kind == Gitops.Providers.Docker.EngineKind.Podman)
        {
            // Podman's build API takes a capability set; Docker's classic builder has no such parameter.
            // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID NET_BIND_SERVICE SETFCAP: no SETPCAP, SYS_CHROOT.
            Assert.Equal("00000000800004fb", seen.Value("CapEff"));
        }
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_run_step_of_a_build_with_network_none_has_no_network_at_all(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);

        var seen = BuildAndRead(world, "10.0.0.1", network: "none");

        Assert.Empty(seen.Lines("route"));
        Assert.All(seen.Lines("addr"), a => Assert.StartsWith("lo ", a, StringComparison.Ordinal));
        Assert.Equal("unreachable", seen.Value("other-project"));
    }

    private static RunStepView BuildAndRead(EngineWorld world, string otherAddress, string? network)
    {
        Directory.CreateDirectory(Path.Combine(world.AppDirectory, "web"));
        // The project name makes the step unique, so no engine cache skips running it. Each step ends
        // its forks at once with builtins only (echo, read, kill) and waits for them: while the pids
        // limit is exhausted the engine's own runtime cannot start a process either, and Podman then
        // kills the step; processes left behind would also count against the next step's limit.
        File.WriteAllText(Path.Combine(world.AppDirectory, "web", "Dockerfile"), $$"""
            FROM {{world.Busybox}}
            RUN echo "ran-$((6*7))-{{world.Project}}"; \
                echo "seen memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"; \
                echo "seen cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max)"; \
                echo "seen CapEff=$(sed -n 's/^CapEff:\t//p' /proc/self/status)"; \
                ip -4 route | sed 's/^/seen route: /'; \
                ip -4 -o addr | sed 's/^[0-9]*: /seen addr: /'; \
                (nc -w 2 {{otherAddress}} 8080 </dev/null >/dev/null 2>&1 && echo "seen other-project=reached") || echo "seen other-project=unreachable"; \
                (for i in $(seq {{Forks}}); do sleep 5 & echo $i > /tmp/started; echo $! >> /tmp/forked; done; while read p; do kill $p; done < /tmp/forked; wait) 2>/dev/null; \
                read started < /tmp/started; echo "seen started=$started"; true
            RUN (for i in $(seq {{Forks}}); do sleep 5 & echo $i > /tmp/started; echo $! >> /tmp/forked2; done; while read p; do kill $p; done < /tmp/forked2; wait) 2>/dev/null; \
                read started < /tmp/started; echo "seen next-step-started=$started"; true
            CMD ["httpd", "-f", "-p", "8080", "-h", "/etc"]

            """);
        var networkLine = network is null ? "" : $", network: {network}";
        world.WriteManifest($"services:\n  web:\n    build: {{ context: web{networkLine} }}\n    port: 8080\n    health: {{ path: /hostname, interval: 1s }}\n");
        var applied = world.Apply();
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains($"ran-42-{world.Project}", applied.Output, StringComparison.Ordinal); // the step ran (not a cached layer)
        return new RunStepView(applied.Output);
    }

    private sealed record RunStepView(string Log)
    {
        public List<string> Lines(string key) =>
            Log.Split('\n').Select(l => l.Trim().TrimStart('│', ' ')).Where(l => l.StartsWith($"seen {key}: ", StringComparison.Ordinal)).Select(l => l[($"seen {key}: ".Length)..]).ToList();

        public string Value(string key) =>
            Log.Split('\n').Select(l => l.Trim().TrimStart('│', ' ')).Where(l => l.StartsWith($"seen {key}=", StringComparison.Ordinal)).Select(l => l[($"seen {key}=".Length)..]).FirstOrDefault()
            ?? throw new Xunit.Sdk.XunitException($"the RUN step printed no '{key}':\n{Log}");
    }
}
