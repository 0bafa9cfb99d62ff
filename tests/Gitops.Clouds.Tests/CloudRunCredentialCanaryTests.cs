using System.Text;
using System.Text.RegularExpressions;
using Gitops.Engine.Planning;
using Gitops.Engine.State;
using Gitops.Tests.Conformance;

namespace Gitops.Clouds.Tests;

/// <summary>
/// The service account's private key must only sign the JWT assertion the token endpoint checks,
/// and each access token only ride in the Authorization header of API calls: neither may appear in
/// another header, a body, an answer, a log line, an error, a plan, the state, a file the platform
/// wrote, or what the CLI printed.
/// </summary>
public sealed class CloudRunCredentialCanaryTests
{
    [Fact]
    public async Task The_private_key_and_access_tokens_are_only_in_the_assertion_and_authorization_header()
    {
        var ct = TestContext.Current.CancellationToken;
        var wire = new WireRecorder();
        var log = new RecordingLogger();
        await using var target = await CloudRunTarget.StartAsync(log, inner: wire.Handler);
        await using var world = new ConformanceHarness(target);
        var project = world.NewProject();
        var services = world.Web("web", "1", replicas: 2);

        var plan = await world.PlanAsync(project, services, ct);
        var deployed = await world.ApplyAsync(project, services, ct);
        var broken = await world.ApplyAsync(project, world.Web("web", "2", replicas: 2, health: "/missing"), ct); // an error's path too
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => target.CloudRun.Client.UpdateServiceAsync("no-such-service", new Gitops.Providers.Gcp.Api.RunService(), ct));
        var probe = await target.Driver.ProbeAsync(ct);

        Assert.True(deployed.Status == DeploymentStatus.Succeeded, deployed.Error);
        Assert.Equal(DeploymentStatus.RolledBack, broken.Status);
        var tokens = target.Fake.IssuedTokens;
        Assert.NotEmpty(tokens);
        var exchanges = wire.Exchanges;
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
            ["API error"] = refused.ToString(),
            ["probe"] = probe.Detail,
        };
        foreach (var file in states)
        {
            texts[file] = CanaryText.ReadShared(file);
        }

        CanaryText.AssertAbsent(texts, Secrets(target.Fake.PrivateKeyPem, tokens));
    }

    [Fact]
    public async Task A_key_that_cannot_be_read_is_refused_without_quoting_it()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Canary = "CANARY-not-a-key-0123456789";
        await using var target = await CloudRunTarget.StartAsync(key: _ => $"{{\"type\":\"service_account\",\"client_email\":\"a@b.c\",\"private_key\":\"{Canary}\"}}");

        var probe = await target.Driver.ProbeAsync(ct);
        var observe = await Assert.ThrowsAnyAsync<Exception>(() => target.Driver.ObserveAsync("shop", "dev", ct));

        Assert.False(probe.Answers);
        Assert.Contains("the service-account key is not a service_account JSON key", probe.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, probe.Detail + observe, StringComparison.Ordinal);
        Assert.Empty(target.Fake.Calls);
    }

    [Fact]
    public async Task Through_the_cli_the_key_and_tokens_are_in_no_output_error_or_file()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await CloudRunWorld.StartAsync(ct);
        var project = $"k{Guid.NewGuid():N}"[..12];
        world.WriteManifest(project, "  web:\n    image: europe-docker.pkg.dev/canary/web:1\n    port: 8080\n    public: true\n    env: { VERSION: \"1\" }\n");
        var runs = new List<CliRun>
        {
            world.Plan(),
            world.Apply(),
            world.Paas("status", world.AppDirectory, "--env", CloudRunWorld.Environment),
            world.Paas("history", world.AppDirectory, "--env", CloudRunWorld.Environment, "--output", "json"),
        };
        world.WriteManifest(project, "  web:\n    image: europe-docker.pkg.dev/canary/web:1\n    port: 8080\n    volumes: { data: /data }\n");
        runs.Add(world.Apply()); // refused: an error message too

        Assert.True(runs[1].ExitCode == 0, runs[1].ToString());
        Assert.NotEqual(0, runs[^1].ExitCode);
        Assert.NotEmpty(world.Fake.IssuedTokens);
        Assert.Contains(world.Fake.Calls, c => c.Method == "POST");
        var texts = new Dictionary<string, string> { ["calls the fake received"] = string.Join("\n", world.Fake.Calls) };
        for (var i = 0; i < runs.Count; i++)
        {
            texts[$"paas run {i}"] = runs[i].ToString();
        }

        foreach (var file in world.Files)
        {
            texts[file] = CanaryText.ReadShared(file);
        }

        CanaryText.AssertAbsent(texts, Secrets(world.Fake.PrivateKeyPem, world.Fake.IssuedTokens));
    }

    /// <summary>The tokens, and each line of the key's base64 body (no text carries a PEM whole; a fragment of it is as bad).</summary>
    internal static List<string> Secrets(string pem, IEnumerable<string> tokens) =>
        [.. tokens, .. pem.Split('\n').Select(l => l.Trim()).Where(l => l.Length >= 40 && !l.StartsWith("-----", StringComparison.Ordinal))];
}

/// <summary>Where canaries are looked for: texts as written, and as JSON or a URL would escape them.</summary>
internal static class CanaryText
{
    public static void AssertAbsent(Dictionary<string, string> texts, IReadOnlyCollection<string> secrets)
    {
        Assert.NotEmpty(secrets);
        foreach (var (where, text) in texts)
        {
            foreach (var secret in secrets)
            {
                foreach (var spelling in new[] { secret, secret.Replace("/", "\\/", StringComparison.Ordinal), Uri.EscapeDataString(secret), secret.Replace("+", "\\u002B", StringComparison.Ordinal) })
                {
                    Assert.False(text.Contains(spelling, StringComparison.Ordinal), $"a credential ({Regex.Replace(secret, "(?<=^.{8}).*", "…")}) is in {where}");
                }
            }
        }
    }

    /// <summary>A file as UTF-8 and as UTF-16 text (LiteDB stores strings either way), read while its owner may hold it open.</summary>
    public static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return Encoding.UTF8.GetString(bytes) + "\n" + Encoding.Unicode.GetString(bytes);
    }
}
