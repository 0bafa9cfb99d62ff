using Gitops.Engine.Desired;
using Gitops.Engine.Observed;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

public sealed class PlannerTests
{
    private const string Services = "services:\n  web: { image: busybox:1.36, port: 8080 }\n  api: { image: busybox:1.36, dependsOn: [web] }\n";

    [Fact]
    public void Same_inputs_in_any_order_give_the_same_plan()
    {
        var before = Scenario.Desired(Services);
        var after = Scenario.Desired(Services.Replace("port: 8080", "port: 8081", StringComparison.Ordinal));
        var observed = Scenario.Running(before);
        var shuffled = observed with { Containers = new ValueList<Observed.ObservedContainer>(observed.Containers.Reverse()) };

        Assert.Equal(Planner.Plan(after, observed, Scenario.Recorded(before)), Planner.Plan(after, shuffled, Scenario.Recorded(before)));
    }

    [Fact]
    public void A_volume_is_made_after_the_network_it_lives_in_never_beside_it()
    {
        // A Kubernetes claim needs its namespace (the environment's network): made side by side, it once failed with "namespaces … not found".
        var desired = Scenario.Desired("services:\n  db: { image: busybox:1.36, volumes: { data: /data } }\n");

        var plan = Planner.Plan(desired, ObservedState.Nothing, RecordedState.Empty);

        var network = plan.Nodes.Single(n => n.Kind == ResourceKind.Network);
        var volume = plan.Nodes.Single(n => n.Kind == ResourceKind.Volume);
        Assert.Equal((PlanAction.Create, PlanAction.Create), (network.Action, volume.Action));
        Assert.Equal([network.Id], volume.DependsOn);
    }

    [Fact]
    public void Replica_count_is_not_part_of_the_fingerprint()
    {
        var one = Scenario.Desired(Services);
        var three = Scenario.Desired(Services.Replace("port: 8080 }", "port: 8080, replicas: 3 }", StringComparison.Ordinal));

        Assert.Equal(one.Service("web")!.Fingerprint, three.Service("web")!.Fingerprint);
        Assert.NotEqual(one.Service("web")!.Fingerprint, Scenario.Desired(Services.Replace("8080", "8081", StringComparison.Ordinal)).Service("web")!.Fingerprint);
    }

    [Fact]
    public void A_network_that_lost_its_walls_is_walled_again_before_anything_else_and_nothing_is_replaced()
    {
        var desired = Scenario.Desired(Services);
        var unwalled = Scenario.Running(desired) with { NetworkWalled = false };

        var plan = Planner.Plan(desired, unwalled, Scenario.Recorded(desired));

        var network = Assert.Single(plan.Nodes, n => n.Kind == ResourceKind.Network);
        Assert.Equal(PlanAction.Update, network.Action);
        Assert.Contains("not walled off", network.Cause, StringComparison.Ordinal);
        Assert.All(plan.Nodes.Where(n => n.Kind == ResourceKind.Service), n => Assert.Equal(PlanAction.NoOp, n.Action)); // the replicas keep running
        Assert.All(plan.Nodes.Where(n => n.Kind == ResourceKind.Service), n => Assert.Contains(network.Id, n.DependsOn));
        Assert.Equal(PlanAction.NoOp, Planner.Plan(desired, Scenario.Running(desired), Scenario.Recorded(desired)).Nodes.Single(n => n.Kind == ResourceKind.Network).Action);
    }

    [Fact]
    public void A_changed_autoscale_allow_from_or_cron_is_an_in_place_update_naming_each_and_starting_nothing()
    {
        var before = Scenario.Desired(Services + "crons:\n  nightly: { service: api, schedule: \"0 3 * * *\" }\n");
        var after = Scenario.Desired(Services.Replace("port: 8080 }", "port: 8080, autoscale: { min: 1, max: 4, cpu: 70 }, allowFrom: [api] }", StringComparison.Ordinal)
            + "crons:\n  nightly: { service: api, schedule: \"0 4 * * *\" }\n");

        var plan = Planner.Plan(after, Scenario.Running(before), Scenario.Recorded(before));

        var web = plan.Nodes.Single(n => n.Id == "service/web");
        var api = plan.Nodes.Single(n => n.Id == "service/api");
        Assert.Equal((PlanAction.Update, "autoscale changed, allowFrom changed"), (web.Action, web.Cause));
        Assert.Equal([new FieldChange("autoscale", null, "1..4 replicas cpu 70%"), new FieldChange("allowFrom", null, "[api]")], web.Changes);
        Assert.Equal((PlanAction.Update, "allowedInto changed, cron nightly changed"), (api.Action, api.Cause)); // api is let in to web now
        Assert.Contains(new FieldChange("allowedInto", null, "[web]"), api.Changes);
        Assert.Empty(web.Start.Concat(api.Start));
        Assert.Equal(before.Service("web")!.Fingerprint, after.Service("web")!.Fingerprint); // no new containers for any of it
        Assert.False(Planner.Plan(after, Scenario.Running(after), Scenario.Recorded(after)).HasChanges);
    }

    [Fact]
    public void On_a_target_that_scales_by_itself_replicas_up_to_the_maximum_are_its_business()
    {
        var desired = Scenario.Desired(Services.Replace("port: 8080 }", "port: 8080, autoscale: { min: 1, max: 3 } }", StringComparison.Ordinal));
        var scaled = WithReplicas(Scenario.Running(desired), desired, 4) with { ScalesItself = true };

        var node = Planner.Plan(desired, scaled, Scenario.Recorded(desired)).Nodes.Single(n => n.Id == "service/web");

        Assert.Equal(PlanAction.Update, node.Action);
        Assert.Equal(["web-4"], node.Remove); // only the one above the maximum
    }

    [Fact]
    public void On_the_container_family_the_autoscalers_count_is_what_runs_and_replicas_above_it_are_drained_away()
    {
        var desired = Scenario.Desired(Services.Replace("port: 8080 }", "port: 8080, autoscale: { min: 1, max: 3 } }", StringComparison.Ordinal));
        var running = WithReplicas(Scenario.Running(desired), desired, 3);
        var atTwo = desired with { Services = new(desired.Services.Select(s => s.Name == "web" ? s with { Replicas = 2 } : s)) };

        var down = Planner.Plan(atTwo, running, Scenario.Recorded(desired)).Nodes.Single(n => n.Id == "service/web");
        var atThree = Planner.Plan(atTwo with { Services = new(atTwo.Services.Select(s => s.Name == "web" ? s with { Replicas = 3 } : s)) }, running, Scenario.Recorded(desired));

        Assert.Equal(PlanAction.Update, down.Action);
        Assert.Equal(["web-3"], down.Remove);
        Assert.Empty(down.Start);
        Assert.Equal("replicas 1 → 2", down.Cause);
        Assert.DoesNotContain(atThree.Nodes, n => n.Id == "service/web" && n.Action != PlanAction.NoOp);
    }

    [Fact]
    public void A_stranger_on_a_door_or_a_client_missing_from_one_is_drift_settled_in_place()
    {
        var desired = Scenario.Desired(Services.Replace("port: 8080 }", "port: 8080, allowFrom: [api] }", StringComparison.Ordinal));
        var running = Scenario.Running(desired);
        var names = running.Containers.ToDictionary(c => c.Service, c => c.Name);
        var door = Names.Door("shop", "dev", "web");

        var clean = Planner.Plan(desired, running with { DoorMembers = Members(door, names["web"], names["api"]) }, Scenario.Recorded(desired));
        var stranger = Planner.Plan(desired, running with { DoorMembers = Members(door, names["web"], names["api"], "someone-else") }, Scenario.Recorded(desired));
        var cutOff = Planner.Plan(desired, running with { DoorMembers = Members(door, names["web"]) }, Scenario.Recorded(desired));

        Assert.False(clean.HasChanges);
        var web = stranger.Nodes.Single(n => n.Id == "service/web");
        Assert.Equal((PlanAction.Update, "changed outside the platform (drift)"), (web.Action, web.Cause));
        Assert.Equal([new FieldChange("who may connect", "also someone-else", "only web and [api]")], web.Changes);
        Assert.Equal((0, 0), (web.Start.Count, web.Remove.Count));
        var api = cutOff.Nodes.Single(n => n.Id == "service/api");
        Assert.Equal([new FieldChange("who may connect", $"{names["api"]} not let in to web", "let in to web")], api.Changes);
        Assert.Equal((0, 0), (api.Start.Count, api.Remove.Count));

        static ValueMap<ValueList<string>> Members(string door, params string[] members) => new([KeyValuePair.Create(door, new ValueList<string>(members))]);
    }

    private static Observed.ObservedState WithReplicas(Observed.ObservedState observed, DesiredState desired, int count)
    {
        var web = desired.Service("web")!;
        return observed with { Containers = new(observed.Containers.Where(c => c.Service != "web").Concat(Enumerable.Range(1, count).Select(i => new Observed.ObservedContainer($"id-web-{i}", $"web-{i}", "web", web.Fingerprint, i, true) { Address = $"10.0.0.{i}" }))) };
    }

    [Fact]
    public void A_plan_removing_every_service_says_so()
    {
        var before = Scenario.Desired(Services);
        var empty = Scenario.Desired("services: {}\n");

        var plan = Planner.Plan(empty, Scenario.Running(before), Scenario.Recorded(before));

        Assert.True(plan.DeletesEverything);
        Assert.False(Planner.Plan(before, Scenario.Running(before), Scenario.Recorded(before)).DeletesEverything);
    }

    [Fact]
    public void Services_apply_after_what_they_depend_on()
    {
        var plan = Planner.Plan(Scenario.Desired(Services), Observed.ObservedState.Nothing, RecordedState.Empty);
        var order = plan.Nodes.Select(n => n.Id).ToList();

        Assert.True(order.IndexOf("service/web") < order.IndexOf("service/api"));
        Assert.Contains("service/web", plan.Nodes.Single(n => n.Id == "service/api").DependsOn);
        Assert.Equal("network/paas_shop_dev", order[0]);
    }

    [Fact]
    public void Saved_plan_round_trips_through_json_with_value_equality()
    {
        var plan = Planner.Plan(Scenario.Desired(Services), Observed.ObservedState.Nothing, RecordedState.Empty);

        var again = StateJson.Read<Plan>(StateJson.Write(plan));

        Assert.Equal(plan, again);
    }
}
