namespace Gitops.Clouds.Tests;

/// <summary>
/// The ecs driver's own refusals, for what the kind can do but not the way it is asked, through
/// <c>paas apply</c>: named by field, a secret's value never shown or sent, nothing registered on moto.
/// </summary>
public sealed class EcsDriverRefusalTests(Moto moto)
{
    private const string Web = "  web:\n    image: registry.example.com/shop/web:1\n    port: 8080\n";

    [Fact]
    public async Task A_public_service_on_a_target_without_a_load_balancer_listener_is_refused_naming_the_field_and_nothing_is_made()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, "refusal-test-secret-key", registry: false, ct, listener: false);
        var project = $"r{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Web + "    public: true\n");

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains("services.web.public: an ecs target routes public services through an Application Load Balancer listener, and this target has none", applied.ToString(), StringComparison.Ordinal);
        Assert.Empty((await moto.Cli.JsonAsync("ecs", "describe-clusters", "--clusters", world.Cluster))!["clusters"]!.AsArray());
    }

    [Fact]
    public async Task A_secret_whose_stored_value_is_not_an_arn_is_refused_without_showing_it_and_no_task_definition_is_registered()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Value = "postgres://app:plain-password-canary@db/app";
        await using var world = await EcsWorld.StartAsync(moto, "refusal-test-secret-key", registry: false, ct);
        var project = $"r{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, Web + "    secrets: [DATABASE_URL]\n");
        var set = world.PaasWithInput(Value + "\n", "secrets", "set", project, "DATABASE_URL", "--env", EcsWorld.Environment);
        Assert.True(set.ExitCode == 0, set.ToString());

        var applied = world.Apply();

        Assert.True(applied.ExitCode != 0, applied.ToString());
        Assert.Contains("services.web.secrets.DATABASE_URL: an ecs target gives secrets to tasks as references only", applied.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("plain-password-canary", applied.ToString(), StringComparison.Ordinal);
        var family = Gitops.Providers.Aws.EcsNames.Service(project, EcsWorld.Environment, "web");
        Assert.Empty((await moto.Cli.JsonAsync("ecs", "list-task-definitions", "--family-prefix", family))!["taskDefinitionArns"]!.AsArray());
        Assert.Empty((await moto.Cli.JsonAsync("ecs", "list-services", "--cluster", world.Cluster))!["serviceArns"]!.AsArray());
    }
}
