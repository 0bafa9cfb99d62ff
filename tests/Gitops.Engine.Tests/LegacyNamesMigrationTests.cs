using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

/// <summary>
/// An environment deployed before names were unambiguous is found by its labels and converged by
/// the normal plan: containers move to the new network, the old network goes, the volume (its data)
/// is kept under its old name.
/// </summary>
public sealed class LegacyNamesMigrationTests
{
    private const string Services = "services:\n  web: { image: busybox:1.36, volumes: { data: /data } }\n  api: { image: busybox:1.36 }\n";

    [Fact]
    public void Old_named_environment_is_adopted_by_labels_keeping_its_volume()
    {
        var legacyVolume = Names.Legacy.Volume("shop", "dev", "data");
        var observed = new ObservedState(
            false,
            ValueList.Of(legacyVolume),
            new ValueList<ObservedContainer>([
                new ObservedContainer("id-api", "paas-shop-dev-api-aaaaaaaa-1", "api", Compile(Services, [legacyVolume]).Service("api")!.Fingerprint, 1, true) { OnNetwork = false },
                new ObservedContainer("id-web", "paas-shop-dev-web-bbbbbbbb-1", "web", Compile(Services, [legacyVolume]).Service("web")!.Fingerprint, 1, true) { OnNetwork = false },
            ]))
        {
            OtherNetworks = ValueList.Of(Names.Legacy.Network("shop", "dev")),
        };
        var desired = Compile(Services, observed.Volumes);
        var recorded = new RecordedState(3, "rev-1", new ValueMap<RecordedService>(desired.Services.Select(s => KeyValuePair.Create(s.Name, new RecordedService(s.Fingerprint, s.Replicas, s.Spec)))), ValueList<string>.Empty);

        var plan = Planner.Plan(desired, observed, recorded);

        Assert.Equal("/data", desired.Service("web")!.Spec.Mounts[legacyVolume]);
        var nodes = plan.Nodes.ToDictionary(n => n.Id);
        Assert.Equal(PlanAction.Create, nodes["network/paas_shop_dev"].Action);
        Assert.Equal(PlanAction.NoOp, nodes[$"volume/{legacyVolume}"].Action);
        foreach (var service in new[] { "api", "web" })
        {
            var node = nodes[$"service/{service}"];
            Assert.Equal(PlanAction.Replace, node.Action);
            Assert.Equal("moves to network paas_shop_dev", node.Cause);
            Assert.Equal([1], node.Start);
            Assert.Equal([observed.Containers.Single(c => c.Service == service).Name], node.Remove);
        }

        var old = nodes["network/paas-shop-dev"];
        Assert.Equal(PlanAction.Delete, old.Action);
        Assert.Equal(["service/api", "service/web"], old.DependsOn.Order(StringComparer.Ordinal));
        Assert.True(plan.Nodes.ToList().IndexOf(old) > plan.Nodes.ToList().IndexOf(nodes["service/web"]));
    }

    [Fact]
    public void A_volume_under_the_new_name_wins_over_an_old_one()
    {
        var desired = Compile(Services, [Names.Legacy.Volume("shop", "dev", "data"), Names.Volume("shop", "dev", "data")]);

        Assert.Equal([Names.Volume("shop", "dev", "data")], desired.Volumes);
    }

    [Fact]
    public void Only_the_environments_own_old_names_are_kept()
    {
        // Another environment's old volume name can be in the list only if its labels were this environment's; a name it does not declare is ignored.
        var desired = Compile(Services, [Names.Legacy.Volume("shop", "dev", "other")]);

        Assert.Equal([Names.Volume("shop", "dev", "data")], desired.Volumes);
    }

    [Fact]
    public void Destroy_removes_the_old_network_too()
    {
        var observed = ObservedState.Nothing with { OtherNetworks = ValueList.Of("paas-shop-dev") };

        var plan = Planner.Destroy("shop", "dev", observed, RecordedState.Empty, volumes: false);

        Assert.Contains(plan.Nodes, n => n.Id == "network/paas-shop-dev" && n.Action == PlanAction.Delete);
    }

    private static DesiredState Compile(string services, IReadOnlyCollection<string> owned)
    {
        var manifest = ManifestLoader.LoadText(Scenario.Header + services, "paas.yaml").ForEnvironment("dev");
        var compiled = Compiler.Compile(manifest, "dev", "rev-2", new CompileInputs(new Dictionary<string, string>(), new Dictionary<string, string>()) { OwnedVolumes = owned });
        Assert.Empty(compiled.Errors);
        return compiled.State!;
    }
}
