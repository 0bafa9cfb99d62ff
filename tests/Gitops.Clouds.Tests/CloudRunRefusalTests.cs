namespace Gitops.Clouds.Tests;

/// <summary>
/// What a cloudrun target cannot do is refused by <c>paas apply</c> before anything changes, naming
/// the field and the target: never accepted and silently ignored. Checked on the FAKE Cloud Run
/// Admin API: no service was made and nothing but reads reached it.
/// </summary>
public sealed class CloudRunRefusalTests
{
    private const string Web = "  web:\n    image: europe-docker.pkg.dev/shop/web:1\n";
    private const string Port = "    port: 8080\n";

    [Theory]
    [InlineData(Port + "    volumes: { data: /data }\n", "", "services.web.volumes: web mounts volumes, which this environment's target (kind cloudrun) cannot do")]
    [InlineData(Port + "    sandbox: gvisor\n", "", "services.web.sandbox: web asks for the gvisor sandbox, which this environment's target (kind cloudrun) cannot do")]
    [InlineData(Port + "    placement: [\"node.labels.zone == eu\"]\n", "", "services.web.placement: web asks to be placed on particular nodes, which this environment's target (kind cloudrun) cannot do")]
    [InlineData(Port + "    allowFrom: [api]\n", "  api:\n    image: europe-docker.pkg.dev/shop/api:1\n    port: 8080\n", "services.web.allowFrom: web accepts connections only from the services it lists, which this environment's target (kind cloudrun) cannot do")]
    [InlineData(Port, "crons:\n  nightly:\n    service: web\n    schedule: \"0 2 * * *\"\n", "crons.nightly.concurrency: Cloud Scheduler starts every due run of a Cloud Run job even while the previous one still runs, so concurrency: forbid cannot be kept on a cloudrun target; write concurrency: allow")]
    [InlineData(Port + "    autoscale: { min: 1, max: 4, cpu: 70 }\n", "", "services.web.autoscale.cpu: a cloudrun target scales between autoscale.min and autoscale.max on Cloud Run's own measure")]
    [InlineData(Port + "    public: true\n    autoscale: { min: 1, max: 4, rps: 100 }\n", "", "services.web.autoscale.rps: a cloudrun target scales between autoscale.min and autoscale.max")]
    [InlineData(Port + "    health: { command: [pg_isready] }\n", "", "services.web.health.command: Cloud Run probes instances over HTTP, TCP or gRPC, never by running a command in them")]
    [InlineData(Port + "    public: true\n    domains: [shop.example.com]\n", "", "services.web.domains: a cloudrun target serves a public service at its own https://…run.app address")]
    [InlineData(Port + "    user: \"1000\"\n", "", "services.web.user: Cloud Run runs the image's own user")]
    [InlineData(Port + "    readOnly: true\n", "", "services.web.readOnly: Cloud Run cannot make an instance's file system read-only")]
    [InlineData(Port + "    env: { PORT: \"9000\" }\n", "", "services.web.env.PORT: Cloud Run sets PORT itself")]
    [InlineData("", "", "services.web.port: Cloud Run runs HTTP servers")]
    public async Task What_a_cloudrun_target_cannot_do_is_refused_naming_the_field_and_nothing_is_made(string fields, string more, string refusal)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await CloudRunWorld.StartAsync(ct);
        var project = $"r{Guid.NewGuid():N}"[..12];
        var services = more.StartsWith("  ", StringComparison.Ordinal) ? Web + fields + more : Web + fields;
        world.WriteManifest(project, services, more.StartsWith("crons", StringComparison.Ordinal) ? more : "");

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains(refusal, applied.Output + applied.Error, StringComparison.Ordinal);
        Assert.Empty(world.Fake.Services.Ids());
        Assert.All(world.Fake.Calls, c => Assert.Equal("GET", c.Method));
    }

    [Fact]
    public async Task A_secret_whose_stored_value_is_not_a_secret_manager_reference_is_refused_without_showing_it_and_nothing_is_made()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Value = "postgres://app:plain-password-canary@db/app";
        await using var world = await CloudRunWorld.StartAsync(ct);
        var project = $"r{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Web + Port + "    secrets: [DATABASE_URL]\n");
        world.SetSecret(project, "DATABASE_URL", Value).Succeeded();

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains("services.web.secrets.DATABASE_URL: a cloudrun target gives secrets to instances as Secret Manager references only", applied.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("plain-password-canary", applied.ToString(), StringComparison.Ordinal);
        Assert.Empty(world.Fake.Services.Ids());
        Assert.All(world.Fake.Calls, c => Assert.DoesNotContain("plain-password-canary", c.Body, StringComparison.Ordinal));
    }
}
