using System.Text.Json;
using System.Text.Json.Nodes;
using Gitops.Engine.State;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The exact EventBridge Scheduler requests the ecs driver writes for one story on moto: a service
/// with a cron created, the cron's schedule changed, the cron removed. Each step's writes (method,
/// path, JSON body; reads left out) are compared with <c>Golden/ecs/*.json</c>, with what differs per
/// run (the cluster, moto's subnets and security group, the account) replaced by placeholders. When a
/// change is intended, run with PAAS_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
public sealed class EcsCronGoldenRequestsTests(Moto moto)
{
    private const string Project = "goldencron";

    [Fact]
    public async Task The_driver_writes_exactly_the_golden_scheduler_requests_for_create_change_and_remove_a_cron()
    {
        moto.Require();
        var ct = TestContext.Current.CancellationToken;
        var wire = new WireRecorder();
        await using var target = new EcsTarget(moto, inner: wire.Handler, configure: o => o with { SchedulerRole = Moto.SchedulerRole });
        await using var world = new ConformanceHarness(target);
        var web = world.Web("web", "1");
        var steps = new List<(string Name, string Manifest)>
        {
            ("01-create-cron", web + "crons:\n  nightly: { service: web, schedule: \"30 2 * * 1-5\", timeZone: Europe/Paris, command: [\"./report\"], timeout: 10m, concurrency: allow }\n"),
            ("02-change-schedule", web + "crons:\n  nightly: { service: web, schedule: \"0 3 * * *\", timeZone: Europe/Paris, command: [\"./report\"], timeout: 10m, concurrency: allow }\n"),
            ("03-remove-cron", web),
        };
        var failures = new List<string>();
        var seen = 0;
        foreach (var (name, manifest) in steps)
        {
            var deployment = await world.ApplyAsync(Project, manifest, ct);
            Assert.True(deployment.Status == DeploymentStatus.Succeeded, deployment.Error);
            var exchanges = wire.Exchanges;
            var writes = exchanges.Skip(seen).Where(e => e.Method != "GET" && IsScheduler(e)).Select(e => (JsonNode)Normalise(e, target)).ToList();
            seen = exchanges.Count;
            GoldenRequests.Check("ecs", name, writes, failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private static bool IsScheduler(RecordedExchange exchange) =>
        exchange.Uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var first, ..] && first is "schedules" or "schedule-groups" or "tags";

    /// <summary>A write as the golden files keep it: what differs per run replaced.</summary>
    private static JsonObject Normalise(RecordedExchange exchange, EcsTarget target)
    {
        var body = exchange.Body
            .Replace(target.Cluster, "<cluster>", StringComparison.Ordinal)
            .Replace(target.Options.Subnets[0], "<subnet-a>", StringComparison.Ordinal)
            .Replace(target.Options.Subnets[1], "<subnet-b>", StringComparison.Ordinal)
            .Replace(target.Options.SecurityGroups[0], "<security-group>", StringComparison.Ordinal);
        return new JsonObject
        {
            ["method"] = exchange.Method,
            ["path"] = Uri.UnescapeDataString(exchange.Uri.PathAndQuery),
            ["body"] = body.Length == 0 ? null : JsonNode.Parse(body),
        };
    }
}
