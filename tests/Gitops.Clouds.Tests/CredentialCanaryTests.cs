using Amazon.Runtime;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Gitops.Providers.Aws.Api;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// A canary secret access key: it must enter the SigV4 signature of every request and appear
/// nowhere else: not in a header or body on the wire, an answer, a log line, an error, a plan, the
/// state, a file the platform wrote, or what the CLI printed.
/// </summary>
public sealed class CredentialCanaryTests(Moto moto)
{
    /// <summary>Shaped like an AWS secret key (40 characters, with / and +), so nothing treats it as unusual.</summary>
    internal const string Canary = "CANARYsecretKEY/never+printed/0123456789";
    private const string CanaryKeyId = "AKIACANARY0000000001";

    [Fact]
    public async Task The_secret_key_only_signs_each_request_and_is_in_no_header_body_answer_log_error_plan_or_state()
    {
        moto.Require();
        var ct = TestContext.Current.CancellationToken;
        var wire = new WireRecorder();
        var log = new RecordingLogger();
        await using var target = new EcsTarget(moto, new BasicAWSCredentials(CanaryKeyId, Canary), log, inner: wire.Handler);
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var services = world.Web("web", "1", replicas: 2);

        var plan = await world.PlanAsync(project, services, ct);
        var deployed = await world.ApplyAsync(project, services, ct);
        var observed = await world.ObserveAsync(project, ct);
        var refused = await Assert.ThrowsAsync<AwsApiException>(() => target.Ecs.Ecs_.UpdateServiceAsync(new UpdateServiceRequest { Cluster = target.Cluster, Service = "no-such-service" }, ct));
        var probe = await target.Driver.ProbeAsync(ct);

        Assert.True(deployed.Status == DeploymentStatus.Succeeded, deployed.Error);
        Assert.Equal(2, observed.Containers.Count);
        var exchanges = wire.Exchanges;
        Assert.True(exchanges.Count > 10, $"{exchanges.Count} requests recorded");
        Assert.True(log.Count > 0, "nothing was logged: the log check would prove nothing");
        foreach (var exchange in exchanges)
        {
            var authorization = SigV4Check.Parse(exchange.Headers["Authorization"]);
            Assert.True(authorization.Success, exchange.Headers["Authorization"]);
            Assert.Equal(CanaryKeyId, authorization.Groups["key"].Value);
            Assert.Matches("^[0-9a-f]{64}$", exchange.Headers["X-Amz-Content-SHA256"]); // the payload is signed too
            Assert.Equal(SigV4Check.Expected(exchange, Canary), authorization.Groups["signature"].Value); // the key is in the signature
        }

        // The state's lock file is held exclusively while the state is open: it is the lock, and holds no data.
        var states = Directory.EnumerateFiles(world.State.DataDirectory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "state.lock").ToList();
        Assert.NotEmpty(states);
        var texts = new Dictionary<string, string>
        {
            ["wire"] = string.Join("\n----\n", exchanges),
            ["log"] = log.Text,
            ["plan"] = PlanText.Render(plan) + deployed.PlanText,
            ["deployment"] = $"{deployed.Error} {string.Join("\n", world.State.History(project, ConformanceHarness.Environment).Select(d => d.ToString()))}",
            ["journal"] = string.Join("\n", world.State.JournalOf(deployed.Id).Select(e => e.ToString())),
            ["AWS error"] = refused.ToString(),
            ["probe"] = probe.Detail,
        };
        foreach (var file in states)
        {
            texts[file] = CanaryText.ReadShared(file);
        }

        AssertNoCanary(texts);
    }

    [Fact]
    public async Task Through_the_cli_the_secret_key_signs_the_requests_and_is_in_no_output_error_or_file()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await EcsWorld.StartAsync(moto, Canary, registry: false, ct, accessKeyId: CanaryKeyId);
        var project = $"k{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, "  web:\n    image: registry.example.com/canary/web:1\n    port: 8080\n    env: { VERSION: \"1\" }\n");
        var runs = new List<CliRun>();
        IReadOnlyList<System.Text.Json.Nodes.JsonObject> requests;
        await using (var recording = await moto.RecordAsync(ct))
        {
            runs.Add(world.Plan());
            runs.Add(world.Apply());
            runs.Add(world.Paas("status", world.AppDirectory, "--env", EcsWorld.Environment));
            runs.Add(world.Paas("history", world.AppDirectory, "--env", EcsWorld.Environment, "--output", "json"));
            world.WriteManifest(project, "  web:\n    image: registry.example.com/canary/web:1\n    port: 8080\n    volumes: { data: /data }\n");
            runs.Add(world.Apply()); // refused: an error message too
            requests = recording.Requests();
        }

        Assert.True(runs[1].ExitCode == 0, runs[1].ToString());
        Assert.NotEqual(0, runs[^1].ExitCode);
        var ours = requests.Where(r => ((string?)r["headers"]?["Authorization"] ?? "").Contains($"Credential={CanaryKeyId}/", StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count > 5, $"{ours.Count} of moto's {requests.Count} recorded requests were signed with the canary's key id: the CLI did not use the environment's credentials");
        Assert.All(ours, r => Assert.Matches(@"Signature=[0-9a-f]{64}$", (string?)r["headers"]!["Authorization"]));
        var texts = new Dictionary<string, string> { ["recorded requests"] = string.Join("\n", requests.Select(r => r.ToJsonString())) };
        for (var i = 0; i < runs.Count; i++)
        {
            texts[$"paas run {i}"] = runs[i].ToString();
        }

        foreach (var file in world.Files)
        {
            texts[file] = CanaryText.ReadShared(file);
        }

        AssertNoCanary(texts);
    }

    internal static void AssertNoCanary(Dictionary<string, string> texts) => CanaryText.AssertAbsent(texts, [Canary]);
}
