using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gitops.Engine.Access;
using Gitops.Engine.Backups;
using Gitops.Engine.State;
using Gitops.Engine.Targets;

namespace Gitops.IntegrationTests;

/// <summary>
/// <c>paas backup</c> through a running server (which holds the state, so the local command cannot
/// open it): run with its drill, list, verify and restore into another environment, the server's
/// progress printed as it comes. A deployer of staging alone tries production's backups through
/// every route and gets nothing (forbidden on production's routes, not found through staging's):
/// no drill run, no data restored into staging.
/// </summary>
public sealed class BackupServerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Through_the_server_backups_run_drill_and_restore_and_a_staging_deployer_reaches_no_production_backup()
    {
        await using var world = await EngineWorld.CreateAsync("docker", environment: "staging");
        var offsite = Path.Combine(world.Root, "offsite");
        File.AppendAllText(Path.Combine(world.DataDirectory, PlatformConfig.FileName), $"backups:\n  offsite: {{ kind: local, path: {offsite} }}\n");
        await BackupTests.StarterAsync(world, "offsite", ", verify: true");
        Assert.Equal(0, world.Paas("apply", world.AppDirectory, "--env", "production", "--yes").ExitCode);
        await BackupTests.PostAsync(world, "staging", "from staging");
        await BackupTests.PostAsync(world, "production", "only in production");
        var production = JsonNode.Parse(world.Paas("backup", "run", "db", "--dir", world.AppDirectory, "--env", "production", "-o", "json").Output)!["id"]!.GetValue<string>();
        string stagerToken;
        using (var state = StateStore.Open(world.DataDirectory))
        {
            var people = new People(state);
            people.AddUser("stager", UiTests.Password);
            people.GrantRole(new Grant("stager", Role.Deployer, Scope.Environment(world.Project, "staging")));
            stagerToken = new Tokens(state).Create("stager", "test", Role.Deployer, TimeSpan.FromDays(1)).Secret;
        }

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        var locked = world.Paas("backup", "list", "--dir", world.AppDirectory); // before login: the local command, and the server holds the state
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);

        var run = world.Paas("backup", "run", "db", "--dir", world.AppDirectory, "--env", "staging", "-o", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var staging = JsonNode.Parse(run.Output)!;
        var stagingId = staging["id"]!.GetValue<string>();

        // The staging deployer, with a token of their own, at every door to production's backup.
        var drilledBefore = new DrillRecords(server.State).Of(production)!.At; // its drill when it was made (verify: true)
        using var stager = new HttpClient { BaseAddress = new Uri(server.Url) };
        stager.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stagerToken);
        var attempts = new Dictionary<string, HttpStatusCode>
        {
            [$"GET environments/{world.Project}/production/backups"] = (await stager.GetAsync($"/api/v1/environments/{world.Project}/production/backups", Token)).StatusCode,
            [$"POST staging/backups/{production}/verify"] = await PostAsync(stager, $"/api/v1/environments/{world.Project}/staging/backups/{production}/verify"),
            [$"POST staging/backups/{production}/restore"] = await PostAsync(stager, $"/api/v1/environments/{world.Project}/staging/backups/{production}/restore"),
            [$"POST production/backups/{production}/restore"] = await PostAsync(stager, $"/api/v1/environments/{world.Project}/production/backups/{production}/restore"),
            [$"POST production/backups/{production}/verify"] = await PostAsync(stager, $"/api/v1/environments/{world.Project}/production/backups/{production}/verify"),
        };
        var stagingAfterAttacks = await BackupTests.NotesAsync(world, "staging");
        var drilledAfterAttacks = new DrillRecords(server.State).Of(production)!.At;
        var stagerRuns = await PostAsync(stager, $"/api/v1/environments/{world.Project}/staging/services/db/backups");

        var listed = JsonNode.Parse(world.Paas("backup", "list", "--dir", world.AppDirectory, "-o", "json").Output)!["backups"]!.AsArray();
        var verified = world.Paas("backup", "verify", production, "--dir", world.AppDirectory);
        var restored = world.Paas("backup", "restore", stagingId, "--dir", world.AppDirectory, "--to-env", "production", "--yes");
        var productionNotes = await BackupTests.NotesAsync(world, "production");

        Assert.NotEqual(0, locked.ExitCode);
        Assert.Contains("in use by another paas process", locked.Error, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("dumping db (pg_dump custom)", run.Error, StringComparison.Ordinal); // the server's progress, as it came
        Assert.Contains("drill: restoring", run.Error, StringComparison.Ordinal);
        Assert.True(staging["drill"]!["passed"]!.GetValue<bool>(), run.Output);
        // Production's routes: forbidden (they know the project); production's id through staging's routes: not found.
        Assert.Equal(
            [HttpStatusCode.Forbidden, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            attempts.Values);
        Assert.Equal(drilledBefore, drilledAfterAttacks); // no drill ran for them
        Assert.Contains("from staging", stagingAfterAttacks, StringComparison.Ordinal);
        Assert.DoesNotContain("only in production", stagingAfterAttacks, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stagerRuns); // their own environment's, they may
        Assert.Contains(listed, b => b!["id"]!.GetValue<string>() == production);
        Assert.Contains(listed, b => b!["id"]!.GetValue<string>() == stagingId && b["drill"]!["passed"]!.GetValue<bool>());
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Contains("drill passed", verified.Output, StringComparison.Ordinal);
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Contains("from staging", productionNotes, StringComparison.Ordinal);
        Assert.DoesNotContain("only in production", productionNotes, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string path)
    {
        using var response = await client.PostAsync(path, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Token);
        await response.Content.ReadAsStringAsync(Token); // a streamed answer is read to its end
        return response.StatusCode;
    }
}
