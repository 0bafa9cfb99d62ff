using System.Text.Json.Nodes;
using Gitops.Clouds.Tests.Fake;
using Gitops.Providers.Azure;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Crons on a containerapps target, through <c>paas apply</c> and <c>paas plan</c> on the FAKE Azure
/// Resource Manager: each cron is a Container Apps job with a schedule trigger running the service's
/// image, variables, Key Vault secret references and resources with the cron's command; a changed cron
/// rewrites its job, a removed one (or its service) deletes it; a job changed or deleted in the portal
/// is planned as drift and put back; a job of the platform's name that is another environment's is
/// refused and left untouched; a failed rollout puts the jobs back with the app.
/// </summary>
public sealed class ContainerAppsCronTests
{
    private const string Secret = "https://shop-vault.vault.azure.net/secrets/database-url";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Web(string tag = "1") =>
        $"  web:\n    image: paasfake.azurecr.io/shop/web:{tag}\n    command: [\"serve\"]\n    port: 8080\n    env: {{ GREETING: hello }}\n    secrets: [DATABASE_URL]\n    resources: {{ cpu: 0.5, memory: 1Gi }}\n";

    private static string Crons(string nightly = "30 2 * * MON-FRI", bool hourly = true) =>
        "crons:\n"
        + $"  nightly:\n    service: web\n    schedule: \"{nightly}\"\n    timeZone: Etc/UTC\n    command: [\"python\", \"manage.py\", \"cleanup\"]\n    timeout: 10m\n    concurrency: allow\n"
        + (hourly ? "  hourly:\n    service: web\n    schedule: \"@hourly\"\n    concurrency: allow\n" : "");

    [Fact]
    public async Task A_cron_is_a_scheduled_container_apps_job_running_the_services_image_variables_secrets_and_resources_with_its_command()
    {
        await using var world = await StartAsync(Crons());
        var (project, app, nightly, hourly) = Names(world);

        var applied = world.Apply().Succeeded();

        var job = world.Fake.Apps.Jobs.Peek(nightly)!;
        var live = world.Fake.Apps.Peek(app)!;
        var configuration = job["properties"]!["configuration"]!;
        Assert.Equal("Schedule", (string?)configuration["triggerType"]);
        Assert.Equal("30 2 * * 1-5", (string?)configuration["scheduleTriggerConfig"]!["cronExpression"]);
        Assert.Equal(1, (int?)configuration["scheduleTriggerConfig"]!["parallelism"]);
        Assert.Equal(1, (int?)configuration["scheduleTriggerConfig"]!["replicaCompletionCount"]);
        Assert.Equal(600, (int?)configuration["replicaTimeout"]);
        Assert.Equal(0, (int?)configuration["replicaRetryLimit"]);
        Assert.Equal($$"""[{"name":"database-url","keyVaultUrl":"{{Secret}}","identity":"system"}]""", configuration["secrets"]!.ToJsonString());
        Assert.Equal("""{"type":"SystemAssigned"}""", job["identity"]!.ToJsonString());
        Assert.Equal(live["properties"]!["environmentId"]!.ToJsonString(), job["properties"]!["environmentId"]!.ToJsonString());
        Assert.Equal(FakeContainerApps.Location, (string?)job["location"]);
        var container = job["properties"]!["template"]!["containers"]![0]!;
        var served = live["properties"]!["template"]!["containers"]![0]!;
        Assert.Equal("paasfake.azurecr.io/shop/web:1", (string?)container["image"]);
        Assert.Equal("""["python","manage.py","cleanup"]""", container["args"]!.ToJsonString());
        Assert.Equal("""[{"name":"GREETING","value":"hello"},{"name":"DATABASE_URL","secretRef":"database-url"}]""", container["env"]!.ToJsonString());
        Assert.Equal(served["resources"]!.ToJsonString(), container["resources"]!.ToJsonString());
        Assert.Null(container["probes"]);
        Assert.Equal(("true", project, ContainerAppsWorld.Environment, "web", "nightly"), ((string?)job["tags"]!["paas.managed"], (string?)job["tags"]!["paas.project"], (string?)job["tags"]!["paas.env"], (string?)job["tags"]!["paas.service"], (string?)job["tags"]!["paas.cron"]));
        // A cron without a command runs the service's, as on every target; @hourly is spelled out.
        var other = world.Fake.Apps.Jobs.Peek(hourly)!;
        Assert.Equal("0 * * * *", (string?)other["properties"]!["configuration"]!["scheduleTriggerConfig"]!["cronExpression"]);
        Assert.Equal(3600, (int?)other["properties"]!["configuration"]!["replicaTimeout"]);
        Assert.Equal("""["serve"]""", other["properties"]!["template"]!["containers"]![0]!["args"]!.ToJsonString());
        Assert.Contains($"write container apps job {nightly} (cron nightly: 30 2 * * 1-5 UTC)", applied.Output + applied.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("drift", world.Plan().Succeeded().Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_cron_rewrites_its_job_a_removed_cron_deletes_its_job_and_an_image_change_reaches_the_jobs()
    {
        await using var world = await StartAsync(Crons());
        var (_, _, nightly, hourly) = Names(world);
        world.Apply().Succeeded();
        world.WriteManifest(Project(world), Web("2"), Crons(nightly: "0 4 * * *", hourly: false));

        var plan = world.Plan().Succeeded();
        world.Apply().Succeeded();

        Assert.Contains("~ cron nightly: \"30 2 * * MON-FRI (Etc/UTC)", plan.Output, StringComparison.Ordinal);
        Assert.Contains("~ cron hourly: \"@hourly", plan.Output, StringComparison.Ordinal);
        var job = world.Fake.Apps.Jobs.Peek(nightly)!;
        Assert.Equal("0 4 * * *", (string?)job["properties"]!["configuration"]!["scheduleTriggerConfig"]!["cronExpression"]);
        Assert.Equal("paasfake.azurecr.io/shop/web:2", (string?)job["properties"]!["template"]!["containers"]![0]!["image"]);
        Assert.Null(world.Fake.Apps.Jobs.Peek(hourly));
        Assert.Equal([nightly], world.Fake.Apps.Jobs.Names());
        Assert.DoesNotContain("drift", world.Plan().Succeeded().Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_the_service_deletes_its_cron_jobs_and_no_others()
    {
        await using var world = await StartAsync(Crons(), more: "  api:\n    image: paasfake.azurecr.io/shop/api:1\n    port: 8080\n");
        var project = Project(world);
        world.Apply().Succeeded();
        Assert.Equal(2, world.Fake.Apps.Jobs.Names().Count);
        world.WriteManifest(project, "  api:\n    image: paasfake.azurecr.io/shop/api:1\n    port: 8080\n");

        world.Apply().Succeeded();

        Assert.Empty(world.Fake.Apps.Jobs.Names());
        Assert.Equal([ContainerAppsNames.App(project, ContainerAppsWorld.Environment, "api")], world.Fake.Apps.Names());
    }

    [Fact]
    public async Task A_job_changed_or_deleted_in_the_portal_is_planned_as_drift_and_put_back()
    {
        await using var world = await StartAsync(Crons());
        var (_, _, nightly, hourly) = Names(world);
        world.Apply().Succeeded();
        var before = world.Fake.Apps.Jobs.Peek(nightly)!["properties"]!.ToJsonString();
        var job = await world.Fake.ConsoleAsync(HttpMethod.Get, FakeContainerApps.JobPathOf(nightly), null, Token);
        job!["properties"]!["configuration"]!["scheduleTriggerConfig"]!["cronExpression"] = "*/5 * * * *";
        job["properties"]!["template"]!["containers"]![0]!["image"] = "paasfake.azurecr.io/shop/web:hotfix";
        await world.Fake.ConsoleAsync(HttpMethod.Put, FakeContainerApps.JobPathOf(nightly), job, Token);
        await world.Fake.ConsoleAsync(HttpMethod.Delete, FakeContainerApps.JobPathOf(hourly), null, Token);

        var plan = world.Plan().Succeeded();
        world.Apply().Succeeded();
        var again = world.Plan().Succeeded();

        Assert.Contains("drift", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".crons.nightly", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".crons.hourly", plan.Output, StringComparison.Ordinal);
        Assert.Equal(before, world.Fake.Apps.Jobs.Peek(nightly)!["properties"]!.ToJsonString());
        Assert.NotNull(world.Fake.Apps.Jobs.Peek(hourly));
        Assert.DoesNotContain("drift", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_of_the_platforms_name_that_is_another_environments_is_refused_and_left_untouched()
    {
        await using var world = await StartAsync(Crons(hourly: false));
        var (project, _, nightly, _) = Names(world);
        var theirs = new JsonObject
        {
            ["location"] = FakeContainerApps.Location,
            ["tags"] = new JsonObject { ["paas.managed"] = "true", ["paas.project"] = project, ["paas.env"] = "prod", ["paas.service"] = "web", ["paas.cron"] = "nightly" },
            ["properties"] = new JsonObject
            {
                ["environmentId"] = "/subscriptions/x/resourceGroups/y/providers/Microsoft.App/managedEnvironments/z",
                ["configuration"] = new JsonObject { ["triggerType"] = "Schedule", ["replicaTimeout"] = 60, ["scheduleTriggerConfig"] = new JsonObject { ["cronExpression"] = "0 0 * * *" } },
                ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "someone/else:1" }) },
            },
        };
        await world.Fake.ConsoleAsync(HttpMethod.Put, FakeContainerApps.JobPathOf(nightly), theirs, Token);
        var before = world.Fake.Apps.Jobs.Peek(nightly)!.ToJsonString();

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains($"container apps job '{nightly}' already exists and is not {project}/{ContainerAppsWorld.Environment}'s", applied.Output + applied.Error, StringComparison.Ordinal);
        Assert.Equal(before, world.Fake.Apps.Jobs.Peek(nightly)!.ToJsonString());
        Assert.All(world.Fake.Calls, c => Assert.Equal("GET", c.Method));
        Assert.Empty(world.Fake.Apps.Names());
    }

    [Fact]
    public async Task A_rollout_that_fails_puts_the_cron_jobs_back_with_the_previous_template()
    {
        await using var world = await StartAsync(Crons(hourly: false));
        var (project, _, nightly, hourly) = Names(world);
        world.Apply().Succeeded();
        var before = world.Fake.Apps.Jobs.Peek(nightly)!["properties"]!.ToJsonString();
        world.Fake.Apps.Readiness = t => ((string?)t["containers"]?[0]?["image"])?.EndsWith(":2", StringComparison.Ordinal) == true ? "Container 'app' was terminated with exit code '1'." : null;
        world.WriteManifest(project, Web("2"), Crons(hourly: true));

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains("its previous template is back", applied.Output + applied.Error, StringComparison.Ordinal);
        Assert.Equal(before, world.Fake.Apps.Jobs.Peek(nightly)!["properties"]!.ToJsonString());
        Assert.Null(world.Fake.Apps.Jobs.Peek(hourly));
    }

    [Fact]
    public async Task A_job_write_that_fails_transiently_is_retried_and_made_once()
    {
        await using var world = await StartAsync(Crons(hourly: false));
        var (_, _, nightly, _) = Names(world);
        world.Fake.Fail("PUT", "/providers/Microsoft.App/jobs/" + nightly, (503, null), (429, 1));

        world.Apply().Succeeded();

        Assert.Equal(3, world.Fake.Attempts("PUT", "/providers/Microsoft.App/jobs/" + nightly));
        Assert.Equal([nightly], world.Fake.Apps.Jobs.Names());
    }

    [Fact]
    public async Task An_environment_without_crons_never_calls_the_jobs_api_so_the_role_needs_no_jobs_actions()
    {
        await using var world = await StartAsync("");
        var project = Project(world);
        world.Apply().Succeeded();
        world.Plan().Succeeded();
        world.WriteManifest(project, "  api:\n    image: paasfake.azurecr.io/shop/api:1\n    port: 8080\n");
        world.Apply().Succeeded();

        Assert.Equal([ContainerAppsNames.App(project, ContainerAppsWorld.Environment, "api")], world.Fake.Apps.Names());
        Assert.DoesNotContain(world.Fake.Calls, c => c.Path.Contains("/Microsoft.App/jobs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("shop", "dev", "web", "nightly")]
    [InlineData("a-very-long-project-name", "production", "background_worker", "Nightly_Cleanup.v2")]
    public void A_jobs_name_is_a_valid_container_apps_name_unique_to_its_cron(string project, string environment, string service, string cron)
    {
        var name = ContainerAppsNames.Job(project, environment, service, cron);

        Assert.Matches("^[a-z]([a-z0-9-]{0,30}[a-z0-9])$", name);
        Assert.DoesNotContain("--", name, StringComparison.Ordinal);
        Assert.NotEqual(name, ContainerAppsNames.Job(project, environment, service, cron + "x"));
        Assert.NotEqual(name, ContainerAppsNames.App(project, environment, service));
    }

    private static async Task<ContainerAppsWorld> StartAsync(string crons, string more = "")
    {
        var world = await ContainerAppsWorld.StartAsync(Token);
        var project = $"c{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Web() + more, crons);
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();
        return world;
    }

    private static string Project(ContainerAppsWorld world) =>
        File.ReadAllLines(Path.Combine(world.AppDirectory, "paas.yaml")).First(l => l.StartsWith("project: ", StringComparison.Ordinal))["project: ".Length..];

    private static (string Project, string App, string Nightly, string Hourly) Names(ContainerAppsWorld world)
    {
        var project = Project(world);
        return (project, ContainerAppsNames.App(project, ContainerAppsWorld.Environment, "web"),
            ContainerAppsNames.Job(project, ContainerAppsWorld.Environment, "web", "nightly"),
            ContainerAppsNames.Job(project, ContainerAppsWorld.Environment, "web", "hourly"));
    }
}
