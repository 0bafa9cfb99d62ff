using BenchmarkDotNet.Attributes;
using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Gitops.Schema.Model;

namespace Gitops.Benchmarks;

/// <summary>
/// The planner on a large environment: 1,000 services of 2 replicas each. The no-change plan is
/// what every periodic resync computes, so it must stay cheap (target: under 200 ms).
/// </summary>
[MemoryDiagnoser]
public class PlannerBenchmarks
{
    private DesiredState _desired = null!;
    private DesiredState _oneChanged = null!;
    private ObservedState _observed = null!;
    private RecordedState _recorded = null!;

    [Params(1000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _desired = Desired(Services, changed: -1);
        _oneChanged = Desired(Services, changed: Services / 2);
        _observed = new ObservedState(true, ValueList<string>.Empty, new ValueList<ObservedContainer>(_desired.Services.SelectMany(s =>
            Enumerable.Range(1, s.Replicas).Select(i => new ObservedContainer($"id-{s.Name}-{i}", Names.Replica("shop", "prod", s.Name, s.Fingerprint, i), s.Name, s.Fingerprint, i, true)))));
        _recorded = new RecordedState(7, "r1",
            new ValueMap<RecordedService>(_desired.Services.Select(s => KeyValuePair.Create(s.Name, new RecordedService(s.Fingerprint, s.Replicas, s.Spec)))),
            new ValueList<string>(_observed.Containers.Select(c => c.Name)));
    }

    [Benchmark(Baseline = true)]
    public Plan No_change_plan() => Planner.Plan(_desired, _observed, _recorded);

    [Benchmark]
    public Plan One_service_changed() => Planner.Plan(_oneChanged, _observed, _recorded);

    [Benchmark]
    public string Render_no_change_plan() => PlanText.Render(Planner.Plan(_desired, _observed, _recorded));

    private static DesiredState Desired(int count, int changed)
    {
        var services = Enumerable.Range(0, count).Select(i =>
        {
            var spec = new ServiceSpec
            {
                Image = $"registry.example.com/shop/svc-{i}:1.0",
                Env = ValueMap.Of(("LOG_LEVEL", i == changed ? "debug" : "info"), ("INDEX", i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
                Port = 8080,
                MemoryBytes = 128L * 1024 * 1024,
            };
            var dependsOn = i == 0 ? ValueList<string>.Empty : ValueList.Of($"svc-{i - 1:D4}");
            return new DesiredService($"svc-{i:D4}", spec, Fingerprint.Of(spec), 2, DeployStrategy.Rolling, Duration.FromSeconds(30), dependsOn);
        });
        return new DesiredState("shop", "prod", "r2", "paas-shop-prod", ValueList<string>.Empty, new ValueList<DesiredService>(services));
    }
}
