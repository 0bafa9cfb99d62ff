using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The service principal's client secret must only reach Entra's token request, and each access token
/// only the Authorization header of ARM calls: neither may appear in another header, a body, an answer,
/// a log line, an error, a plan, the state (where the stored principal is sealed), a file the platform
/// wrote, or what the CLI printed. The principal is stored as a user stores it: <c>az ad sp
/// create-for-rbac … | paas target credentials NAME</c>.
/// </summary>
public sealed class ContainerAppsCredentialCanaryTests
{
    [Fact]
    public async Task The_client_secret_and_access_tokens_are_only_in_the_token_request_and_authorization_header()
    {
        var ct = TestContext.Current.CancellationToken;
        var log = new RecordingLogger();
        WireRecorder? wire = null;
        await using var target = await ContainerAppsTarget.StartAsync(log, inner: fake => (wire = new WireRecorder(fake.TrustingHandler)).Handler);
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var services = world.Web("web", "1", replicas: 2);

        var plan = await world.PlanAsync(project, services, ct);
        var deployed = await world.ApplyAsync(project, services, ct);
        var broken = await world.ApplyAsync(project, world.Web("web", "2", replicas: 2, health: "/missing"), ct); // an error's path too
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => target.ContainerApps.Client.PutAsync("no-such-app", new Gitops.Providers.Azure.Api.ContainerApp(), "\"stale\"", ct));
        var probe = await target.Driver.ProbeAsync(ct);

        Assert.True(deployed.Status == DeploymentStatus.Succeeded, deployed.Error);
        Assert.Equal(DeploymentStatus.RolledBack, broken.Status);
        var tokens = target.Fake.IssuedTokens;
        Assert.NotEmpty(tokens);
        var exchanges = wire!.Exchanges;
        Assert.True(exchanges.Count > 10, $"{exchanges.Count} requests recorded");
        Assert.True(log.Count > 0, "nothing was logged: the log check would prove nothing");
        Assert.All(exchanges, e => Assert.Contains(e.Headers["Authorization"]["Bearer ".Length..], tokens));
        Assert.Equal(0, target.Fake.Unauthenticated);

        var states = Directory.EnumerateFiles(world.State.DataDirectory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "state.lock").ToList();
        Assert.NotEmpty(states);
        var texts = new Dictionary<string, string>
        {
            ["wire without the Authorization header"] = string.Join("\n----\n", exchanges.Select(e => e with { Headers = e.Headers.Where(h => h.Key != "Authorization").ToDictionary() })),
            ["log"] = log.Text,
            ["plan"] = PlanText.Render(plan) + deployed.PlanText + broken.PlanText,
            ["deployments"] = $"{deployed.Error} {broken.Error} {string.Join("\n", world.State.History(project, ConformanceHarness.Environment).Select(d => d.ToString()))}",
            ["journal"] = string.Join("\n", world.State.JournalOf(deployed.Id).Concat(world.State.JournalOf(broken.Id)).Select(e => e.ToString())),
            ["ARM error"] = refused.ToString(),
            ["probe"] = probe.Detail,
        };
        foreach (var file in states)
        {
            texts[file] = CanaryText.ReadShared(file);
        }

        AssertAbsent(texts, [target.Fake.ClientSecret, .. tokens]);
    }

    [Fact]
    public async Task A_refused_client_secret_fails_with_entras_words_and_without_quoting_the_secret()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Wrong = "Wr0ng~CANARY-client-secret-0123456789";
        await using var target = await ContainerAppsTarget.StartAsync(principal: fake => fake.ServicePrincipalJson.Replace(fake.ClientSecret, Wrong, StringComparison.Ordinal));

        var probe = await target.Driver.ProbeAsync(ct);
        var observe = await Assert.ThrowsAnyAsync<Exception>(() => target.Driver.ObserveAsync("shop", "dev", ct));

        Assert.False(probe.Answers);
        Assert.True(probe.Detail.Contains("Microsoft Entra refused a token", StringComparison.Ordinal) && probe.Detail.Contains("AADSTS7000215", StringComparison.Ordinal), $"{probe.Detail}\n{observe}");
        Assert.True(target.Fake.RefusedTokenRequests > 0);
        AssertAbsent(new() { ["probe"] = probe.Detail, ["observe"] = observe.ToString() }, [Wrong]);
        Assert.Empty(target.Fake.Calls);
    }

    [Fact]
    public async Task Through_the_cli_the_stored_principal_signs_in_and_its_secret_and_tokens_are_in_no_output_error_or_file()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await ContainerAppsWorld.StartAsync(ct);
        var project = $"k{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, "  web:\n    image: paasfake.azurecr.io/canary/web:1\n    port: 8080\n    public: true\n    env: { VERSION: \"1\" }\n");
        var runs = new List<CliRun>
        {
            world.Plan(),
            world.Apply(),
            world.Paas("status", world.AppDirectory, "--env", ContainerAppsWorld.Environment),
            world.Paas("history", world.AppDirectory, "--env", ContainerAppsWorld.Environment, "--output", "json"),
            world.Paas("target", "list", "-o", "json"),
        };
        world.WriteManifest(project, "  web:\n    image: paasfake.azurecr.io/canary/web:1\n    port: 8080\n    volumes: { data: /data }\n");
        runs.Add(world.Apply()); // refused: an error message too

        Assert.True(runs[1].ExitCode == 0, runs[1].ToString());
        Assert.NotEqual(0, runs[^1].ExitCode);
        var listed = JsonNode.Parse(runs[4].Output)!["targets"]!.AsArray().Single(t => (string?)t!["name"] == "azure")!;
        Assert.Equal("containerapps", (string?)listed["kind"]);
        Assert.NotNull((string?)listed["credentialsStoredAt"]);
        Assert.NotEmpty(world.Fake.IssuedTokens);
        Assert.Contains(world.Fake.Calls, c => c.Method == "PUT");
        var texts = new Dictionary<string, string> { ["calls the fake received"] = string.Join("\n", world.Fake.Calls) };
        for (var i = 0; i < runs.Count; i++)
        {
            texts[$"paas run {i}"] = runs[i].ToString();
        }

        foreach (var file in world.Files)
        {
            texts[file] = CanaryText.ReadShared(file); // the state holds the principal sealed, never as written
        }

        AssertAbsent(texts, [world.Fake.ClientSecret, .. world.Fake.IssuedTokens]);
    }

    [Theory]
    [InlineData("not JSON", "Cs8Q~CANARY.never-printed.0123456789")]
    [InlineData("appId is missing", """{ "password": "Cs8Q~CANARY.never-printed.0123456789", "tenant": "72f988bf-0000-4000-8000-00000000fa4e" }""")]
    [InlineData("password is missing", """{ "appId": "0b5e6a6d-0000-4000-8000-0000000c11e7", "Password": "Cs8Q~CANARY.never-printed.0123456789", "tenant": "72f988bf-0000-4000-8000-00000000fa4e" }""")]
    [InlineData("tenant is missing", """{ "appId": "0b5e6a6d-0000-4000-8000-0000000c11e7", "password": "Cs8Q~CANARY.never-printed.0123456789" }""")]
    [InlineData("appId is not a GUID", """{ "appId": "deployer", "password": "Cs8Q~CANARY.never-printed.0123456789", "tenant": "72f988bf-0000-4000-8000-00000000fa4e" }""")]
    public async Task A_value_that_is_not_a_service_principal_is_refused_unquoted_and_nothing_is_stored(string said, string value)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await ContainerAppsWorld.StartAsync(ct, store: false);

        var refused = world.PaasWithInput(value, "target", "credentials", "azure");
        var list = world.Paas("target", "list", "-o", "json").Succeeded();

        Assert.Equal(1, refused.ExitCode); // invalid input
        Assert.Contains(said, refused.Error, StringComparison.Ordinal);
        AssertAbsent(new() { ["the refusal"] = refused.ToString() }, ["Cs8Q~CANARY.never-printed.0123456789"]);
        Assert.All(JsonNode.Parse(list.Output)!["targets"]!.AsArray(), t => Assert.Null((string?)t!["credentialsStoredAt"]));
    }

    /// <summary>Each secret as written, and as JSON or a URL would escape it.</summary>
    private static void AssertAbsent(Dictionary<string, string> texts, IReadOnlyCollection<string> secrets)
    {
        Assert.NotEmpty(secrets);
        foreach (var (where, text) in texts)
        {
            foreach (var secret in secrets)
            {
                foreach (var spelling in new[] { secret, Uri.EscapeDataString(secret), secret.Replace("~", "\\u007E", StringComparison.Ordinal) })
                {
                    Assert.False(text.Contains(spelling, StringComparison.Ordinal), $"a credential ({Regex.Replace(secret, "(?<=^.{8}).*", "…")}) is in {where}");
                }
            }
        }
    }
}
