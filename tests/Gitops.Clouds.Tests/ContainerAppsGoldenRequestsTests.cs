using System.Text.Json;
using System.Text.Json.Nodes;
using Gitops.Clouds.Tests.Fake;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The exact requests the containerapps driver writes to Azure Resource Manager for one story, through
/// <c>paas apply</c> on the FAKE: a public service with a Key Vault secret and autoscale created, its
/// image changed, then made private. Each step's writes (method, path, JSON body; reads left out) are
/// compared with <c>Golden/containerapps/*.json</c> (nothing in them varies between runs: the revision
/// suffix is the fingerprint's). The story changes nothing but <c>public</c> last, so only the route's
/// removal writes then (a service change in the same apply would race it, both correct, in either
/// order); <c>autoscale.rps</c>, which needs a public service, is in <see cref="ContainerAppSpecsTests"/>.
/// A second story writes a service's crons as jobs: made, one's schedule changed, one removed.
/// When a change is intended, run with PAAS_UPDATE_GOLDEN=1 (the repository's convention, as
/// GoldenObjectsTests) and review the diff.
/// </summary>
public sealed class ContainerAppsGoldenRequestsTests
{
    private const string Project = "shop";
    private const string Secret = "https://shop-vault.vault.azure.net/secrets/database-url";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string Web(string tag, bool open) =>
        $"  web:\n    image: paasfake.azurecr.io/shop/web:{tag}\n    command: [\"serve\", \"--port\", \"8080\"]\n    port: 8080\n"
        + (open ? "    public: true\n" : "")
        + "    env: { LOG_LEVEL: info }\n    secrets: [DATABASE_URL]\n    autoscale: { min: 1, max: 5, cpu: 70 }\n"
        + "    resources: { cpu: 0.6, memory: 512Mi }\n    health: { path: /healthz, interval: 5s, timeout: 2s, retries: 3, startPeriod: 10s }\n";

    [Fact]
    public async Task The_driver_writes_exactly_the_golden_requests_for_create_change_image_and_make_private()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await ContainerAppsWorld.StartAsync(ct);
        world.WriteManifest(Project, Web("1.0.0", open: true));
        world.SetSecret(Project, "DATABASE_URL", Secret).Succeeded();

        var failures = Story(world, [
            ("01-create-public-with-secret-and-autoscale", Web("1.0.0", open: true), ""),
            ("02-change-image", Web("1.1.0", open: true), ""),
            ("03-make-private", Web("1.1.0", open: false), ""),
        ]);

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public async Task The_driver_writes_exactly_the_golden_requests_for_crons_made_changed_and_removed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await ContainerAppsWorld.StartAsync(ct);
        world.WriteManifest(Project, Web("1.0.0", open: false));
        world.SetSecret(Project, "DATABASE_URL", Secret).Succeeded();
        const string Report = "  report:\n    service: web\n    schedule: \"0 6 * * MON\"\n    command: [\"report\", \"--weekly\"]\n    timeout: 30m\n    concurrency: allow\n";
        static string Nightly(string schedule) => $"  nightly:\n    service: web\n    schedule: \"{schedule}\"\n    timeZone: UTC\n    concurrency: allow\n";

        var failures = Story(world, [
            ("cron-01-create-service-with-two-crons", Web("1.0.0", open: false), "crons:\n" + Nightly("@daily") + Report),
            ("cron-02-change-a-schedule", Web("1.0.0", open: false), "crons:\n" + Nightly("15 3 * * *") + Report),
            ("cron-03-remove-a-cron", Web("1.0.0", open: false), "crons:\n" + Nightly("15 3 * * *")),
        ]);

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>Applies each step's manifest and compares its writes with the step's golden file; the differences.</summary>
    private static List<string> Story(ContainerAppsWorld world, List<(string Name, string Services, string More)> steps)
    {
        var failures = new List<string>();
        var seen = 0;
        foreach (var (name, manifest, more) in steps)
        {
            world.WriteManifest(Project, manifest, more);
            world.Apply().Succeeded();
            var calls = world.Fake.Calls;
            var writes = calls.Skip(seen).Where(c => c.Method != "GET").Select(c => (JsonNode)new JsonObject
            {
                ["method"] = c.Method,
                ["path"] = c.Path,
                ["body"] = c.Body.Length == 0 ? null : JsonNode.Parse(c.Body),
            }).ToList();
            seen = calls.Count;
            GoldenRequests.Check("containerapps", name, writes, failures, Indented);
        }

        return failures;
    }
}
