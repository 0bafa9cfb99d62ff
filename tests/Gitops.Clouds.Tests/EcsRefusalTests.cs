namespace Gitops.Clouds.Tests;

/// <summary>
/// What an ecs target cannot do is refused by <c>paas apply</c> before anything changes, naming the
/// field and the target's kind: never accepted and silently ignored. Checked on moto with the aws
/// CLI: no cluster, log group or service was made.
/// </summary>
public sealed class EcsRefusalTests(Moto moto)
{
    private const string Api = "  api:\n    image: registry.example.com/shop/api:1\n    port: 8080\n";

    [Theory]
    [InlineData("    volumes: { data: /data }\n", "", "services.web.volumes: web mounts volumes, which this environment's target (kind ecs) cannot do")]
    [InlineData("    sandbox: gvisor\n", "", "services.web.sandbox: web asks for the gvisor sandbox, which this environment's target (kind ecs) cannot do")]
    [InlineData("    placement: [\"node.labels.zone == eu\"]\n", "", "services.web.placement: web asks to be placed on particular nodes, which this environment's target (kind ecs) cannot do")]
    [InlineData("    allowFrom: [api]\n", "", "services.web.allowFrom: web accepts connections only from the services it lists, which this environment's target (kind ecs) cannot do")]
    [InlineData("", "crons:\n  nightly:\n    service: web\n    schedule: \"0 2 * * *\"\n", "crons.nightly.concurrency: an ecs target's crons are started by EventBridge Scheduler, which starts every due run even while the previous one still runs, so 'forbid' cannot be kept; write concurrency: allow")]
    [InlineData("    public: true\n    autoscale: { min: 1, max: 4, rps: 100 }\n", "", "services.web.autoscale.rps: an ecs target scales with Application Auto Scaling on cpu and memory")]
    public async Task What_an_ecs_target_cannot_do_is_refused_naming_the_field_and_nothing_is_made(string field, string more, string refusal)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "refusal-test-secret-key", registry: false, ct);
        var project = $"r{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, "  web:\n    image: registry.example.com/shop/web:1\n    port: 8080\n" + field + Api + more);

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains(refusal, applied.Output + applied.Error, StringComparison.Ordinal);
        var clusters = await moto.Cli.JsonAsync("ecs", "describe-clusters", "--clusters", world.Cluster);
        Assert.Empty(clusters!["clusters"]!.AsArray()); // the first apply makes the cluster: it never began
        var groups = await moto.Cli.JsonAsync("logs", "describe-log-groups", "--log-group-name-prefix", $"/paas/{project}/");
        Assert.Empty(groups!["logGroups"]!.AsArray());
    }
}
