using Gitops.Schema.Diagnostics;
using Gitops.Schema.Loading;
using Gitops.Schema.Model;

namespace Gitops.Schema.Tests;

public sealed class ManifestModelTests
{
    private const string Shop = """
        version: 1
        project: shop
        environments:
          staging:    { branch: staging }
          production: { branch: main, target: prod-cluster, approval: required }
        services:
          web:
            build: { context: web }
            port: 8080
            public: true
            domains: [staging.shop.test]
            env: { LOG_LEVEL: info, SHOP_NAME: Corner, WORKERS: 4, DEBUG: false }
            health: { path: /healthz }
            resources: { cpu: 500m, memory: 256Mi }
        crons:
          report: { service: web, schedule: "0 2 * * *", command: ["/app/report"] }
        overrides:
          production:
            services:
              web:
                replicas: 3
                domains: [shop.test]
                env: { LOG_LEVEL: warn }
            crons:
              report: { schedule: "0 4 * * *" }
        """;

    [Fact]
    public void Override_merges_maps_key_by_key_and_replaces_lists_and_values()
    {
        var result = Load(Shop);

        var production = result.ForEnvironment("production").Services["web"];
        Assert.Equal(3, production.Replicas);
        Assert.Equal(ValueList.Of("shop.test"), production.Domains);
        Assert.Equal("warn", production.Env["LOG_LEVEL"]);
        Assert.Equal("Corner", production.Env["SHOP_NAME"]);
        Assert.Equal("0 4 * * *", result.ForEnvironment("production").Crons["report"].Schedule);
        Assert.Equal(ValueList.Of("/app/report"), result.ForEnvironment("production").Crons["report"].Command);

        var staging = result.ForEnvironment("staging").Services["web"];
        Assert.Equal(1, staging.Replicas);
        Assert.Equal(ValueList.Of("staging.shop.test"), staging.Domains);
        Assert.Equal("info", staging.Env["LOG_LEVEL"]);
    }

    [Fact]
    public void Effective_manifests_carry_no_overrides_and_the_base_keeps_them()
    {
        var result = Load(Shop);

        Assert.Empty(result.ForEnvironment("production").Overrides);
        Assert.Single(result.Manifest!.Overrides);
        Assert.Equal(1, result.Manifest.Services["web"].Replicas);
    }

    [Fact]
    public void Defaults_are_filled_in_where_the_manifest_is_silent()
    {
        var manifest = Load("version: 1\nproject: shop\nservices:\n  web: { image: busybox:1.36, port: 80, health: {} }\n  worker: { image: busybox:1.36 }\n").Manifest!;

        var web = manifest.Services["web"];
        Assert.Equal("/", web.Health!.Path);
        Assert.Equal(TimeSpan.FromSeconds(10), web.Health.Interval.Value);
        Assert.Equal(TimeSpan.FromSeconds(5), web.Health.Timeout.Value);
        Assert.Equal(3, web.Health.Retries);
        Assert.Equal(DeployStrategy.Rolling, web.Deploy.Strategy);
        Assert.Equal(TimeSpan.FromSeconds(30), web.Deploy.Drain.Value);
        Assert.Equal(SandboxKind.None, web.Sandbox);
        Assert.False(web.Public);
        Assert.Null(manifest.Services["worker"].Health);
        Assert.Null(manifest.Services["worker"].Command);

        var environment = Assert.Single(manifest.Environments);
        Assert.Equal(("production", "main", "local", Approval.None), (environment.Key, environment.Value.Branch, environment.Value.Target, environment.Value.Approval));
    }

    [Fact]
    public void Units_are_normalized_on_read()
    {
        var web = Load(Shop).Manifest!.Services["web"];

        Assert.Equal(500, web.Resources.Cpu!.Value.Millicores);
        Assert.Equal(256L * 1024 * 1024, web.Resources.Memory!.Value.Bytes);
        Assert.Equal("4", web.Env["WORKERS"]);
        Assert.Equal("false", web.Env["DEBUG"]);
        Assert.Equal(Approval.Required, Load(Shop).Manifest!.Environments["production"].Approval);
    }

    [Fact]
    public void Loading_the_same_text_twice_gives_equal_manifests_and_one_change_breaks_equality()
    {
        var first = Load(Shop);
        var second = Load(Shop);
        var changed = Load(Shop.Replace("LOG_LEVEL: info", "LOG_LEVEL: debug", StringComparison.Ordinal));

        Assert.Equal(first.Manifest, second.Manifest);
        Assert.Equal(first.Manifest!.GetHashCode(), second.Manifest!.GetHashCode());
        Assert.Equal(first.ForEnvironment("production"), second.ForEnvironment("production"));
        Assert.NotEqual(first.Manifest, changed.Manifest);
        Assert.NotEqual(first.ForEnvironment("staging"), changed.ForEnvironment("staging"));
    }

    [Fact]
    public void Key_order_does_not_change_equality()
    {
        var a = Load("version: 1\nproject: shop\nservices:\n  a: { image: busybox:1.36, env: { X: '1', Y: '2' } }\n  b: { image: busybox:1.36 }\n");
        var b = Load("project: shop\nversion: 1\nservices:\n  b: { image: busybox:1.36 }\n  a: { env: { Y: '2', X: '1' }, image: busybox:1.36 }\n");

        Assert.Equal(a.Manifest, b.Manifest);
    }

    [Fact]
    public void All_errors_of_a_file_are_reported_at_once_in_file_order()
    {
        var result = ManifestLoader.LoadText("version: 1\nproject: Shop\nservices:\n  web:\n    image: busybox:1.36\n    port: 0\n    replica: 2\n", "x.yaml");

        Assert.Equal(
            [$"2:10 {ErrorCodes.Name}", $"6:11 {ErrorCodes.Port}", $"7:5 {ErrorCodes.UnknownKey}"],
            result.Errors.Select(e => $"{e.Location.Line}:{e.Location.Column} {e.Code}"));
    }

    [Fact]
    public void An_error_found_only_after_the_merge_points_into_the_override()
    {
        var result = ManifestLoader.LoadText(
            "version: 1\nproject: shop\nservices:\n  web: { image: busybox:1.36, port: 80 }\noverrides:\n  production:\n    services: { web: { port: 99999 } }\n",
            "x.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal((ErrorCodes.Port, 7, 30), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Unknown_environment_is_a_clear_error()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Load(Shop).ForEnvironment("dev"));
        Assert.Contains("production, staging", error.Message, StringComparison.Ordinal);
    }

    private static ManifestLoadResult Load(string yaml)
    {
        var result = ManifestLoader.LoadText(yaml, "paas.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result;
    }
}
