namespace Gitops.Clouds.Tests;

/// <summary>
/// What a containerapps target cannot do is refused by <c>paas apply</c> before anything changes, naming
/// the field and the target: never accepted and silently ignored. Checked on the FAKE Azure Resource
/// Manager: no app was made and nothing but reads reached it.
/// </summary>
public sealed class ContainerAppsRefusalTests
{
    private const string Web = "  web:\n    image: paasfake.azurecr.io/shop/web:1\n";
    private const string Port = "    port: 8080\n";

    [Theory]
    [InlineData(Port + "    volumes: { data: /data }\n", "", "services.web.volumes: web mounts volumes, which this environment's target (kind containerapps) cannot do")]
    [InlineData(Port + "    sandbox: gvisor\n", "", "services.web.sandbox: web asks for the gvisor sandbox, which this environment's target (kind containerapps) cannot do")]
    [InlineData(Port + "    placement: [\"node.labels.zone == eu\"]\n", "", "services.web.placement: web asks to be placed on particular nodes, which this environment's target (kind containerapps) cannot do")]
    [InlineData(Port + "    allowFrom: [api]\n", "  api:\n    image: paasfake.azurecr.io/shop/api:1\n    port: 8080\n", "services.web.allowFrom: web accepts connections only from the services it lists, which this environment's target (kind containerapps) cannot do")]
    [InlineData(Port, "crons:\n  nightly:\n    service: web\n    schedule: \"0 2 * * *\"\n", "crons.nightly.concurrency: a containerapps target starts every due run even while the previous one still runs (Container Apps jobs cannot skip or replace it), so forbid cannot be honoured; write concurrency: allow")]
    [InlineData(Port, "crons:\n  nightly:\n    service: web\n    schedule: \"0 2 * * *\"\n    concurrency: replace\n", "crons.nightly.concurrency: a containerapps target starts every due run even while the previous one still runs (Container Apps jobs cannot skip or replace it), so replace cannot be honoured; write concurrency: allow")]
    [InlineData(Port, "crons:\n  nightly:\n    service: web\n    schedule: \"0 2 * * *\"\n    timeZone: Europe/Paris\n    concurrency: allow\n", "crons.nightly.timeZone: Container Apps jobs read cron expressions in UTC only, so Europe/Paris cannot be honoured; write the schedule in UTC and remove timeZone:, or deploy to a target that reads time zones")]
    [InlineData(Port, "crons:\n  nightly:\n    service: web\n    schedule: \"0 2 L * *\"\n    concurrency: allow\n", "crons.nightly.schedule: '0 2 L * *' uses 'L', and cloud schedulers read only numbers, '*', ',', '-' and '/' (no L, W or #); Container Apps jobs read five plain fields")]
    [InlineData(Port + "    public: true\n    autoscale: { min: 1, max: 4, p95Ms: 250 }\n", "", "services.web.autoscale.p95Ms: a containerapps target scales on concurrent requests (autoscale.rps), cpu or memory")]
    [InlineData(Port + "    health: { command: [pg_isready] }\n", "", "services.web.health.command: Container Apps probes replicas over HTTP or TCP, never by running a command in them")]
    [InlineData(Port + "    public: true\n    domains: [shop.example.com]\n", "", "services.web.domains: a containerapps target serves a public service at its own https://…azurecontainerapps.io address")]
    [InlineData(Port + "    user: \"1000\"\n", "", "services.web.user: Container Apps runs the image's own user")]
    [InlineData(Port + "    readOnly: true\n", "", "services.web.readOnly: Container Apps cannot make a replica's file system read-only")]
    [InlineData(Port + "    resources: { cpu: 6, memory: 1Gi }\n", "", "services.web.resources: a container app's replica has at most 4 vCPU and 8Gi on the consumption plan")]
    public async Task What_a_containerapps_target_cannot_do_is_refused_naming_the_field_and_nothing_is_made(string fields, string more, string refusal)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await ContainerAppsWorld.StartAsync(ct);
        var project = $"r{Guid.NewGuid():N}"[..12];
        var services = more.StartsWith("  ", StringComparison.Ordinal) ? Web + fields + more : Web + fields;
        world.WriteManifest(project, services, more.StartsWith("crons", StringComparison.Ordinal) ? more : "");

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains(refusal, applied.Output + applied.Error, StringComparison.Ordinal);
        Assert.Empty(world.Fake.Apps.Names());
        Assert.All(world.Fake.Calls, c => Assert.Equal("GET", c.Method));
    }

    [Fact]
    public async Task A_secret_whose_stored_value_is_not_a_key_vault_secret_url_is_refused_without_showing_it_and_nothing_is_made()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Value = "Server=tcp:db;Password=plain-password-canary";
        await using var world = await ContainerAppsWorld.StartAsync(ct);
        var project = $"r{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Web + Port + "    secrets: [DATABASE_URL]\n");
        world.SetSecret(project, "DATABASE_URL", Value).Succeeded();

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains("services.web.secrets.DATABASE_URL: a containerapps target gives secrets to apps as Key Vault references only", applied.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("plain-password-canary", applied.ToString(), StringComparison.Ordinal);
        Assert.Empty(world.Fake.Apps.Names());
        Assert.All(world.Fake.Calls, c => Assert.DoesNotContain("plain-password-canary", c.Body, StringComparison.Ordinal));
    }
}
