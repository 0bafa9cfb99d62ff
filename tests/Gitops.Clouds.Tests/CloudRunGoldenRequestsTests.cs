using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gitops.Clouds.Tests.Fake;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The exact requests the cloudrun driver writes to the Cloud Run Admin API for one story, through
/// <c>paas apply</c> on the FAKE: a public service with secrets and autoscale created, its image
/// changed, made private, given a cron (a Cloud Run job and a Cloud Scheduler job), the cron's
/// schedule changed, then the cron removed. Each step's writes (method, path, JSON body; reads left
/// out) are compared with <c>Golden/cloudrun/*.json</c>, etags and the fake's address normalised. When a change is intended, run
/// with PAAS_UPDATE_GOLDEN=1 (the repository's convention, as GoldenObjectsTests) and review the diff.
/// </summary>
public sealed partial class CloudRunGoldenRequestsTests
{
    private const string Project = "shop";
    private const string Secret = "projects/paas-fake-project/secrets/shop-database-url/versions/3";

    private static string Web(string tag, bool open) =>
        $"  web:\n    image: europe-docker.pkg.dev/paas-fake-project/shop/web:{tag}\n    command: [\"serve\", \"--port\", \"8080\"]\n    port: 8080\n"
        + (open ? "    public: true\n" : "")
        + "    env: { LOG_LEVEL: info }\n    secrets: [DATABASE_URL]\n    autoscale: { min: 1, max: 5 }\n"
        + "    resources: { cpu: 1, memory: 512Mi }\n    health: { path: /healthz, interval: 5s, timeout: 2s, retries: 3, startPeriod: 10s }\n";

    [Fact]
    public async Task The_driver_writes_exactly_the_golden_requests_for_create_change_image_make_private_and_a_crons_add_change_and_removal()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await CloudRunWorld.StartAsync(ct);
        world.WriteManifest(Project, Web("1.0.0", open: true));
        world.SetSecret(Project, "DATABASE_URL", Secret).Succeeded();

        var steps = new List<(string Name, string Manifest)>
        {
            ("01-create-public-with-secrets-and-autoscale", Web("1.0.0", open: true)),
            ("02-change-image", Web("1.1.0", open: true)),
            ("03-make-private", Web("1.1.0", open: false)),
            ("04-add-cron", Web("1.1.0", open: false) + Cron("0 3 * * *")),
            ("05-change-cron-schedule", Web("1.1.0", open: false) + Cron("@weekly")),
            ("06-remove-cron", Web("1.1.0", open: false)),
        };
        var failures = new List<string>();
        var seen = 0;
        foreach (var (name, manifest) in steps)
        {
            var cron = manifest.IndexOf("crons:", StringComparison.Ordinal);
            world.WriteManifest(Project, cron < 0 ? manifest : manifest[..cron], cron < 0 ? "" : manifest[cron..]);
            world.Apply().Succeeded();
            var calls = world.Fake.Calls;
            var writes = calls.Skip(seen).Where(c => c.Method != "GET").Select(c => Normalise(c, world.Fake.BaseAddress)).ToList();
            seen = calls.Count;
            GoldenRequests.Check("cloudrun", name, writes, failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private static string Cron(string schedule) =>
        $"crons:\n  nightly:\n    service: web\n    schedule: \"{schedule}\"\n    timeZone: Europe/Paris\n    command: [\"manage\", \"clearsessions\"]\n    timeout: 20m\n    concurrency: allow\n";

    /// <summary>A write as the golden files keep it: etags and the fake's address (random per run) replaced.</summary>
    private static JsonObject Normalise(RecordedCall call, Uri fake)
    {
        var text = Etags().Replace(call.Body, "\"etag\":\"<etag>\"").Replace(fake.ToString(), "https://run.googleapis.com/", StringComparison.Ordinal);
        var body = call.Body.Length == 0 ? null : JsonNode.Parse(text);
        return new JsonObject { ["method"] = call.Method, ["path"] = call.Path, ["body"] = body };
    }

    [GeneratedRegex("\"etag\":\"[^\"]*\"")]
    private static partial Regex Etags();
}
