using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>
/// Planner scenarios compared, to the letter, with Plans/*.txt: the text plan people read, then
/// the work the executor will do (<see cref="PlanWork"/>): each node in order with the replica
/// indexes it starts and the containers it removes, named by service, replica and whether they are
/// outdated, so a planner that shifts indexes or removes the wrong version fails. When a change to
/// the output is intended, run the tests with PAAS_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
public sealed class PlannerGoldenTests
{
    private const string Web = "  web:\n    image: registry.example.com/shop/web:1.0\n    port: 8080\n    env: { LOG_LEVEL: info }\n";
    private const string Api = "  api:\n    build: { context: api }\n    port: 9000\n";
    private const string Worker = "  worker:\n    image: registry.example.com/shop/worker:1.0\n    dependsOn: [api]\n";
    private const string Base = "services:\n" + Web + Api + Worker;

    public static TheoryData<string> Names() => new(Scenarios.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, Func<(Plan Plan, ObservedState Observed)>> Scenarios = new()
    {
        ["01-create-from-nothing"] = () =>
            (Scenario.Plan(Scenario.Desired(Base + "  db:\n    image: postgres:16\n    volumes: { data: /var/lib/postgresql/data }\n"), ObservedState.Nothing, RecordedState.Empty), ObservedState.Nothing),
        ["02-no-change"] = () => Unchanged(Base),
        ["03-env-change-replaces"] = () => Changed(Base, Base.Replace("LOG_LEVEL: info", "LOG_LEVEL: debug", StringComparison.Ordinal)),
        ["04-image-change-replaces"] = () => Changed(Base, Base.Replace("web:1.0", "web:1.1", StringComparison.Ordinal)),
        ["05-scale-up"] = () => Changed(Base, Base.Replace("    port: 8080\n", "    port: 8080\n    replicas: 3\n", StringComparison.Ordinal)),
        ["06-scale-down"] = () => Changed(Base.Replace("    port: 8080\n", "    port: 8080\n    replicas: 3\n", StringComparison.Ordinal), Base),
        ["07-container-missing-drift"] = () => Drifted(Base, o => o with { Containers = new(o.Containers.Where(c => c.Service != "api")) }),
        ["08-container-stopped-drift"] = () => Drifted(Base, o => o with { Containers = new(o.Containers.Select(c => c.Service == "web" ? c with { Running = false } : c)) }),
        ["09-prune-removed-service"] = () => Changed(Base, "services:\n" + Web + Api.Replace("api:", "api:", StringComparison.Ordinal)),
        ["10-owned-but-not-in-inventory-is-left-alone"] = () =>
        {
            var before = Scenario.Desired(Base);
            var after = Scenario.Desired("services:\n" + Web + Api);
            var recorded = Scenario.Recorded(before) with { Inventory = ValueList<string>.Empty };
            return (Scenario.Plan(after, Scenario.Running(before), recorded), Scenario.Running(before));
        },
        ["11-recreate-strategy-stops-first"] = () => Changed(
            Base.Replace("LOG_LEVEL: info }\n", "LOG_LEVEL: info }\n    deploy: { strategy: recreate }\n", StringComparison.Ordinal),
            Base.Replace("LOG_LEVEL: info }\n", "LOG_LEVEL: warn }\n    deploy: { strategy: recreate }\n", StringComparison.Ordinal)),
        ["12-volume-added"] = () => Changed(Base, Base.Replace("    port: 9000\n", "    port: 9000\n    volumes: { cache: /var/cache/api }\n", StringComparison.Ordinal)),
        ["13-network-missing-drift"] = () => Drifted(Base, o => o with { NetworkExists = false }),
        ["14-interrupted-replace-finishes"] = () =>
        {
            var before = Scenario.Desired(Base.Replace("    port: 8080\n", "    port: 8080\n    replicas: 2\n", StringComparison.Ordinal));
            var after = Scenario.Desired(Base.Replace("    port: 8080\n", "    port: 8080\n    replicas: 2\n", StringComparison.Ordinal).Replace("web:1.0", "web:2.0", StringComparison.Ordinal));
            var newWeb = after.Service("web")!;
            var observed = Scenario.Running(before);
            observed = observed with
            {
                Containers = new(observed.Containers.Append(new ObservedContainer("id-new", Desired.Names.Replica("shop", "dev", "web", newWeb.Fingerprint, 1), "web", newWeb.Fingerprint, 1, true))),
            };
            return (Scenario.Plan(after, observed, Scenario.Recorded(before)), observed);
        },
        ["15-secret-names-only"] = () => Changed(
            Base.Replace("LOG_LEVEL: info }\n", "LOG_LEVEL: info }\n    secrets: [DATABASE_URL]\n", StringComparison.Ordinal),
            Base.Replace("LOG_LEVEL: info }\n", "LOG_LEVEL: info }\n    secrets: [DATABASE_URL, PAYMENT_KEY]\n", StringComparison.Ordinal)),
        ["16-several-fields-change"] = () => Changed(Base, Base.Replace("    port: 8080\n    env: { LOG_LEVEL: info }\n", "    port: 8081\n    command: [\"./web\", \"--fast\"]\n    env: { LOG_LEVEL: info, TZ: UTC }\n    resources: { cpu: 0.5, memory: 128Mi }\n", StringComparison.Ordinal)),
        ["17-destroy-keeps-volumes"] = () =>
        {
            var desired = Scenario.Desired(Base + "  db:\n    image: postgres:16\n    volumes: { data: /var/lib/postgresql/data }\n");
            return (Planner.Destroy("shop", "dev", Scenario.Running(desired), Scenario.Recorded(desired), volumes: false), Scenario.Running(desired));
        },
        ["18-destroy-with-volumes"] = () =>
        {
            var desired = Scenario.Desired(Base + "  db:\n    image: postgres:16\n    volumes: { data: /var/lib/postgresql/data }\n");
            return (Planner.Destroy("shop", "dev", Scenario.Running(desired), Scenario.Recorded(desired), volumes: true), Scenario.Running(desired));
        },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Plan_text_matches_the_golden_file(string scenario)
    {
        var (plan, observed) = Scenarios[scenario]();
        var text = PlanText.Render(plan) + "\n" + PlanWork.Render(plan, observed);
        var golden = Path.Combine(AppContext.BaseDirectory, "Plans", $"{scenario}.txt");
        if (Environment.GetEnvironmentVariable("PAAS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(RepositoryRoot.Path, "tests", "Gitops.Engine.Tests", "Plans", $"{scenario}.txt"), text);
            return;
        }

        Assert.True(File.Exists(golden), $"no golden file for {scenario}; run with PAAS_UPDATE_GOLDEN=1 to write it");
        Assert.Equal(File.ReadAllText(golden), text);
    }

    private static (Plan, ObservedState) Unchanged(string services)
    {
        var desired = Scenario.Desired(services);
        return (Scenario.Plan(desired, Scenario.Running(desired), Scenario.Recorded(desired)), Scenario.Running(desired));
    }

    private static (Plan, ObservedState) Changed(string before, string after)
    {
        var old = Scenario.Desired(before);
        return (Scenario.Plan(Scenario.Desired(after), Scenario.Running(old), Scenario.Recorded(old)), Scenario.Running(old));
    }

    private static (Plan, ObservedState) Drifted(string services, Func<ObservedState, ObservedState> drift)
    {
        var desired = Scenario.Desired(services);
        var observed = drift(Scenario.Running(desired));
        return (Scenario.Plan(desired, observed, Scenario.Recorded(desired)), observed);
    }
}
