using Gitops.Engine.Targets;
using Gitops.Providers.Gcp;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A cloudrun target's options in platform.yaml: bound into <see cref="CloudRunOptions"/>, and each
/// mistake refused with its file:line:column and what to write instead, before anything is called.
/// </summary>
public sealed class CloudRunOptionsBindingTests
{
    private static readonly ProviderRegistry Providers = new([CloudRunProvider.Instance], []);

    private const string Valid = """
        targets:
          gcp:
            kind: cloudrun
            project: shop-prod-123
            region: europe-west1

        """;

    [Fact]
    public void A_complete_cloudrun_target_binds_every_option()
    {
        var config = PlatformConfig.Parse(Valid + "    serviceAccount: runtime@shop-prod-123.iam.gserviceaccount.com\n    endpoint: http://127.0.0.1:8085\n    rolloutTimeoutSeconds: 600\n    poll: 500ms\n    builderSocket: /run/docker.sock\n", "platform.yaml", Providers);

        var options = Assert.IsType<CloudRunOptions>(config.Targets["gcp"].Options);
        Assert.Equal(("shop-prod-123", "europe-west1", "runtime@shop-prod-123.iam.gserviceaccount.com"), (options.Project, options.Region, options.ServiceAccount));
        Assert.Equal((new Uri("http://127.0.0.1:8085"), 600, TimeSpan.FromMilliseconds(500), "/run/docker.sock"), (options.BaseUri, options.RolloutTimeoutSeconds, options.Poll.Value, options.BuilderSocket));
    }

    [Fact]
    public void Without_an_endpoint_the_target_speaks_to_googles_api_and_polls_every_three_seconds()
    {
        var options = Assert.IsType<CloudRunOptions>(PlatformConfig.Parse(Valid, "platform.yaml", Providers).Targets["gcp"].Options);

        Assert.Equal((new Uri("https://run.googleapis.com"), 900, TimeSpan.FromSeconds(3)), (options.BaseUri, options.RolloutTimeoutSeconds, options.Poll.Value));
        Assert.Equal((new Uri("https://cloudscheduler.googleapis.com"), null), (options.SchedulerUri, options.SchedulerServiceAccount));
    }

    [Fact]
    public void A_stand_in_endpoint_serves_cloud_scheduler_too_unless_the_target_names_another_and_the_schedulers_account_binds()
    {
        var config = PlatformConfig.Parse(Valid + "    endpoint: http://127.0.0.1:8085\n    schedulerServiceAccount: cron@shop-prod-123.iam.gserviceaccount.com\n", "platform.yaml", Providers);
        var options = Assert.IsType<CloudRunOptions>(config.Targets["gcp"].Options);

        Assert.Equal((new Uri("http://127.0.0.1:8085"), "cron@shop-prod-123.iam.gserviceaccount.com"), (options.SchedulerUri, options.SchedulerServiceAccount));
        Assert.Equal(new Uri("http://127.0.0.1:9000"), (options with { SchedulerEndpoint = "http://127.0.0.1:9000" }).SchedulerUri);
    }

    [Theory]
    [InlineData("    project: shop-prod-123\n", "", "platform.yaml:3:5", "a cloudrun target needs project:")]
    [InlineData("    region: europe-west1\n", "", "platform.yaml:3:5", "a cloudrun target needs region:")]
    [InlineData("    project: shop-prod-123\n", "    projct: shop-prod-123\n", "platform.yaml:4:5", "unknown key 'projct'")]
    [InlineData("", "    endpoint: ftp://127.0.0.1:8085\n", "platform.yaml:6:15", "is not an http(s) URL")]
    [InlineData("", "    poll: soon\n", "platform.yaml:6:11", "'soon' is not a duration")]
    [InlineData("", "    rolloutTimeoutSeconds: 2\n", "platform.yaml:6:28", "2 is outside 10 to 86400 seconds")]
    [InlineData("", "    rolloutTimeoutSeconds: forever\n", "platform.yaml:6:28", "expected a whole number")]
    [InlineData("", "    serviceAccount: runtime\n", "platform.yaml:6:21", "give the service account's email")]
    [InlineData("", "    schedulerServiceAccount: cron\n", "platform.yaml:6:30", "schedulerServiceAccount: give the service account's email")]
    [InlineData("", "    schedulerEndpoint: ftp://127.0.0.1:8085\n", "platform.yaml:6:24", "schedulerEndpoint: 'ftp://127.0.0.1:8085' is not an http(s) URL")]
    [InlineData("    project: shop-prod-123\n", "    project: Shop_Prod\n", "platform.yaml:4:14", "'Shop_Prod' is not a Google Cloud project id")]
    [InlineData("    region: europe-west1\n", "    region: Europe\n", "platform.yaml:4:13", "'Europe' is not a Cloud Run region")]
    public void A_wrong_or_missing_cloudrun_option_is_refused_with_its_line_and_column(string remove, string add, string place, string message)
    {
        // A removed option leaves the others in place; an added one goes after kind: (line 4), or last (line 6) when nothing is removed.
        var text = remove.Length == 0
            ? Valid + add
            : Valid.Replace(remove, "", StringComparison.Ordinal).Replace("    kind: cloudrun\n", "    kind: cloudrun\n" + add, StringComparison.Ordinal);

        var refused = Assert.Throws<InvalidDataException>(() => PlatformConfig.Parse(text, "platform.yaml", Providers));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Contains(place, refused.Message, StringComparison.Ordinal);
    }
}
