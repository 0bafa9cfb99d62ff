using System.Net;
using System.Text;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;

namespace Gitops.IntegrationTests;

/// <summary>
/// Issue 10's exploits, run end to end as an attacker with an account would: two projects, a
/// user on each, the real server (and real engines where a deployment is involved). Each attack
/// is refused with a clear error, has no effect, leaks nothing, and its refusal is in the audit log.
/// </summary>
public sealed class AttackerTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly string _data = Directory.CreateTempSubdirectory("paas-attacker-").FullName;

    [Fact]
    public async Task A_project_admin_cannot_become_platform_owner_through_the_query_string()
    {
        Prepare();
        await using var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1));
        var mallory = await SignInAsync(server, "mallory"); // admin of project:seca only

        var grant = await SendAsync(server, mallory, "POST", "/api/v1/users/mallory/grants?project=seca", """{"role":"owner","scope":"org:default"}""");
        var users = await SendAsync(server, mallory, "GET", "/api/v1/users?project=seca", null);
        var audit = await SendAsync(server, mallory, "GET", "/api/v1/audit?project=seca", null);
        var repository = await SendAsync(server, mallory, "POST", "/api/v1/repositories?project=seca", """{"url":"file:///tmp/evil.git","project":"evil"}""");

        Assert.Equal(HttpStatusCode.Forbidden, grant.Status);
        Assert.Contains("handing out a role on org:default needs", grant.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, users.Status);
        Assert.Equal(HttpStatusCode.Forbidden, audit.Status);
        Assert.Equal(HttpStatusCode.Forbidden, repository.Status);
        Assert.Contains("platform administration", repository.Body, StringComparison.Ordinal);
        var state = server.State;
        Assert.DoesNotContain(new People(state).GrantsOf("mallory"), g => g.Scope.Kind == Scope.OrganizationKind);
        Assert.DoesNotContain(new Gitops.Engine.Sources.RepositoryRegistry(state).List(), r => r.Project == "evil");
        var refusals = new AuditLog(state).List(actor: "mallory (session)").Where(e => e.Result.StartsWith("refused", StringComparison.Ordinal)).Select(e => e.Action).ToList();
        Assert.Contains("POST /api/v1/users/{name}/grants", refusals);
        Assert.Contains("GET /api/v1/users", refusals);
        Assert.Contains("GET /api/v1/audit", refusals);
        Assert.Contains("POST /api/v1/repositories", refusals);
    }

    [Fact]
    public async Task An_environment_admin_cannot_write_another_environments_secret_by_naming_it_in_the_body()
    {
        Prepare();
        await using var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1));
        var devAdmin = await SignInAsync(server, "devadmin"); // admin of env:seca/dev only

        var production = await SendAsync(server, devAdmin, "PUT", "/api/v1/projects/seca/secrets/DATABASE_URL", """{"value":"postgres://evil","environment":"production"}""");
        var smuggled = await SendAsync(server, devAdmin, "PUT", "/api/v1/projects/seca/secrets/DATABASE_URL?environment=dev", """{"value":"postgres://evil","environment":"production"}""");
        var everywhere = await SendAsync(server, devAdmin, "PUT", "/api/v1/projects/seca/secrets/DATABASE_URL", """{"value":"postgres://evil"}""");
        var own = await SendAsync(server, devAdmin, "PUT", "/api/v1/projects/seca/secrets/DATABASE_URL", """{"value":"postgres://dev","environment":"dev"}""");

        Assert.Equal(HttpStatusCode.Forbidden, production.Status);
        Assert.Contains("admin role on seca/production", production.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, smuggled.Status);
        Assert.Equal(HttpStatusCode.Forbidden, everywhere.Status);
        Assert.Equal(HttpStatusCode.OK, own.Status);
        var state = server.State;
        var secrets = new SecretStore(state).List("seca");
        Assert.Equal(["dev"], secrets.Select(s => s.Environment));
        Assert.Contains(new AuditLog(state).List(actor: "devadmin (session)"), e => e.Target == "seca/production" && e.Result == "refused (forbidden)");
    }

    [Fact]
    public async Task A_viewer_of_one_project_cannot_read_another_projects_deployment_by_naming_their_own_project()
    {
        Prepare();
        await using var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1));
        const string Canary = "canary-3f9c1e-do-not-leak";
        server.State.SaveDeployment(new Deployment { Id = "d-20261201-000000-seca01", Project = "seca", Environment = "production", Revision = "abc", Trigger = "test", PlanText = $"~ service web: env API_URL={Canary}", Status = DeploymentStatus.Succeeded, StartedAt = DateTimeOffset.UtcNow });
        server.State.AppendLog("d-20261201-000000-seca01", new LogLine(DateTimeOffset.UtcNow, "build", $"Step 3/4 : ENV API_URL={Canary}"));
        var eve = await SignInAsync(server, "eve"); // viewer of project:secb only

        var answers = new[]
        {
            await SendAsync(server, eve, "GET", "/api/v1/deployments/d-20261201-000000-seca01?project=secb", null),
            await SendAsync(server, eve, "GET", "/api/v1/deployments/d-20261201-000000-seca01/logs?project=secb&environment=dev", null),
            await SendAsync(server, eve, "GET", "/api/v1/deployments/d-20261201-000000-seca01/logs/stream?project=secb", null),
        };
        var listed = await SendAsync(server, eve, "GET", "/api/v1/deployments?project=seca", null);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NotFound, a.Status));
        Assert.All(answers, a => Assert.DoesNotContain(Canary, a.Body, StringComparison.Ordinal));
        Assert.Equal("[]", listed.Body);
        Assert.Equal(3, new AuditLog(server.State).List(actor: "eve (session)").Count(e => e.Target == "seca/production" && e.Result == "refused (hidden)"));
    }

    [Fact]
    public async Task A_deployer_of_one_project_can_neither_run_another_projects_cron_nor_read_its_runs_and_a_viewer_cannot_run_its_own()
    {
        Prepare();
        await using var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1));
        const string Canary = "cron-canary-7d21b4-do-not-leak";
        var runs = new Gitops.Engine.Crons.CronRuns(server.State);
        runs.Finish(new Gitops.Engine.Crons.CronRun { Id = "r-20261202-000000-seca01", Project = "seca", Environment = "production", Cron = "report", Service = "web", Outcome = Gitops.Engine.Crons.CronOutcome.Succeeded, StartedAt = DateTimeOffset.UtcNow, EndedAt = DateTimeOffset.UtcNow, ExitCode = 0 }, $"DATABASE_URL={Canary}");
        var dan = await SignInAsync(server, "dan"); // deployer of project:secb only
        var victim = await SignInAsync(server, "victim"); // viewer of project:seca

        var run = await SendAsync(server, dan, "POST", "/api/v1/environments/seca/production/crons/report/runs", "{}");
        var runNamingOwn = await SendAsync(server, dan, "POST", "/api/v1/environments/seca/production/crons/report/runs?project=secb", "{}");
        var reads = new[]
        {
            await SendAsync(server, dan, "GET", "/api/v1/cron-runs/r-20261202-000000-seca01", null),
            await SendAsync(server, dan, "GET", "/api/v1/cron-runs/r-20261202-000000-seca01?project=secb", null),
            await SendAsync(server, dan, "GET", "/api/v1/environments/seca/production/crons/report/runs", null),
            await SendAsync(server, dan, "GET", "/api/v1/environments/seca/production/crons", null),
        };
        var viewerRun = await SendAsync(server, victim, "POST", "/api/v1/environments/seca/production/crons/report/runs", "{}");
        var viewerRead = await SendAsync(server, victim, "GET", "/api/v1/cron-runs/r-20261202-000000-seca01", null);

        Assert.Equal(HttpStatusCode.NotFound, run.Status); // the project stays invisible
        Assert.Equal(HttpStatusCode.NotFound, runNamingOwn.Status);
        Assert.All(reads, r => Assert.Equal(HttpStatusCode.NotFound, r.Status));
        Assert.All(reads, r => Assert.DoesNotContain(Canary, r.Body, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, viewerRun.Status);
        Assert.Contains("deployer role on seca/production", viewerRun.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, viewerRead.Status); // its own project's run it may read
        Assert.Contains(Canary, viewerRead.Body, StringComparison.Ordinal);
        Assert.Single(runs.History("seca", "production", "report")); // no run was started
        var refused = new AuditLog(server.State).List(actor: "dan (session)").Where(e => e.Target == "seca/production" && e.Result == "refused (hidden)").Select(e => e.Action).ToList();
        Assert.Contains("POST /api/v1/environments/{project}/{environment}/crons/{cron}/runs", refused);
        Assert.Contains("GET /api/v1/cron-runs/{id}", refused);
        Assert.Contains(new AuditLog(server.State).List(actor: "victim (session)"), e => e.Target == "seca/production" && e.Result == "refused (forbidden)");
    }

    [Fact]
    public async Task Adding_a_taken_name_does_not_reset_its_password_and_removing_a_user_ends_their_tokens()
    {
        Prepare();
        await using var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1));
        var admin = $"Bearer {server.Token}";
        var victimToken = await CreateTokenAsync(server, await SignInAsync(server, "victim"));

        var overwrite = await SendAsync(server, admin, "POST", "/api/v1/users", """{"name":"victim","password":"the attacker's password"}""");
        var attackerLogin = await LoginAsync(server, "victim", "the attacker's password");
        var victimLogin = await LoginAsync(server, "victim", Password);
        var removed = await SendAsync(server, admin, "DELETE", "/api/v1/users/victim", null);
        var afterRemoval = await SendAsync(server, $"Bearer {victimToken}", "GET", "/api/v1/me", null);
        var readded = await SendAsync(server, admin, "POST", "/api/v1/users", """{"name":"victim","password":"a new person's password"}""");
        var afterReadding = await SendAsync(server, $"Bearer {victimToken}", "GET", "/api/v1/me", null);

        Assert.Equal(HttpStatusCode.Conflict, overwrite.Status);
        Assert.Contains("already exists", overwrite.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, attackerLogin);
        Assert.Equal(HttpStatusCode.OK, victimLogin);
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRemoval.Status);
        Assert.Equal(HttpStatusCode.OK, readded.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReadding.Status);
    }

    [Fact]
    public async Task Thirty_parallel_wrong_passwords_get_exactly_ten_checks()
    {
        Prepare();
        await using var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1));

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => LoginAsync(server, "victim", $"guess number {i:D2}")));

        Assert.Equal(LoginThrottle.Limit, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(30 - LoginThrottle.Limit, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var attempts = new AuditLog(server.State).List(actor: "victim", action: "login");
        Assert.Equal(LoginThrottle.Limit, attempts.Count(e => e.Result == "refused"));
        Assert.Equal(30 - LoginThrottle.Limit, attempts.Count(e => e.Result == "throttled"));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_project_admin_pushing_to_their_repository_cannot_run_or_build_on_another_projects_image(string engine)
    {
        // The victim's project and mallory's are both watched by one server, on one engine.
        await using var victim = await EngineWorld.CreateAsync(engine);
        await using var attacker = await EngineWorld.CreateAsync(engine); // only its project name and cleanup are used
        var victimGit = ServerLoopTests.App(victim);
        victimGit.CommitAndPush("victim v1");
        var malloryGit = new GitWorkTree(Directory.CreateDirectory(Path.Combine(attacker.Root, "mallory")).FullName);
        malloryGit.Write("paas.yaml", $"version: 1\nproject: {attacker.Project}\nenvironments:\n  dev: {{ branch: dev }}\nservices:\n  web:\n    image: {victim.Busybox}\n    command: [\"sleep\", \"3600\"]\n");
        malloryGit.CommitAndPush("an innocent start");
        Assert.Equal(0, victim.Paas("repo", "add", victimGit.Url, "--project", victim.Project).ExitCode);
        Assert.Equal(0, victim.Paas("repo", "add", malloryGit.Url, "--project", attacker.Project).ExitCode);
        Assert.Equal(0, victim.PaasWithInput(Password, "users", "add", "mallory", "--role", "admin", "--scope", $"project:{attacker.Project}").ExitCode);
        await using var server = await InProcessServer.StartAsync(victim.DataDirectory, TimeSpan.FromSeconds(1));
        await ServerLoopTests.WaitForPageAsync(victim, "version one");
        var victimContainer = (await victim.ContainersAsync()).Single();
        var stolen = (await victim.Client.Containers.InspectContainerAsync(victimContainer.Value.Id)).Config!.Image;
        await WaitForAsync(async () => (await attacker.ContainersAsync()).Count == 1, "mallory's first version did not deploy");
        var mallorysOwn = (await attacker.ContainersAsync()).Single().Value.Id;

        // 1: the victim's built image, named in paas.yaml.
        malloryGit.Write("paas.yaml", $"version: 1\nproject: {attacker.Project}\nenvironments:\n  dev: {{ branch: dev }}\nservices:\n  web:\n    image: {stolen}\n    command: [\"cat\", \"/www/index.html\"]\n");
        var byImage = malloryGit.CommitAndPush("run the victim's image");
        var imageRefusal = await RefusalOfAsync(server, attacker.Project, byImage);
        // 2: the same image as the base of a build.
        malloryGit.Write("paas.yaml", $"version: 1\nproject: {attacker.Project}\nenvironments:\n  dev: {{ branch: dev }}\nservices:\n  web:\n    build: {{ context: web }}\n");
        malloryGit.Write("web/Dockerfile", $"FROM {stolen}\nRUN cat /www/index.html\n");
        var byBuild = malloryGit.CommitAndPush("build on the victim's image");
        var buildRefusal = await RefusalOfAsync(server, attacker.Project, byBuild);
        var mallory = await SignInAsync(server, "mallory");
        var seen = await SendAsync(server, mallory, "GET", $"/api/v1/deployments?project={attacker.Project}", null);
        var environments = await SendAsync(server, mallory, "GET", "/api/v1/environments", null);
        var victims = await SendAsync(server, mallory, "GET", $"/api/v1/environments?project={victim.Project}", null);
        var nobodys = await SendAsync(server, mallory, "GET", "/api/v1/environments?project=no-such-project", null);

        Assert.Contains("names a local image", imageRefusal, StringComparison.Ordinal);
        Assert.Contains($"FROM {stolen}", buildRefusal, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, seen.Status);
        Assert.Contains($"FROM {stolen}", seen.Body, StringComparison.Ordinal); // mallory sees why, in her own project
        Assert.Equal(HttpStatusCode.OK, environments.Status);
        Assert.Contains($"\"project\":\"{attacker.Project}\"", environments.Body, StringComparison.Ordinal);
        Assert.DoesNotContain($"\"project\":\"{victim.Project}\"", environments.Body, StringComparison.Ordinal); // and not the victim's environments
        // Asking for the victim's project by name answers as for a project that does not exist (paas status --project VICTIM).
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (victims.Status, nobodys.Status));
        Assert.Equal(nobodys.Body.Replace("no-such-project", victim.Project, StringComparison.Ordinal), victims.Body);
        // Nothing of the attack ran or was built; what ran before keeps running, the victim untouched.
        Assert.Equal([mallorysOwn], (await attacker.ContainersAsync()).Values.Where(c => c.Running).Select(c => c.Id));
        Assert.Equal(victimContainer.Value.Id, (await victim.ContainersAsync()).Single().Value.Id);
        Assert.Empty(await attacker.BuiltImagesAsync());
        // The refusals are in the audit log, with their reason.
        var applies = new AuditLog(server.State).List(actor: "system").Where(e => e.Target.StartsWith($"{attacker.Project}/dev at ", StringComparison.Ordinal)).ToList();
        Assert.Single(applies, e => e.Target.EndsWith(byImage[..12], StringComparison.Ordinal) && e.Result.StartsWith("refused", StringComparison.Ordinal) && e.Result.Contains("names a local image", StringComparison.Ordinal)); // once, not at every poll
        Assert.Contains(applies, e => e.Target.EndsWith(byBuild[..12], StringComparison.Ordinal) && e.Result.StartsWith("failed", StringComparison.Ordinal) && e.Result.Contains("FROM", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>Project seca (default organization) and its people: a project admin, an environment admin, a victim.</summary>
    private void Prepare()
    {
        File.WriteAllText(Path.Combine(_data, "platform.yaml"), "allowFileUrls: true\n");
        using var state = StateStore.Open(_data);
        new Gitops.Engine.Sources.RepositoryRegistry(state).Add("seca", "file:///nowhere/seca.git");
        new Gitops.Engine.Sources.RepositoryRegistry(state).Add("secb", "file:///nowhere/secb.git");
        var people = new People(state);
        foreach (var (user, role, scope) in new[]
        {
            ("mallory", Role.Admin, Scope.Project("seca")),
            ("devadmin", Role.Admin, Scope.Environment("seca", "dev")),
            ("victim", Role.Viewer, Scope.Project("seca")),
            ("eve", Role.Viewer, Scope.Project("secb")),
            ("dan", Role.Deployer, Scope.Project("secb")),
        })
        {
            people.AddUser(user, Password);
            people.GrantRole(new Grant(user, role, scope));
        }
    }

    private static async Task<string> SignInAsync(InProcessServer server, string user)
    {
        using var response = await server.Http.PostAsync("/api/v1/login", Json($$"""{"user":"{{user}}","password":"{{Password}}"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return "Cookie " + response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private static async Task<string> CreateTokenAsync(InProcessServer server, string session)
    {
        var (status, body) = await SendAsync(server, session, "POST", "/api/v1/tokens", "{}");
        Assert.Equal(HttpStatusCode.OK, status);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<HttpStatusCode> LoginAsync(InProcessServer server, string user, string password)
    {
        using var response = await server.Http.PostAsync("/api/v1/login", Json($$"""{"user":"{{user}}","password":"{{password}}"}"""));
        return response.StatusCode;
    }

    internal static async Task<(HttpStatusCode Status, string Body)> SendAsync(InProcessServer server, string auth, string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = Json(body);
        }

        var (header, value) = auth.StartsWith("Cookie ", StringComparison.Ordinal) ? ("Cookie", auth["Cookie ".Length..]) : ("Authorization", auth);
        request.Headers.Add(header, value);
        using var response = await server.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until the server reports the commit of the project's dev environment refused or failed; returns why.</summary>
    private static async Task<string> RefusalOfAsync(InProcessServer server, string project, string commit)
    {
        var records = new Gitops.Engine.Reconcile.EnvironmentRecords(server.State);
        Gitops.Engine.Reconcile.SyncRecord? last = null;
        await WaitForAsync(() =>
        {
            last = records.LastSync(project, "dev");
            return Task.FromResult(last is { Outcome: Gitops.Engine.Reconcile.ReconcileOutcome.InvalidManifest or Gitops.Engine.Reconcile.ReconcileOutcome.Failed } && last.Commit == commit);
        }, $"commit {commit[..12]} of {project} was not refused; last sync: {last}");
        return last!.Detail;
    }

    private static async Task WaitForAsync(Func<Task<bool>> done, string failure)
    {
        var deadline = DateTime.UtcNow + InProcessServer.Patience;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(200);
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
