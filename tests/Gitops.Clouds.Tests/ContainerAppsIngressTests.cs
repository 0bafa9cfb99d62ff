using System.Text.Json.Nodes;
using Gitops.Providers.Azure;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Who can reach a container app, through <c>paas apply</c> on the FAKE Azure Resource Manager: a public
/// service's ingress is external, a private one's internal to the managed environment (also when someone
/// opened it in the portal), a worker without a port has none; a change made in the portal (an image, a
/// variable, the replica count) is planned as drift and put back; a service removed from the manifest is
/// pruned.
/// </summary>
public sealed class ContainerAppsIngressTests
{
    private const string Web = "  web:\n    image: paasfake.azurecr.io/shop/web:1\n    port: 8080\n    env: { GREETING: hello }\n";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_public_service_has_external_ingress_and_made_private_its_ingress_is_internal()
    {
        await using var world = await ContainerAppsWorld.StartAsync(Token);
        var project = $"p{Guid.NewGuid():N}"[..12];
        var name = ContainerAppsNames.App(project, ContainerAppsWorld.Environment, "web");
        world.WriteManifest(project, Web + "    public: true\n");

        world.Apply().Succeeded();
        var open = Ingress(world, name);
        var status = world.Paas("status", world.AppDirectory, "--env", ContainerAppsWorld.Environment).Succeeded();
        world.WriteManifest(project, Web);
        world.Apply().Succeeded();
        var closed = Ingress(world, name);

        Assert.Equal((true, 8080), ((bool)open["external"]!, (int)open["targetPort"]!));
        Assert.Equal("""[{"weight":100,"latestRevision":true}]""", open["traffic"]!.ToJsonString());
        Assert.Contains($"https://{name}.fakeenv-1a2b3c.westeurope.azurecontainerapps.io/", status.Output, StringComparison.Ordinal);
        Assert.Equal((false, 8080), ((bool)closed["external"]!, (int)closed["targetPort"]!));
    }

    [Fact]
    public async Task External_ingress_opened_on_a_private_service_in_the_portal_is_closed_by_the_next_apply_and_a_worker_has_no_ingress()
    {
        await using var world = await ContainerAppsWorld.StartAsync(Token);
        var project = $"p{Guid.NewGuid():N}"[..12];
        var name = ContainerAppsNames.App(project, ContainerAppsWorld.Environment, "web");
        var worker = ContainerAppsNames.App(project, ContainerAppsWorld.Environment, "worker");
        world.WriteManifest(project, Web + "  worker:\n    image: paasfake.azurecr.io/shop/worker:1\n");
        world.Apply().Succeeded();
        var app = await world.Fake.ConsoleAsync(HttpMethod.Get, Fake.FakeContainerApps.PathOf(name), null, Token);
        app!["properties"]!["configuration"]!["ingress"]!["external"] = true;
        await world.Fake.ConsoleAsync(HttpMethod.Put, Fake.FakeContainerApps.PathOf(name), app, Token);

        world.Apply().Succeeded();

        Assert.False((bool)Ingress(world, name)["external"]!);
        Assert.Null(world.Fake.Apps.Peek(worker)!["properties"]!["configuration"]!["ingress"]);
    }

    [Fact]
    public async Task An_image_variable_and_replica_count_changed_in_the_portal_are_planned_as_drift_and_put_back()
    {
        await using var world = await ContainerAppsWorld.StartAsync(Token);
        var project = $"p{Guid.NewGuid():N}"[..12];
        var name = ContainerAppsNames.App(project, ContainerAppsWorld.Environment, "web");
        world.WriteManifest(project, Web + "    replicas: 2\n");
        world.Apply().Succeeded();
        var app = await world.Fake.ConsoleAsync(HttpMethod.Get, Fake.FakeContainerApps.PathOf(name), null, Token);
        var template = app!["properties"]!["template"]!.AsObject();
        template.Remove("revisionSuffix"); // the portal names its revision itself
        template["containers"]![0]!["image"] = "paasfake.azurecr.io/shop/web:hotfix";
        template["containers"]![0]!["env"] = new JsonArray(new JsonObject { ["name"] = "GREETING", ["value"] = "hi" });
        template["scale"] = new JsonObject { ["minReplicas"] = 3, ["maxReplicas"] = 3 };
        await world.Fake.ConsoleAsync(HttpMethod.Put, Fake.FakeContainerApps.PathOf(name), app, Token);

        var plan = world.Plan().Succeeded();
        world.Apply().Succeeded();
        var again = world.Plan().Succeeded();

        Assert.Contains("drift", plan.Output, StringComparison.Ordinal);
        Assert.Contains("paasfake.azurecr.io/shop/web:hotfix", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".env", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".scale", plan.Output, StringComparison.Ordinal);
        var repaired = world.Fake.Apps.Peek(name)!["properties"]!["template"]!;
        Assert.Equal("paasfake.azurecr.io/shop/web:1", (string?)repaired["containers"]![0]!["image"]);
        Assert.Equal("hello", (string?)repaired["containers"]![0]!["env"]![0]!["value"]);
        Assert.Equal(2, (int?)repaired["scale"]!["minReplicas"]);
        Assert.DoesNotContain("drift", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_removed_from_the_manifest_is_pruned_and_an_app_the_platform_does_not_own_stays()
    {
        await using var world = await ContainerAppsWorld.StartAsync(Token);
        var project = $"p{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Web + "  api:\n    image: paasfake.azurecr.io/shop/api:1\n    port: 8080\n");
        world.Apply().Succeeded();
        await world.Fake.ConsoleAsync(HttpMethod.Put, Fake.FakeContainerApps.PathOf("someone-elses-app"), new JsonObject
        {
            ["location"] = Fake.FakeContainerApps.Location,
            ["properties"] = new JsonObject
            {
                ["environmentId"] = "/subscriptions/x/resourceGroups/y/providers/Microsoft.App/managedEnvironments/z",
                ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "someone/else:1" }) },
            },
        }, Token);
        world.WriteManifest(project, Web);

        world.Apply().Succeeded();

        Assert.Equal(
            [ContainerAppsNames.App(project, ContainerAppsWorld.Environment, "web"), "someone-elses-app"],
            world.Fake.Apps.Names());
    }

    private static JsonObject Ingress(ContainerAppsWorld world, string name) =>
        world.Fake.Apps.Peek(name)!["properties"]!["configuration"]!["ingress"]!.AsObject();
}
