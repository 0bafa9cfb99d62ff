using Gitops.Engine.Desired;
using Gitops.Engine.Ingress;
using Gitops.Engine.Observed;
using Gitops.Engine.Scaling;
using Gitops.Engine.Targets;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>
/// The autoscaler's pure parts: what a reading asks for, how a stream of them becomes changes that do
/// not flap, and how the count it chose survives compiles. Its real run (Docker, Caddy, load) is in
/// the integration tests.
/// </summary>
public sealed class AutoscalerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly AutoscalerConfig Quick = new() { Interval = Duration.FromSeconds(1), ScaleDownWindow = Duration.FromSeconds(10), Cooldown = Duration.FromSeconds(3) };

    [Fact]
    public void Requests_over_the_target_per_replica_ask_for_the_count_that_brings_each_to_the_target_within_the_bounds()
    {
        var spec = new Autoscale { Min = 1, Max = 5, Rps = 20 };

        Assert.Equal(3, Recommendation.For(spec, new ServiceLoad("web", 1) { RequestsPerSecond = 55 }).Replicas);
        Assert.Equal(5, Recommendation.For(spec, new ServiceLoad("web", 2) { RequestsPerSecond = 400 }).Replicas); // capped at max
        Assert.Equal(1, Recommendation.For(spec, new ServiceLoad("web", 3) { RequestsPerSecond = 0 }).Replicas); // no traffic: min
        Assert.Equal(2, Recommendation.For(spec, new ServiceLoad("web", 2) { RequestsPerSecond = 43 }).Replicas); // 21.5 each: within 10 %, no change
        Assert.Contains("55 req/s, 55 per replica, target 20", Recommendation.For(spec, new ServiceLoad("web", 1) { RequestsPerSecond = 55 }).Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Cpu_memory_and_latency_each_vote_and_the_one_asking_for_most_decides()
    {
        var spec = new Autoscale { Min = 1, Max = 10, Cpu = 50, Memory = 80, P95Ms = 200 };
        var load = new ServiceLoad("web", 2) { CpuPercent = 90, MemoryPercent = 20, P95Ms = 150 };

        var recommendation = Recommendation.For(spec, load);

        Assert.Equal(4, recommendation.Replicas); // cpu: 2 × 90/50 = 3.6 → 4; memory says 1; latency holds at 2
        Assert.StartsWith("cpu 90%", recommendation.Why, StringComparison.Ordinal);
        Assert.Equal(4, Recommendation.For(spec, load with { CpuPercent = 10, P95Ms = 900 }).Replicas); // latency over its target: at most doubling
        Assert.Equal(1, Recommendation.For(spec, load with { CpuPercent = 10, P95Ms = 50 }).Replicas); // everything low: in
    }

    [Fact]
    public void Without_a_named_metric_the_target_is_eighty_percent_cpu_and_without_readings_the_count_holds()
    {
        var spec = new Autoscale { Min = 1, Max = 4 };

        Assert.Equal(2, Recommendation.For(spec, new ServiceLoad("web", 1) { CpuPercent = 160 }).Replicas);
        var none = Recommendation.For(spec, new ServiceLoad("web", 3));
        Assert.Equal((3, "no readings yet: holding"), (none.Replicas, none.Why));
    }

    [Fact]
    public void Scaling_up_is_immediate_at_most_doubling_then_waits_for_the_cooldown()
    {
        var decider = new ScaleDecider(Quick);

        var first = decider.Decide("shop/dev/web", "web", 1, new Recommendation(5, "busy"), T0).Decision;
        var soon = decider.Decide("shop/dev/web", "web", 2, new Recommendation(5, "busy"), T0.AddSeconds(1));
        var later = decider.Decide("shop/dev/web", "web", 2, new Recommendation(5, "busy"), T0.AddSeconds(3)).Decision;

        Assert.Equal((1, 2, "up"), (first!.From, first.To, first.Direction));
        Assert.Null(soon.Decision);
        Assert.Contains("cooling down until 12:00:03", soon.Note, StringComparison.Ordinal);
        Assert.Equal(4, later!.To);
    }

    [Fact]
    public void Scaling_down_waits_a_whole_window_and_goes_to_the_most_any_reading_in_it_asked_for()
    {
        var decider = new ScaleDecider(Quick);
        var at = (int seconds) => T0.AddSeconds(seconds);

        Assert.Null(decider.Decide("k", "web", 3, new Recommendation(1, "idle"), at(0)).Decision); // a window not yet watched
        Assert.Null(decider.Decide("k", "web", 3, new Recommendation(2, "some"), at(5)).Decision);
        var (tooEarly, note) = decider.Decide("k", "web", 3, new Recommendation(1, "idle"), at(9));
        var down = decider.Decide("k", "web", 3, new Recommendation(1, "idle"), at(10)).Decision;
        var after = decider.Decide("k", "web", 2, new Recommendation(1, "idle"), at(16)).Decision;

        Assert.Null(tooEarly);
        Assert.Contains("scaling down after 12:00:10", note, StringComparison.Ordinal);
        Assert.Equal((3, 2), (down!.From, down.To)); // the reading at 5 s asked for 2
        Assert.Equal((2, 1), (after!.From, after.To)); // that reading has left the window
        Assert.Contains("for 10 s", after.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reading_that_asks_for_more_within_the_window_keeps_the_count_from_flapping_down()
    {
        var decider = new ScaleDecider(Quick);
        for (var second = 0; second <= 30; second++)
        {
            // Load that comes and goes every other second: never a whole window of quiet.
            var (decision, _) = decider.Decide("k", "web", 3, new Recommendation(second % 2 == 0 ? 1 : 3, "bursty"), T0.AddSeconds(second));
            Assert.Null(decision);
        }
    }

    [Fact]
    public void A_change_that_failed_is_not_tried_again_before_the_cooldown()
    {
        var decider = new ScaleDecider(Quick);
        Assert.NotNull(decider.Decide("k", "web", 1, new Recommendation(2, "busy"), T0).Decision);
        decider.Failed("k", T0.AddSeconds(2));

        Assert.Null(decider.Decide("k", "web", 1, new Recommendation(2, "busy"), T0.AddSeconds(4)).Decision);
        Assert.NotNull(decider.Decide("k", "web", 1, new Recommendation(2, "busy"), T0.AddSeconds(5)).Decision);
    }

    [Fact]
    public void A_commit_keeps_the_count_the_autoscaler_chose_within_the_bounds_it_declares_now()
    {
        var manifest = "services:\n  web: { image: busybox:1.36, autoscale: { min: 2, max: 5 } }\n  db: { image: busybox:1.36, replicas: 1 }\n";
        var scaled = new Dictionary<string, int> { ["web"] = 4, ["db"] = 3 };

        Assert.Equal(4, ScaleRecords.WithReplicas(Compile(manifest), scaled).Service("web")!.Replicas);
        Assert.Equal(1, ScaleRecords.WithReplicas(Compile(manifest), scaled).Service("db")!.Replicas); // not autoscaled: the manifest's count
        Assert.Equal(3, ScaleRecords.WithReplicas(Compile(manifest.Replace("max: 5", "max: 3", StringComparison.Ordinal)), scaled).Service("web")!.Replicas);
        Assert.Equal(2, ScaleRecords.WithReplicas(Compile(manifest), new Dictionary<string, int>()).Service("web")!.Replicas);
    }

    [Fact]
    public void The_load_meter_turns_two_cpu_time_readings_into_percent_of_the_limit_and_counts_the_routes_requests()
    {
        var desired = Compile("services:\n  web: { image: busybox:1.36, port: 80, public: true, resources: { cpu: 500m, memory: 100Mi }, autoscale: { min: 1, max: 3, cpu: 50, rps: 10 } }\n", "localhost");
        var web = desired.Service("web")!;
        var meter = new LoadMeter();
        var host = desired.RouteOf("web")!.Domains[0];
        var traffic = new TrafficSample(TimeSpan.FromSeconds(2), new Dictionary<string, HostTraffic> { [host] = Traffic(30, 5f) });

        var first = meter.Measure(desired, web, [Usage(TimeSpan.FromSeconds(10), T0)], traffic);
        var second = meter.Measure(desired, web, [Usage(TimeSpan.FromSeconds(10.25), T0.AddSeconds(1))], traffic);

        Assert.Null(first.CpuPercent); // one reading of a counter is no rate
        Assert.Equal(50, second.CpuPercent!.Value, 3); // 0.25 s of CPU in 1 s, against half a CPU
        Assert.Equal(25, second.MemoryPercent!.Value, 3);
        Assert.Equal((15, 5), (second.RequestsPerSecond, second.P95Ms));
    }

    [Fact]
    public void Only_services_scaling_on_cpu_or_memory_are_read_from_the_engine()
    {
        Assert.True(Recommendation.ReadsUsage(new Autoscale { Min = 1, Max = 2 })); // 80 % CPU by default
        Assert.True(Recommendation.ReadsUsage(new Autoscale { Min = 1, Max = 2, Memory = 70, Rps = 5 }));
        Assert.False(Recommendation.ReadsUsage(new Autoscale { Min = 1, Max = 2, Rps = 5, P95Ms = 100 }));
    }

    [Fact]
    public void The_autoscaler_reads_a_platform_yaml_section_and_refuses_an_interval_under_a_second_with_its_place()
    {
        var config = PlatformConfig.Parse("autoscaler: { interval: 2s, scaleDownWindow: 1m, cooldown: 10s }\n", "platform.yaml", ProviderRegistry.Default);
        var defaults = PlatformConfig.Parse("allowFileUrls: false\n", "platform.yaml", ProviderRegistry.Default);
        var refused = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse("autoscaler:\n  interval: 200ms\n", "platform.yaml", ProviderRegistry.Default));

        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)), (config.Autoscaler.Interval.Value, config.Autoscaler.ScaleDownWindow.Value, config.Autoscaler.Cooldown.Value));
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5)), (defaults.Autoscaler.Interval.Value, defaults.Autoscaler.ScaleDownWindow.Value));
        Assert.Contains("platform.yaml:2:13", refused.Message, StringComparison.Ordinal);
        Assert.Contains("autoscaler.interval must be at least 1s", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_says_the_bounds_the_last_change_and_the_last_reading_or_that_no_server_measures()
    {
        var spec = new Autoscale { Min = 1, Max = 3, Rps = 20 };
        var measured = ScaleStatus.Of(spec, new ScaledTo(3, "up from 1: 55 req/s, 55 per replica, target 20", T0), new ScaleReading("61 req/s, p95 3 ms", "holding", T0.AddSeconds(9)));

        Assert.Equal("autoscale 1..3 on 20 req/s per replica; 3 since 12:00:00 (up from 1: 55 req/s, 55 per replica, target 20); read 12:00:09: 61 req/s, p95 3 ms: holding", measured.Describe());
        Assert.EndsWith("not measured yet: the server's autoscaler reads it every interval (nothing does without paas server)", ScaleStatus.Of(spec, null, null).Describe(), StringComparison.Ordinal);
    }

    private static DesiredState Compile(string services, string? baseDomain = null)
    {
        var loaded = Schema.Loading.ManifestLoader.LoadText(Scenario.Header + services, "paas.yaml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var compiled = Compiler.Compile(loaded.ForEnvironment("dev"), "dev", "rev", new CompileInputs(new Dictionary<string, string>(), new Dictionary<string, string>()) { BaseDomain = baseDomain });
        return compiled.State!;
    }

    private static ReplicaUsage Usage(TimeSpan cpu, DateTimeOffset at) => new("shop-dev-web-1", "web", 1, cpu, 25L * 1024 * 1024, at);

    private static HostTraffic Traffic(int requests, float milliseconds)
    {
        var traffic = new HostTraffic { Requests = requests };
        traffic.DurationsMs.AddRange(Enumerable.Repeat(milliseconds, requests));
        return traffic;
    }
}
