using Gitops.Engine.Access;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gitops.IntegrationTests;

/// <summary>
/// The dashboard in Debian's Chromium, driven by Playwright, against a server deploying a real
/// app on Docker behind a real Caddy: sign in, see only permitted projects with their public
/// addresses, drift, history and deployments (commit, author, time, duration), open a deployment
/// with its plan and log stream, and a viewer gets no admin page. Every page passes axe-core in
/// the light and the dark scheme (<see cref="PageChecks"/>), which also takes the screenshots.
/// </summary>
public sealed class UiTests
{
    internal const string Password = "correct horse battery staple";
    private const string Canary = "canary-secret-5f1e0c3b9a";

    [Fact]
    public async Task A_viewer_sees_their_project_and_its_deployment_log_but_no_admin_page()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        await using var ingress = new IngressWorld(world);
        var git = ServerLoopTests.App(world);
        File.WriteAllText(Path.Combine(git.Work, "paas.yaml"), File.ReadAllText(Path.Combine(git.Work, "paas.yaml")).Replace("    port: 8080\n", "    port: 8080\n    public: true\n", StringComparison.Ordinal));
        File.AppendAllText(Path.Combine(git.Work, "paas.yaml"), "crons:\n  nightly-report: { service: web, schedule: '0 3 * * *', command: [echo, report-written] }\n");
        // An autoscaled worker: the page shows its bounds and what the server's autoscaler last read.
        File.WriteAllText(Path.Combine(git.Work, "paas.yaml"), File.ReadAllText(Path.Combine(git.Work, "paas.yaml")).Replace("services:\n", $"services:\n  queue:\n    image: {world.Busybox}\n    command: [sleep, '3600']\n    autoscale: {{ min: 1, max: 2, cpu: 70 }}\n", StringComparison.Ordinal));
        git.CommitAndPush("Serve version one\n\nThe first page of the shop.");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        AddUser(world, "viewer", Role.Viewer, Scope.Project(world.Project));
        AddUser(world, "boss", Role.Owner, Scope.Organization(People.DefaultOrganization));
        var address = $"https://web-dev-{world.Project}.localhost:{ingress.Spec.HttpsPort}/";
        using (var state = StateStore.Open(world.DataDirectory))
        {
            new SecretStore(state).Set(world.Project, "dev", "API_KEY", Canary);
            new EnvironmentRecords(state).Synced("secretproject", "production", new SyncRecord(ReconcileOutcome.InSync, "in sync", "abc", "local", DateTimeOffset.UtcNow));
        }

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        await ServerLoopTests.WaitForPageAsync(world, "version one");
        // A real run of the cron on Docker, started by hand through the API: the page lists it with its outcome and output.
        var applied = DateTime.UtcNow + InProcessServer.Patience;
        while (server.State.LastSucceeded(world.Project, "dev") is null) // the page answers a moment before the deployment is recorded
        {
            Assert.True(DateTime.UtcNow < applied, "the deployment never succeeded");
            await Task.Delay(200);
        }

        using (var starter = new HttpClient { BaseAddress = new Uri(server.Url) })
        {
            starter.DefaultRequestHeaders.Add("Authorization", $"Bearer {server.Token}");
            using var started = await starter.PostAsync($"/api/v1/environments/{world.Project}/dev/crons/nightly-report/runs", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(started.StatusCode == System.Net.HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            var runs = new Gitops.Engine.Crons.CronRuns(server.State);
            var deadline = DateTime.UtcNow + InProcessServer.Patience;
            while (runs.History(world.Project, "dev", "nightly-report", 1) is not [{ Outcome: Gitops.Engine.Crons.CronOutcome.Succeeded }])
            {
                Assert.True(DateTime.UtcNow < deadline, "the cron's run did not succeed");
                await Task.Delay(200);
            }
        }

        // The web replica removed behind the platform's back: the loop finds the drift and puts it back (a second deployment).
        await ingress.WaitForAsync(new Uri(address), "version one");
        var web = (await world.ContainersAsync()).Single(c => c.Value.Service == "web");
        await world.Client.Containers.RemoveContainerAsync(web.Value.Id, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
        var repaired = DateTime.UtcNow + InProcessServer.Patience;
        while (new EnvironmentRecords(server.State).DriftOf(world.Project, "dev") is null || server.State.History(world.Project, "dev", 10) is not [{ Status: DeploymentStatus.Succeeded }, _, ..])
        {
            Assert.True(DateTime.UtcNow < repaired, "the drift was not found and repaired");
            await Task.Delay(200);
        }

        await ingress.WaitForAsync(new Uri(address), "version one");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var checks = await PageChecks.ForAsync(page);
        var pages = new List<string>();

        await page.GotoAsync(server.Url);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await checks.CheckAsync("sign-in", "sign-in");
        await SignInAsync(page, server.Url, "viewer");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = world.Project, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByText("API_KEY")).ToBeVisibleAsync(); // secrets by name
        await Expect(page.GetByText("nightly-report").First).ToBeVisibleAsync(); // crons by name, with their last runs
        var cronRuns = page.GetByRole(AriaRole.List, new() { Name = "Last runs of nightly-report in dev" });
        await Expect(cronRuns).ToContainTextAsync("succeeded");
        await Expect(cronRuns).ToContainTextAsync("by admin (admin token) · exit 0");
        await cronRuns.Locator("summary").First.ClickAsync();
        await Expect(cronRuns.Locator("pre")).ToContainTextAsync("report-written"); // its output, read when opened
        await Expect(page.GetByText("autoscale 1..2")).ToBeVisibleAsync(); // the autoscaled worker's bounds beside its replicas
        await Expect(page.GetByText("1..2 on cpu 70%")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "healthy" }).First).ToBeVisibleAsync();
        // The public service's address as a link; the private worker has none.
        var link = page.GetByRole(AriaRole.Link, new() { Name = $"web-dev-{world.Project}.localhost:{ingress.Spec.HttpsPort}", Exact = true });
        await Expect(link).ToHaveAttributeAsync("href", address);
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "queue", Exact = true }) })).ToContainTextAsync("private");
        // The drift the loop put back, on the web service's row and in words under the grid.
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "web", Exact = true }) }).GetByTestId("drift")).ToHaveTextAsync("drift");
        await Expect(page.GetByTestId("drift-note")).ToContainTextAsync("container missing (drift)");
        // Deployments with their commit, author, time and duration; the history chart says the counts in words.
        var newest = page.Locator(".deployments li").First;
        await Expect(newest).ToContainTextAsync("Serve version one by Dev");
        await Expect(newest.Locator("time")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(just now|\\d+ minutes? ago)$"));
        await Expect(newest).ToContainTextAsync(new System.Text.RegularExpressions.Regex("took \\d+(\\.\\d+)? (ms|s|min)"));
        var chart = page.GetByRole(AriaRole.Img, new() { Name = "dev, last 30 days:" });
        await Expect(chart).ToHaveAccessibleNameAsync(new System.Text.RegularExpressions.Regex("^dev, last 30 days: 2 deployments on [12] days?, none failed; median duration \\d+"));
        pages.Add(await page.ContentAsync());
        await checks.CheckAsync("projects", "projects");
        var hiddenProjects = await page.GetByRole(AriaRole.Heading, new() { Name = "secretproject" }).CountAsync();
        var auditLinks = await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).CountAsync();

        await page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^d-") }).First.ClickAsync(); // the newest: the drift's repair
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Plan" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("log")).ToContainTextAsync("deploy ok start web replica 1"); // lines arrive over the event stream
        await Expect(page.GetByText("succeeded").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("commit-message")).ToHaveTextAsync("Serve version one");
        await Expect(page.Locator(".commit-body")).ToHaveTextAsync("The first page of the shop.");
        await Expect(page.GetByTestId("commit-author")).ToContainTextAsync("Dev, ");
        await Expect(page.GetByTestId("commit-author").Locator("time")).ToHaveAttributeAsync("datetime", new System.Text.RegularExpressions.Regex("^\\d{4}-\\d\\d-\\d\\dT"));
        await Expect(page.GetByTestId("duration")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^\\d+ (ms|s)|^\\d+ min"));
        // The plan reads as a diff: the repaired service's line is marked by what it does.
        await Expect(page.GetByTestId("plan").Locator("span.create, span.update, span.replace").Filter(new() { HasText = "container missing (drift)" })).ToHaveCountAsync(1);
        pages.Add(await page.ContentAsync());
        await checks.CheckAsync("deployment", "deployment");

        await page.GotoAsync($"{server.Url}/#/audit");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("platform administrators");
        pages.Add(await page.ContentAsync());
        await checks.CheckAsync("audit (refused)");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await SignInAsync(page, server.Url, "boss");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "secretproject" })).ToBeVisibleAsync(); // an owner sees every project
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "login" }).First).ToBeVisibleAsync();
        pages.Add(await page.ContentAsync());
        await checks.CheckAsync("audit", "audit");

        // paas rollback to the first deployment: the grid says the environment is pinned, and to what.
        var first = server.State.History(world.Project, "dev", 10)[^1].Id;
        using (var rollback = new HttpClient { BaseAddress = new Uri(server.Url) })
        {
            rollback.DefaultRequestHeaders.Add("Authorization", $"Bearer {server.Token}");
            using var rolled = await rollback.PostAsync($"/api/v1/environments/{world.Project}/dev/rollback", new StringContent($"{{\"to\":\"{first}\"}}", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(rolled.IsSuccessStatusCode, await rolled.Content.ReadAsStringAsync());
        }

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync($"{server.Url}/#/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = world.Project, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("pin-note")).ToContainTextAsync($"dev is held on {first} by paas rollback since");
        await Expect(page.GetByRole(AriaRole.Rowheader).Filter(new() { HasText = "dev" }).First).ToContainTextAsync("pinned");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "dev, last 30 days:" })).ToBeVisibleAsync();
        await checks.CheckAsync("projects at phone width", "projects-phone");

        using var admin = new HttpClient { BaseAddress = new Uri(server.Url) };
        admin.DefaultRequestHeaders.Add("Authorization", $"Bearer {server.Token}");
        var deployment = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/deployments?project={world.Project}")).RootElement[0].GetProperty("id").GetString();
        foreach (var path in new[] { "/api/v1/environments", $"/api/v1/deployments?project={world.Project}", $"/api/v1/deployments/{deployment}", $"/api/v1/deployments/{deployment}/logs", $"/api/v1/projects/{world.Project}/secrets", $"/api/v1/environments/{world.Project}/dev/history", "/api/v1/audit", "/api/v1/users" })
        {
            pages.Add(await admin.GetStringAsync(path)); // API answers are held to the same rule as pages
        }

        Assert.Equal(0, hiddenProjects);
        Assert.Equal(0, auditLinks);
        Assert.All(pages, html => Assert.DoesNotContain(Canary, html, StringComparison.Ordinal));
        Assert.All(pages, html => Assert.DoesNotContain(server.Token, html, StringComparison.Ordinal));
        checks.AssertNoSeriousViolation();
    }

    [Fact]
    public async Task A_deployment_page_shows_the_build_log_while_the_build_runs()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var git = ServerLoopTests.App(world);
        // A build step that talks, then waits until the test opens the gate (a request to this
        // process through the bridge's gateway), then talks again. The log also shows the step
        // itself, so what it says is computed: "begin-42", "end-42". The label keeps any cache away.
        using var gate = new BuildGate(await BridgeGatewayAsync(world));
        git.Write("web/Dockerfile", $"FROM {world.Busybox}\nLABEL run={world.Project}\nRUN [\"sh\", \"-c\", \"echo begin-$((6*7)) && until wget -q -O /dev/null {gate.Url}; do sleep 0.2; done && echo end-$((6*7))\"]\nCOPY www /www\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
        git.CommitAndPush("slow build");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        AddUser(world, "boss", Role.Owner, Scope.Organization(People.DefaultOrganization));

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await SignInAsync(page, server.Url, "boss");
        var id = await RunningDeploymentAsync(server, world.Project);

        await page.GotoAsync($"{server.Url}/#/deployments/{id}");
        var log = page.GetByTestId("log");
        await Expect(log).ToContainTextAsync("begin-42", new() { Timeout = 30_000 });
        var statusWhileBuilding = await page.Locator(".facts .badge").InnerTextAsync();
        var logWhileBuilding = await log.InnerTextAsync();
        var liveWhileBuilding = await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "live" }).CountAsync();
        gate.Open();
        await Expect(log).ToContainTextAsync("end-42", new() { Timeout = 30_000 });
        await Expect(log).ToContainTextAsync("deploy ok start web replica 1", new() { Timeout = 30_000 });
        await Expect(page.Locator(".facts .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 }); // no reload

        Assert.Equal("running", statusWhileBuilding);
        Assert.Equal(1, liveWhileBuilding);
        Assert.False(logWhileBuilding.Contains("end-42", StringComparison.Ordinal), logWhileBuilding);
        Assert.Equal(0, await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "live" }).CountAsync());
    }

    [Fact]
    public async Task A_services_log_page_shows_every_replicas_lines_as_they_are_written()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        world.WriteManifest(ServiceLogsTests.Talker(world, "live"));
        Assert.Equal(0, world.Apply().ExitCode);
        AddUser(world, "viewer", Role.Viewer, Scope.Project(world.Project));
        using (var state = StateStore.Open(world.DataDirectory))
        {
            // Deployed by the CLI, listed as the server's loop would list it after a sync.
            new EnvironmentRecords(state).Synced(world.Project, "dev", new SyncRecord(ReconcileOutcome.InSync, "in sync", "abc", "local", DateTimeOffset.UtcNow));
        }

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromHours(1));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var checks = await PageChecks.ForAsync(page);
        await SignInAsync(page, server.Url, "viewer");

        await page.GetByRole(AriaRole.Link, new() { Name = "talker", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Logs of talker" })).ToBeVisibleAsync();
        var log = page.GetByTestId("service-log");
        await Expect(log).ToContainTextAsync("talker-1 | live out", new() { Timeout = 30_000 });
        await Expect(log).ToContainTextAsync("talker-2 | live err", new() { Timeout = 30_000 });
        var newest = await NewestAsync(log);
        await Expect(log).ToContainTextAsync($"live out {newest + 5}", new() { Timeout = 30_000 }); // written after the page opened, shown without a reload
        Assert.Equal(1, await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "live" }).CountAsync());
        await checks.CheckAsync("service logs", "service-logs");

        await page.GotoAsync($"{server.Url}/#/logs/{world.Project}/dev/taker");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("runs no service 'taker'; it runs talker");
        await page.GotoAsync($"{server.Url}/#/logs/other/dev/talker");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not found");
        await checks.CheckAsync("service logs (refused)");
        checks.AssertNoSeriousViolation();
    }

    /// <summary>The highest line number on the page so far.</summary>
    private static async Task<int> NewestAsync(ILocator log) =>
        System.Text.RegularExpressions.Regex.Matches(await log.InnerTextAsync(), @"live out (\d+)").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Max();

    internal static void AddUser(EngineWorld world, string user, Role role, Scope scope)
    {
        using var state = StateStore.Open(world.DataDirectory);
        var people = new People(state);
        people.AddUser(user, Password);
        people.GrantRole(new Grant(user, role, scope));
    }

    private static async Task<string> BridgeGatewayAsync(EngineWorld world) =>
        BridgeGateway.Of((await world.Client.Networks.InspectNetworkAsync("bridge")).IPAM.Config);

    /// <summary>An HTTP endpoint that holds every request until <see cref="Open"/>, then answers 200.</summary>
    private sealed class BuildGate : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Any, 0);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public BuildGate(string address)
        {
            _listener.Start();
            Url = $"http://{address}:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}/";
            _ = AnswerAsync();
        }

        public string Url { get; }

        public void Open() => _open.TrySetResult();

        public void Dispose()
        {
            _open.TrySetResult();
            _listener.Dispose();
        }

        private async Task AnswerAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    _ = Task.Run(async () =>
                    {
                        using (client)
                        {
                            await _open.Task;
                            await client.GetStream().WriteAsync("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
                        }
                    });
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // Disposed: the test is over.
            }
        }
    }

    /// <summary>The id of the project's first deployment, as soon as it is recorded and still running.</summary>
    private static async Task<string> RunningDeploymentAsync(InProcessServer server, string project)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(server.Url) };
        admin.DefaultRequestHeaders.Add("Authorization", $"Bearer {server.Token}");
        for (var deadline = DateTime.UtcNow + InProcessServer.Patience; DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            using var list = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/deployments?project={project}"));
            if (list.RootElement.GetArrayLength() > 0)
            {
                var first = list.RootElement[0];
                Assert.Equal("running", first.GetProperty("status").GetString());
                return first.GetProperty("id").GetString()!;
            }
        }

        throw new TimeoutException($"no deployment of {project} within {InProcessServer.Patience}");
    }

    internal static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    internal static async Task SignInAsync(IPage page, string url, string user)
    {
        await page.GotoAsync(url);
        await page.GetByLabel("User").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();
    }
}
