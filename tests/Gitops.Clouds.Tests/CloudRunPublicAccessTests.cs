using System.Text.Json.Nodes;
using Gitops.Providers.Gcp;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Who may call a Cloud Run service, through <c>paas apply</c> on the FAKE Cloud Run Admin API: a public
/// service's IAM policy binds <c>roles/run.invoker</c> to <c>allUsers</c>, a private one's never does
/// (also when someone added it in the console), and a change made in the console (an image, a variable,
/// the instance count) is planned as drift and put back; destroy removes the environment's services only.
/// </summary>
public sealed class CloudRunPublicAccessTests
{
    private const string Web = "  web:\n    image: europe-docker.pkg.dev/shop/web:1\n    port: 8080\n    env: { GREETING: hello }\n";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_public_service_lets_all_users_invoke_it_and_made_private_it_no_longer_does()
    {
        await using var world = await CloudRunWorld.StartAsync(Token);
        var project = $"p{Guid.NewGuid():N}"[..12];
        var id = CloudRunNames.Service(project, CloudRunWorld.Environment, "web");
        world.WriteManifest(project, Web + "    public: true\n");

        world.Apply().Succeeded();
        var open = Invokers(world, id);
        world.WriteManifest(project, Web);
        var plan = world.Plan().Succeeded();
        world.Apply().Succeeded();

        Assert.Contains("allUsers", open);
        Assert.Contains("web", plan.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("allUsers", Invokers(world, id));
        Assert.Equal("INGRESS_TRAFFIC_ALL", (string?)world.Fake.Services.Peek(id)!["ingress"]);
    }

    [Fact]
    public async Task All_users_added_to_a_private_service_in_the_console_are_removed_by_the_next_apply()
    {
        await using var world = await CloudRunWorld.StartAsync(Token);
        var project = $"p{Guid.NewGuid():N}"[..12];
        var id = CloudRunNames.Service(project, CloudRunWorld.Environment, "web");
        world.WriteManifest(project, Web);
        world.Apply().Succeeded();
        Assert.Empty(Invokers(world, id));
        var policy = await world.Fake.ConsoleAsync(HttpMethod.Get, CloudRunTarget.PathOf(id) + ":getIamPolicy", null, Token);
        policy!["bindings"] = new JsonArray(new JsonObject { ["role"] = CloudRunIngress.Invoker, ["members"] = new JsonArray("allUsers", "user:ops@example.com") });
        await world.Fake.ConsoleAsync(HttpMethod.Post, CloudRunTarget.PathOf(id) + ":setIamPolicy", new JsonObject { ["policy"] = policy.DeepClone() }, Token);

        world.Apply().Succeeded();

        Assert.Equal(["user:ops@example.com"], Invokers(world, id)); // only allUsers goes: another member is not the platform's business
    }

    [Fact]
    public async Task An_image_variable_and_instance_count_changed_in_the_console_are_planned_as_drift_and_put_back()
    {
        await using var world = await CloudRunWorld.StartAsync(Token);
        var project = $"p{Guid.NewGuid():N}"[..12];
        var id = CloudRunNames.Service(project, CloudRunWorld.Environment, "web");
        world.WriteManifest(project, Web + "    replicas: 2\n");
        world.Apply().Succeeded();
        var service = await world.Fake.ConsoleAsync(HttpMethod.Get, CloudRunTarget.PathOf(id), null, Token);
        var container = service!["template"]!["containers"]![0]!;
        container["image"] = "europe-docker.pkg.dev/shop/web:hotfix";
        container["env"] = new JsonArray(new JsonObject { ["name"] = "GREETING", ["value"] = "hi" });
        await world.Fake.ConsoleAsync(HttpMethod.Patch, CloudRunTarget.PathOf(id), new JsonObject { ["template"] = service["template"]!.DeepClone(), ["scaling"] = new JsonObject { ["minInstanceCount"] = 3, ["maxInstanceCount"] = 3 } }, Token);

        var plan = world.Plan().Succeeded();
        world.Apply().Succeeded();
        var again = world.Plan().Succeeded();

        Assert.Contains("drift", plan.Output, StringComparison.Ordinal);
        Assert.Contains("europe-docker.pkg.dev/shop/web:hotfix", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".env.GREETING", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".scaling.minInstanceCount", plan.Output, StringComparison.Ordinal);
        var repaired = world.Fake.Services.Peek(id)!;
        Assert.Equal("europe-docker.pkg.dev/shop/web:1", (string?)repaired["template"]!["containers"]![0]!["image"]);
        Assert.Equal("hello", (string?)repaired["template"]!["containers"]![0]!["env"]![0]!["value"]);
        Assert.Equal(2, (int?)repaired["scaling"]!["minInstanceCount"]);
        Assert.DoesNotContain("drift", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destroy_deletes_the_environments_services_and_leaves_another_environments_alone()
    {
        await using var world = await CloudRunWorld.StartAsync(Token);
        var project = $"p{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Web + "    public: true\n  api:\n    image: europe-docker.pkg.dev/shop/api:1\n    port: 8080\n");
        world.Apply().Succeeded();
        var stranger = CloudRunNames.Service(project, "prod", "web"); // same project, another environment: not this one's to delete
        await world.Fake.ConsoleAsync(HttpMethod.Post, $"v2/projects/{Fake.FakeCloudRun.Project}/locations/{Fake.FakeCloudRun.Region}/services?serviceId={stranger}", new JsonObject
        {
            ["labels"] = new JsonObject { ["paas-managed"] = "true", ["paas-project"] = project, ["paas-env"] = "prod", ["paas-service"] = "web" },
            ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["image"] = "europe-docker.pkg.dev/shop/web:1" }) },
        }, Token);

        world.Paas("destroy", world.AppDirectory, "--env", CloudRunWorld.Environment, "--yes").Succeeded();

        Assert.Equal([stranger], world.Fake.Services.Ids());
        Assert.Contains(world.Fake.Calls, c => c.Method == "DELETE" && c.Path.EndsWith(CloudRunNames.Service(project, CloudRunWorld.Environment, "api"), StringComparison.Ordinal));
    }

    private static List<string> Invokers(CloudRunWorld world, string id)
    {
        var (_, policy) = world.Fake.Services.GetIam(id);
        return (policy!["bindings"] as JsonArray ?? []).Where(b => (string?)b!["role"] == CloudRunIngress.Invoker).SelectMany(b => b!["members"]!.AsArray().Select(m => (string)m!)).ToList();
    }
}
