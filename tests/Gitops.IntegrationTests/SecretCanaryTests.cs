using System.Text;

namespace Gitops.IntegrationTests;

/// <summary>
/// A canary secret reaches the container's environment and nothing else: not the plan, the
/// apply output, the history, the status, the listing, the saved plan or the database file;
/// nor the log of a server that deploys it.
/// </summary>
public sealed class SecretCanaryTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Secret_value_reaches_the_container_and_appears_nowhere_else(string engine)
    {
        await using var world = await EngineWorld.CreateAsync(engine);
        var canary = $"canary-{Guid.NewGuid():N}";
        var rotated = $"rotated-{Guid.NewGuid():N}";
        world.WriteManifest("services:\n" + world.WebService("web", "    secrets: [API_TOKEN]\n"));

        var missing = world.Apply();
        var set = world.PaasWithInput(canary + "\n", "secrets", "set", world.Project, "API_TOKEN");
        var planFile = Path.Combine(world.Root, "plan.json");
        var outputs = new List<CliRun>
        {
            world.Paas("plan", world.AppDirectory, "--env", "dev", "--out", planFile),
            world.Apply(),
        };
        var first = await EnvOfWebAsync(world);
        world.PaasWithInput(rotated, "secrets", "set", world.Project, "API_TOKEN", "--env", "dev");
        outputs.Add(world.Plan());
        outputs.Add(world.Apply());
        outputs.Add(world.Paas("history", world.AppDirectory, "--env", "dev", "--output", "json"));
        outputs.Add(world.Paas("status", world.AppDirectory, "--env", "dev", "--output", "json"));
        outputs.Add(world.Paas("secrets", "list", world.Project, "--output", "json"));
        var second = await EnvOfWebAsync(world);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("paas secrets set", missing.Error, StringComparison.Ordinal);
        Assert.Equal(0, set.ExitCode);
        Assert.Contains($"API_TOKEN={canary}", first);
        Assert.Contains($"API_TOKEN={rotated}", second);
        Assert.Contains("~ secret API_TOKEN: \"v1 (all environments)\" → \"v1 (dev)\"", outputs[2].Output, StringComparison.Ordinal);
        Assert.All(outputs, o => Assert.True(o.ExitCode == 0, o.ToString()));
        foreach (var text in outputs.SelectMany(o => new[] { o.Output, o.Error }).Append(File.ReadAllText(planFile)))
        {
            Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
            Assert.DoesNotContain(rotated, text, StringComparison.Ordinal);
        }

        foreach (var file in Directory.GetFiles(world.DataDirectory))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.False(Contains(bytes, canary) || Contains(bytes, rotated), $"{Path.GetFileName(file)} holds a secret in clear text");
        }
    }

    [Fact]
    public async Task A_server_deploying_a_secret_keeps_it_and_its_admin_token_out_of_its_json_log()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var canary = $"canary-{Guid.NewGuid():N}";
        var git = new GitWorkTree(world.Root);
        git.WriteWebApp(world, "  dev: { branch: dev }\n", "with a secret");
        File.AppendAllText(Path.Combine(git.Work, "paas.yaml"), "    secrets: [API_TOKEN]\n");
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        Assert.Equal(0, world.PaasWithInput(canary + "\n", "secrets", "set", world.Project, "API_TOKEN").ExitCode);

        using var server = PaasProcess.Start("server", "--data-dir", world.DataDirectory, "--listen", $"http://127.0.0.1:{FreePort.Next()}", "--poll", "1", "--log-format", "json");
        var deadline = DateTime.UtcNow + InProcessServer.Patience;
        while (!(await world.ContainersAsync()).Any(c => c.Value.Running))
        {
            Assert.True(DateTime.UtcNow < deadline, "nothing deployed within the patience");
            await Task.Delay(200);
        }

        var environment = await EnvOfWebAsync(world);
        server.Terminate();
        var (_, log) = await server.WaitAsync(TimeSpan.FromSeconds(60));
        var token = log.Split('\n').Single(l => l.Contains("admin token (shown once", StringComparison.Ordinal)).Split(": ")[^1].Trim();

        Assert.Contains($"API_TOKEN={canary}", environment);
        Assert.Contains("start web replica 1", log, StringComparison.Ordinal); // the log does tell the deploy
        // Structured: each log event is one JSON object whose fields name the project, environment and outcome.
        var events = log.Split('\n').Where(l => l.StartsWith('{')).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(events, e => e.TryGetProperty("State", out var state) && Field(state, "Project") == world.Project && Field(state, "Environment") == "dev" && Field(state, "Outcome") == "Applied");
        Assert.DoesNotContain(canary, log, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(log, token)); // shown once, at the first start, never again
    }

    private static async Task<IList<string>> EnvOfWebAsync(EngineWorld world)
    {
        var web = (await world.ContainersAsync()).Single(c => c.Value.Running).Key;
        return (await world.Client.Containers.InspectContainerAsync(web)).Config!.Env;
    }

    private static string? Field(System.Text.Json.JsonElement state, string name) =>
        state.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;

    private static int CountOf(string text, string value) => (text.Length - text.Replace(value, "", StringComparison.Ordinal).Length) / value.Length;

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0 || haystack.AsSpan().IndexOf(Encoding.Unicode.GetBytes(needle)) >= 0;
}
