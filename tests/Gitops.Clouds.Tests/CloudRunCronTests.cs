using System.Text.Json.Nodes;
using Gitops.Clouds.Tests.Fake;
using Gitops.Providers.Gcp;

namespace Gitops.Clouds.Tests;

/// <summary>
/// Crons on a cloudrun target, through <c>paas</c> on the FAKE Cloud Run Admin API and Cloud Scheduler:
/// each cron a Cloud Run job (the service's image, env, secret references and limits, the cron's
/// command and timeout) run by a Cloud Scheduler job (the cron's schedule and time zone); changed,
/// removed and deleted with the service; drift in either job planned and put back; a name someone
/// else holds refused and left as it was.
/// </summary>
public sealed class CloudRunCronTests
{
    private const string Secret = "projects/paas-fake-project/secrets/shop-database-url/versions/3";
    private const string Image = "europe-docker.pkg.dev/paas-fake-project/shop/web:1";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Web(string more = "") =>
        $"  web:\n    image: {Image}\n    port: 8080\n    env: {{ LOG_LEVEL: info }}\n    secrets: [DATABASE_URL]\n    resources: {{ cpu: 1, memory: 512Mi }}\n{more}";

    private static string Nightly(string schedule = "30 2 * * 1-5", string command = "[python, manage.py, clearsessions]", string more = "") =>
        $"  nightly:\n    service: web\n    schedule: \"{schedule}\"\n    timeZone: Europe/Paris\n    command: {command}\n    timeout: 15m\n    concurrency: allow\n{more}";

    [Fact]
    public async Task A_cron_is_a_cloud_run_job_of_the_services_container_run_by_a_cloud_scheduler_job_on_its_schedule_and_time_zone()
    {
        await using var world = await StartAsync();
        var project = NewProject();
        var id = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "nightly");
        world.WriteManifest(project, Web(), "crons:\n" + Nightly());
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();

        var applied = world.Apply().Succeeded();

        Assert.Contains($"create Cloud Run job {id} and Cloud Scheduler job {id} (30 2 * * 1-5, Europe/Paris)", Flat(applied.Output), StringComparison.Ordinal);
        var job = world.Fake.Jobs.Peek(id)!;
        Assert.Equal(project, (string?)job["labels"]!["paas-project"]);
        Assert.Equal(CloudRunWorld.Environment, (string?)job["labels"]!["paas-env"]);
        Assert.Equal("web", (string?)job["labels"]!["paas-service"]);
        Assert.Equal("nightly", (string?)job["labels"]!["paas-cron"]);
        var execution = job["template"]!;
        Assert.Equal((1, 1), ((int)execution["taskCount"]!, (int)execution["parallelism"]!));
        var task = execution["template"]!;
        Assert.Equal(("900s", 0), ((string)task["timeout"]!, (int)task["maxRetries"]!));
        var container = task["containers"]![0]!;
        var service = world.Fake.Services.Peek(CloudRunNames.Service(project, CloudRunWorld.Environment, "web"))!["template"]!["containers"]![0]!;
        Assert.Equal((string?)service["image"], (string?)container["image"]);
        Assert.Equal(Image, (string?)container["image"]);
        Assert.Equal("""["python","manage.py","clearsessions"]""", container["args"]!.ToJsonString());
        Assert.Null(container["command"]);
        Assert.Equal(service["env"]!.ToJsonString(), container["env"]!.ToJsonString());
        Assert.Contains("""{"name":"DATABASE_URL","valueSource":{"secretKeyRef":{"secret":"projects/paas-fake-project/secrets/shop-database-url","version":"3"}}}""", container["env"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("""{"limits":{"cpu":"1","memory":"512Mi"}}""", container["resources"]!.ToJsonString());
        var schedule = world.Fake.Scheduler.Peek(id)!;
        Assert.Equal($"projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs/{id}", (string?)schedule["name"]);
        Assert.Equal(("30 2 * * 1-5", "Europe/Paris"), ((string?)schedule["schedule"], (string?)schedule["timeZone"]));
        var target = schedule["httpTarget"]!;
        Assert.Equal($"{world.Fake.BaseAddress}v2/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs/{id}:run", (string?)target["uri"]);
        Assert.Equal("POST", (string?)target["httpMethod"]);
        Assert.Equal(FakeCloudRun.ClientEmail, (string?)target["oauthToken"]!["serviceAccountEmail"]);
        Assert.Equal("https://www.googleapis.com/auth/cloud-platform", (string?)target["oauthToken"]!["scope"]);
        Assert.Equal(0, (int?)schedule["retryConfig"]!["retryCount"]);

        Assert.Equal(200, await world.Fake.Scheduler.FireAsync(id, world.Fake.ConsoleToken, Token)); // a due run starts the job
        Assert.Equal([id], world.Fake.Jobs.Executions);
        Assert.DoesNotContain("drift", world.Plan().Succeeded().Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cron_without_a_time_zone_or_command_runs_in_utc_with_its_services_command_as_the_scheduler_service_account_the_target_names()
    {
        await using var world = await StartAsync("    schedulerServiceAccount: cron-runner@paas-fake-project.iam.gserviceaccount.com\n");
        var project = NewProject();
        var id = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "hourly");
        world.WriteManifest(project, Web("    command: [gunicorn, app:wsgi]\n"), "crons:\n  hourly:\n    service: web\n    schedule: \"@hourly\"\n    concurrency: allow\n");
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();

        world.Apply().Succeeded();

        var schedule = world.Fake.Scheduler.Peek(id)!;
        Assert.Equal(("0 * * * *", "Etc/UTC"), ((string?)schedule["schedule"], (string?)schedule["timeZone"]));
        Assert.Equal("cron-runner@paas-fake-project.iam.gserviceaccount.com", (string?)schedule["httpTarget"]!["oauthToken"]!["serviceAccountEmail"]);
        var task = world.Fake.Jobs.Peek(id)!["template"]!["template"]!;
        // As on every target: a cron without a command runs its service's (which runs the image's when it has none).
        Assert.Equal(["gunicorn", "app:wsgi"], task["containers"]![0]!["args"]!.AsArray().Select(a => (string?)a));
        Assert.Equal("3600s", (string?)task["timeout"]);
    }

    [Fact]
    public async Task A_changed_cron_updates_both_jobs_and_a_removed_cron_deletes_both()
    {
        await using var world = await StartAsync();
        var project = NewProject();
        var nightly = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "nightly");
        var weekly = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "weekly");
        const string Weekly = "  weekly:\n    service: web\n    schedule: \"@weekly\"\n    concurrency: allow\n";
        world.WriteManifest(project, Web(), "crons:\n" + Nightly() + Weekly);
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();
        world.Apply().Succeeded();

        world.WriteManifest(project, Web(), "crons:\n" + Nightly("15 3 * * *", "[python, manage.py, report]"));
        var plan = world.Plan().Succeeded();
        var applied = world.Apply().Succeeded();

        Assert.Contains("cron nightly changed", plan.Output, StringComparison.Ordinal);
        Assert.Contains($"delete Cloud Scheduler job {weekly} and Cloud Run job {weekly}", Flat(applied.Output), StringComparison.Ordinal);
        Assert.Equal("15 3 * * *", (string?)world.Fake.Scheduler.Peek(nightly)!["schedule"]);
        Assert.Equal("""["python","manage.py","report"]""", world.Fake.Jobs.Peek(nightly)!["template"]!["template"]!["containers"]![0]!["args"]!.ToJsonString());
        Assert.Equal([nightly], world.Fake.Jobs.Ids());
        Assert.Equal([nightly], world.Fake.Scheduler.Ids());

        world.WriteManifest(project, Web());
        world.Apply().Succeeded();

        Assert.Empty(world.Fake.Jobs.Ids());
        Assert.Empty(world.Fake.Scheduler.Ids());
        Assert.Single(world.Fake.Services.Ids());
    }

    [Fact]
    public async Task A_new_image_whose_rollout_is_rolled_back_never_reaches_the_crons_job()
    {
        await using var world = await StartAsync();
        var project = NewProject();
        var id = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "nightly");
        world.WriteManifest(project, Web(), "crons:\n" + Nightly());
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();
        world.Apply().Succeeded();
        world.Fake.Readiness = _ => "Container called exit(1).";

        world.WriteManifest(project, Web().Replace("web:1", "web:2", StringComparison.Ordinal), "crons:\n" + Nightly());
        var broken = world.Apply();

        Assert.True(broken.ExitCode != 0, broken.ToString());
        Assert.Equal(Image, (string?)world.Fake.Jobs.Peek(id)!["template"]!["template"]!["containers"]![0]!["image"]);
        Assert.DoesNotContain(world.Fake.Calls, c => c.Method == "PATCH" && c.Path.Contains("/jobs/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_removed_from_the_manifest_takes_its_crons_with_it()
    {
        await using var world = await StartAsync();
        var project = NewProject();
        const string Api = "  api:\n    image: europe-docker.pkg.dev/shop/api:1\n    port: 8080\n";
        world.WriteManifest(project, Api + Web(), "crons:\n" + Nightly());
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();
        world.Apply().Succeeded();
        Assert.Single(world.Fake.Jobs.Ids());

        world.WriteManifest(project, Api);
        world.Apply().Succeeded();

        Assert.Empty(world.Fake.Jobs.Ids());
        Assert.Empty(world.Fake.Scheduler.Ids());
        Assert.Equal([CloudRunNames.Service(project, CloudRunWorld.Environment, "api")], world.Fake.Services.Ids());
    }

    [Fact]
    public async Task A_schedule_or_image_changed_a_schedule_paused_and_a_job_deleted_in_the_console_are_planned_as_drift_and_put_back()
    {
        await using var world = await StartAsync();
        var project = NewProject();
        var nightly = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "nightly");
        var weekly = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "weekly");
        world.WriteManifest(project, Web(), "crons:\n" + Nightly() + "  weekly:\n    service: web\n    schedule: \"@weekly\"\n    concurrency: allow\n");
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();
        world.Apply().Succeeded();
        await world.Fake.ConsoleAsync(HttpMethod.Patch, $"v1/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs/{nightly}?updateMask=schedule", new JsonObject { ["schedule"] = "0 12 * * *" }, Token);
        var job = world.Fake.Jobs.Peek(nightly)!;
        job["template"]!["template"]!["containers"]![0]!["image"] = "europe-docker.pkg.dev/shop/web:hotfix";
        await world.Fake.ConsoleAsync(HttpMethod.Patch, JobPath(nightly), new JsonObject { ["template"] = job["template"]!.DeepClone() }, Token);
        await world.Fake.ConsoleAsync(HttpMethod.Delete, JobPath(weekly), null, Token);
        await world.Fake.ConsoleAsync(HttpMethod.Post, $"v1/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs/{nightly}:pause", [], Token);

        var plan = world.Plan().Succeeded();
        world.Apply().Succeeded();
        var again = world.Plan().Succeeded();

        Assert.Contains("drift", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".crons.nightly.schedule", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".crons.nightly.image", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".crons.weekly", plan.Output, StringComparison.Ordinal);
        Assert.Contains(".crons.nightly.state", plan.Output, StringComparison.Ordinal);
        Assert.Equal("ENABLED", (string?)world.Fake.Scheduler.Peek(nightly)!["state"]);
        Assert.Equal("30 2 * * 1-5", (string?)world.Fake.Scheduler.Peek(nightly)!["schedule"]);
        Assert.Equal(Image, (string?)world.Fake.Jobs.Peek(nightly)!["template"]!["template"]!["containers"]![0]!["image"]);
        Assert.NotNull(world.Fake.Jobs.Peek(weekly));
        Assert.DoesNotContain("drift", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cloud_run_job_of_the_crons_name_that_is_another_environments_is_refused_and_left_untouched()
    {
        await using var world = await StartAsync();
        var project = NewProject();
        var id = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "nightly");
        await world.Fake.ConsoleAsync(HttpMethod.Post, $"v2/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs?jobId={id}", new JsonObject
        {
            ["labels"] = new JsonObject { ["paas-managed"] = "true", ["paas-project"] = project, ["paas-env"] = "prod", ["paas-service"] = "web", ["paas-cron"] = "nightly" },
            ["template"] = new JsonObject { ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["image"] = "someone/else:1" }) } },
        }, Token);
        var before = world.Fake.Jobs.Peek(id)!.ToJsonString();
        world.WriteManifest(project, Web(), "crons:\n" + Nightly());
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains($"Cloud Run job '{id}' already exists and is not {project}/{CloudRunWorld.Environment}'s", applied.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, world.Fake.Jobs.Peek(id)!.ToJsonString());
        Assert.Empty(world.Fake.Scheduler.Ids());
        Assert.All(world.Fake.Calls, c => Assert.Equal("GET", c.Method));
    }

    [Fact]
    public async Task A_cloud_scheduler_job_of_the_crons_name_that_runs_something_else_is_refused_and_left_untouched()
    {
        await using var world = await StartAsync();
        var project = NewProject();
        var id = CloudRunNames.Cron(project, CloudRunWorld.Environment, "web", "nightly");
        await world.Fake.ConsoleAsync(HttpMethod.Post, $"v1/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs", new JsonObject
        {
            ["name"] = $"projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs/{id}",
            ["schedule"] = "* * * * *",
            ["httpTarget"] = new JsonObject { ["uri"] = "https://example.com/ping", ["httpMethod"] = "GET" },
        }, Token);
        var before = world.Fake.Scheduler.Peek(id)!.ToJsonString();
        world.WriteManifest(project, Web(), "crons:\n" + Nightly());
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains($"Cloud Scheduler job '{id}' already exists and is not {project}/{CloudRunWorld.Environment}'s (it calls https://example.com/ping", applied.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, world.Fake.Scheduler.Peek(id)!.ToJsonString());
        Assert.Empty(world.Fake.Jobs.Ids());
        Assert.All(world.Fake.Calls, c => Assert.Equal("GET", c.Method));
    }

    [Fact]
    public async Task Throttled_and_failing_job_and_schedule_creates_are_retried_and_each_object_is_made_once()
    {
        await using var world = await StartAsync();
        var project = NewProject();
        world.WriteManifest(project, Web(), "crons:\n" + Nightly());
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();
        world.Fake.Fail("POST", "/jobs", (429, 1), (503, null), (503, null));

        world.Apply().Succeeded();

        Assert.Equal(5, world.Fake.Attempts("POST", "/jobs")); // the Cloud Run job's create (2 faults) and Cloud Scheduler's (1 fault)
        Assert.Single(world.Fake.Jobs.Ids());
        Assert.Single(world.Fake.Scheduler.Ids());
    }

    [Theory]
    [InlineData("    schedule: \"0 3 L * *\"\n    concurrency: allow\n", "crons.nightly.schedule: '0 3 L * *' uses 'L', and cloud schedulers read only numbers")]
    [InlineData("    schedule: \"@daily\"\n    timeout: 200h\n    concurrency: allow\n", "crons.nightly.timeout: a Cloud Run job's task runs between 1s and 168h (7 days)")]
    [InlineData("    schedule: \"@daily\"\n    timeout: 500ms\n    concurrency: allow\n", "crons.nightly.timeout: a Cloud Run job's task runs between 1s and 168h (7 days)")]
    [InlineData("    schedule: \"@daily\"\n", "crons.nightly.concurrency: Cloud Scheduler starts every due run of a Cloud Run job even while the previous one still runs, so concurrency: forbid cannot be kept on a cloudrun target; write concurrency: allow")]
    [InlineData("    schedule: \"@daily\"\n    concurrency: replace\n", "crons.nightly.concurrency: Cloud Scheduler starts every due run of a Cloud Run job even while the previous one still runs, so concurrency: replace cannot be kept")]
    public async Task A_cron_field_cloud_run_cannot_honour_is_refused_naming_it_and_nothing_is_made(string fields, string refusal)
    {
        await using var world = await StartAsync();
        var project = NewProject();
        world.WriteManifest(project, Web(), "crons:\n  nightly:\n    service: web\n" + fields);
        world.SetSecret(project, "DATABASE_URL", Secret).Succeeded();

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains(refusal, applied.Output + applied.Error, StringComparison.Ordinal);
        Assert.Empty(world.Fake.Services.Ids());
        Assert.Empty(world.Fake.Jobs.Ids());
        Assert.Empty(world.Fake.Scheduler.Ids());
        Assert.All(world.Fake.Calls, c => Assert.Equal("GET", c.Method));
    }

    /// <summary>
    /// A Windows zone id passes the manifest's check where .NET maps it (ICU), but Cloud Scheduler reads
    /// tz database names only: refused by the driver (checked on the refusal itself, since this machine's
    /// manifest check already refuses what it does not know).
    /// </summary>
    [Fact]
    public void A_time_zone_that_is_not_an_iana_name_is_refused_naming_the_field()
    {
        var cron = new Gitops.Engine.Desired.DesiredCron("nightly", "@daily", null, Gitops.Schema.Model.Duration.FromSeconds(60), Gitops.Schema.Model.CronConcurrency.Allow) { TimeZone = "Pacific Standard Time" };

        var refusals = CloudRunCrons.Refusals(cron).ToList();

        Assert.Equal("crons.nightly.timeZone: 'Pacific Standard Time' is not an IANA time zone name, the only kind Cloud Scheduler reads; write it as one (such as ", Assert.Single(refusals)[..141]);
        Assert.Empty(CloudRunCrons.Refusals(cron with { TimeZone = "Europe/Paris" }));
    }

    /// <summary>Console output as one line (long lines are wrapped at the terminal's width).</summary>
    private static string Flat(string output) => output.Replace("\n", "", StringComparison.Ordinal);

    /// <param name="targetOptions">More of the gcp target's options in platform.yaml, indented.</param>
    private static async Task<CloudRunWorld> StartAsync(string targetOptions = "")
    {
        return await CloudRunWorld.StartAsync(Token, targetOptions);
    }

    private static string NewProject() => $"c{Guid.NewGuid():N}"[..12];

    private static string JobPath(string id) => $"v2/projects/{FakeCloudRun.Project}/locations/{FakeCloudRun.Region}/jobs/{id}";
}
