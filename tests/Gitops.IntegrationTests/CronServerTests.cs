using System.Net;
using System.Text;
using Gitops.Engine.Access;
using Gitops.Engine.Crons;
using Gitops.Engine.State;

namespace Gitops.IntegrationTests;

/// <summary>
/// The specification's seventh acceptance scenario behind the real server on real Docker: a cron
/// declared in Git runs on its schedule (the server's clock moved ahead a minute instead of waiting
/// for one), and its runs and output appear in <c>paas cron</c>, <c>paas status</c>, the API and the
/// metrics; a server killed while a run runs finds it after restart and records how it ended.
/// </summary>
public sealed class CronServerTests
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task A_cron_from_git_runs_on_schedule_under_the_server_and_its_runs_show_in_paas_cron_status_and_metrics()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var git = Repository(world, "echo tick-output; echo on-stderr >&2");
        var clock = new ShiftedClock();
        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1), clock);
        var runs = new CronRuns(server.State);
        await WaitForAsync(() => runs.Cursor(world.Project, "dev", "tick") is not null, "the server never saw the deployed cron");

        clock.Ahead = TimeSpan.FromMinutes(1); // the next minute has come
        CronRun? run = null;
        await WaitForAsync(() => (run = runs.History(world.Project, "dev", "tick", 1) is [var newest] ? newest : null) is { Outcome: not CronOutcome.Running }, "no scheduled run ended");

        Assert.Equal((CronTrigger.Schedule, CronOutcome.Succeeded, 0), (run!.Trigger, run.Outcome, run.ExitCode));
        Assert.NotNull(run.ScheduledFor);
        Assert.Contains("tick-output", runs.Log(run.Id), StringComparison.Ordinal);
        Assert.Equal(0, world.PaasWithInput(server.Token, "login", "--server", server.Url).ExitCode);
        var history = world.Paas("cron", "history", "tick", "--project", world.Project, "--env", "dev");
        Assert.Contains(run.Id, history.Output, StringComparison.Ordinal);
        Assert.Contains("schedule", history.Output, StringComparison.Ordinal);
        var logs = world.Paas("cron", "logs", run.Id);
        Assert.Contains("tick-output", logs.Output, StringComparison.Ordinal);
        Assert.Contains("on-stderr", logs.Output, StringComparison.Ordinal);
        var list = world.Paas("cron", "list", "--project", world.Project, "--env", "dev");
        Assert.Contains("tick", list.Output, StringComparison.Ordinal);
        Assert.Contains("succeeded", list.Output, StringComparison.Ordinal);
        var status = world.Paas("status", "--project", world.Project, "--env", "dev");
        Assert.Contains("cron tick (web): * * * * * UTC, next ", status.Output, StringComparison.Ordinal);
        Assert.Contains("last run succeeded", status.Output, StringComparison.Ordinal);

        // By hand through the server: its output followed to the end, the exit code its outcome.
        var manual = world.Paas("cron", "run", "tick", "--project", world.Project, "--env", "dev");
        Assert.True(manual.ExitCode == 0, manual.Error);
        Assert.Contains("tick-output", manual.Output, StringComparison.Ordinal);
        // The schedule runs every minute of the shifted clock, so the newest run may be a scheduled one by now.
        var byHand = Assert.Single(runs.History(world.Project, "dev", "tick", 5), r => r.Trigger == CronTrigger.Manual);
        Assert.Equal("admin (admin token)", byHand.By);
        await ServerLoopTests.MetricsWhenAsync(server, "paas_cron_runs_total", $"project=\"{world.Project}\"", 2);
    }

    [Fact]
    public async Task A_server_killed_while_a_run_runs_finds_the_run_after_restart_and_records_how_it_ended()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        Repository(world, "sleep 4; echo outlived-its-server; exit 5");
        using (var state = StateStore.Open(world.DataDirectory))
        {
            var people = new People(state);
            people.AddUser("ops", Password);
            people.GrantRole(new Grant("ops", Role.Deployer, Scope.Project(world.Project)));
        }

        var url = $"http://127.0.0.1:{FreePort.Next()}";
        string id;
        using (var killed = PaasProcess.Start("server", "--data-dir", world.DataDirectory, "--listen", url, "--poll", "1"))
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            await WaitForAsync(async () => (await DeployedAsync(http)) && (await world.ContainersAsync()).Values.Any(c => c.Service == "web" && c.Running), "the server did not deploy web");
            var cookie = await SignInAsync(http);
            using var start = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/environments/{world.Project}/dev/crons/tick/runs") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            start.Headers.Add("Cookie", cookie);
            using var started = await http.SendAsync(start);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            id = System.Text.Json.JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        } // SIGKILL, mid-run

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        var runs = new CronRuns(server.State);
        await WaitForAsync(() => runs.Get(id) is { Outcome: not CronOutcome.Running }, $"run {id} was never recorded as ended");

        var run = runs.Get(id)!;
        Assert.Equal((CronOutcome.Failed, 5, "exited 5", "ops (session)"), (run.Outcome, run.ExitCode, run.Detail, run.By));
        Assert.Contains("outlived-its-server", runs.Log(id), StringComparison.Ordinal);
        Assert.DoesNotContain((await world.ContainersAsync()).Keys, name => name.Contains("_job_", StringComparison.Ordinal));
    }

    /// <summary>The world's project in a Git repository (dev branch): web and a cron <c>tick</c> every minute running the shell <paramref name="script"/>; registered.</summary>
    private static GitWorkTree Repository(EngineWorld world, string script)
    {
        var git = new GitWorkTree(world.Root);
        git.Write("paas.yaml", $"version: 1\nproject: {world.Project}\nenvironments:\n  dev: {{ branch: dev }}\nservices:\n{world.WebService("web")}crons:\n  tick:\n    service: web\n    schedule: \"* * * * *\"\n    command: [\"sh\", \"-c\", \"{script}\"]\n    timeout: 1m\n");
        git.CommitAndPush("a cron");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        return git;
    }

    private static async Task<bool> DeployedAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    private static async Task<string> SignInAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/api/v1/login", new StringContent($$"""{"user":"ops","password":"{{Password}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private static Task WaitForAsync(Func<bool> done, string failure) => WaitForAsync(() => Task.FromResult(done()), failure);

    private static async Task WaitForAsync(Func<Task<bool>> done, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(250);
        }
    }

    /// <summary>The system's clock, moved ahead by the test: a schedule comes due without waiting for it.</summary>
    internal sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Ahead { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Ahead;
    }
}
