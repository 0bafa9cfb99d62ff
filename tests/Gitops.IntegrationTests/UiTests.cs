using Gitops.Engine.Access;
using Gitops.Engine.Reconcile;
using Gitops.Engine.Secrets;
using Gitops.Engine.State;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gitops.IntegrationTests;

/// <summary>
/// The dashboard in Debian's Chromium, driven by Playwright, against a server deploying a real
/// app on Docker: sign in, see only permitted projects, open a deployment and its log stream, and
/// a viewer gets no admin page. Screenshots of the main pages go to artifacts/screenshots.
/// </summary>
public sealed class UiTests
{
    private const string Password = "correct horse battery staple";
    private const string Canary = "canary-secret-5f1e0c3b9a";

    [Fact]
    public async Task A_viewer_sees_their_project_and_its_deployment_log_but_no_admin_page()
    {
        await using var world = await EngineWorld.CreateAsync("docker");
        var git = ServerLoopTests.App(world);
        File.AppendAllText(Path.Combine(git.Work, "paas.yaml"), "crons:\n  nightly-report: { service: web, schedule: '0 3 * * *', command: [date] }\n");
        git.CommitAndPush("v1");
        Assert.Equal(0, world.Paas("repo", "add", git.Url, "--project", world.Project).ExitCode);
        using (var state = StateStore.Open(world.DataDirectory))
        {
            var people = new People(state);
            people.AddUser("viewer", Password);
            people.GrantRole(new Grant("viewer", Role.Viewer, Scope.Project(world.Project)));
            people.AddUser("boss", Password);
            people.GrantRole(new Grant("boss", Role.Owner, Scope.Organization(People.DefaultOrganization)));
            new SecretStore(state).Set(world.Project, "dev", "API_KEY", Canary);
            new EnvironmentRecords(state).Synced("secretproject", "production", new SyncRecord(ReconcileOutcome.InSync, "in sync", "abc", "local", DateTimeOffset.UtcNow));
        }

        await using var server = await InProcessServer.StartAsync(world.DataDirectory, TimeSpan.FromSeconds(1));
        await ServerLoopTests.WaitForPageAsync(world, "version one");
        var shots = Directory.CreateDirectory(Path.Combine(RepositoryRoot.Path, "artifacts", "screenshots")).FullName;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        var pages = new List<string>();

        await SignInAsync(page, server.Url, "viewer");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = world.Project, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByText("API_KEY")).ToBeVisibleAsync(); // secrets by name
        await Expect(page.GetByText("nightly-report")).ToBeVisibleAsync(); // crons by name
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "healthy" }).First).ToBeVisibleAsync();
        pages.Add(await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "projects.png"), FullPage = true });
        var hiddenProjects = await page.GetByRole(AriaRole.Heading, new() { Name = "secretproject" }).CountAsync();
        var auditLinks = await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).CountAsync();

        await page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^d-") }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Plan" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("log")).ToContainTextAsync("deploy ok start web replica 1"); // lines arrive over the event stream
        await Expect(page.GetByText("succeeded").First).ToBeVisibleAsync();
        pages.Add(await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "deployment.png"), FullPage = true });

        await page.GotoAsync($"{server.Url}/#/audit");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("platform administrators");
        pages.Add(await page.ContentAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await SignInAsync(page, server.Url, "boss");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "secretproject" })).ToBeVisibleAsync(); // an owner sees every project
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "login" }).First).ToBeVisibleAsync();
        pages.Add(await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "audit.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync($"{server.Url}/#/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = world.Project, Exact = true })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "projects-phone.png"), FullPage = true });

        using var admin = new HttpClient { BaseAddress = new Uri(server.Url) };
        admin.DefaultRequestHeaders.Add("Authorization", $"Bearer {server.Token}");
        foreach (var path in new[] { "/api/v1/environments", $"/api/v1/deployments?project={world.Project}", $"/api/v1/projects/{world.Project}/secrets", "/api/v1/audit", "/api/v1/users" })
        {
            pages.Add(await admin.GetStringAsync(path)); // API answers are held to the same rule as pages
        }

        Assert.Equal(0, hiddenProjects);
        Assert.Equal(0, auditLinks);
        Assert.All(pages, html => Assert.DoesNotContain(Canary, html, StringComparison.Ordinal));
        Assert.All(pages, html => Assert.DoesNotContain(server.Token, html, StringComparison.Ordinal));
    }

    private static async Task SignInAsync(IPage page, string url, string user)
    {
        await page.GotoAsync(url);
        await page.GetByLabel("User").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();
    }
}
