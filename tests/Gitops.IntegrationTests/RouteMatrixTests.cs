using System.Net;
using System.Text;
using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gitops.IntegrationTests;

/// <summary>
/// Authorization against the real server, as a route × principal × injection matrix whose
/// expected answers are written here by hand (never read from the routes' own rules, so a route
/// given the wrong rule fails). Principals hold grants on an organization, a project or one
/// environment, through tokens capped lower than their grants, a session cookie, and tokens that
/// are expired, revoked or of a removed user. Every call is repeated with <c>project</c> and
/// <c>environment</c> injected into the query string and the JSON body: the decision must not move.
/// </summary>
public sealed class RouteMatrixTests : IDisposable
{
    private const string Password = "correct horse battery staple";

    /// <summary>Callers that cannot authenticate: every protected route answers them 401.</summary>
    private static readonly string[] Unauthenticated = ["anonymous", "expired", "revoked", "removed"];

    private static readonly string[] Everyone =
    [
        "anonymous", "expired", "revoked", "removed", "platform", "orgOwner", "orgViewer", "projAdmin", "projDeployer",
        "projViewer", "envAdmin", "envViewer", "cappedOwner", "cookieAdmin", "outsider",
    ];

    private const string Deployment = "d-20261127-000000-aaaaaa";
    private const string RivalDeployment = "d-20261127-000000-bbbbbb";
    private const string CronRun = "r-20261127-000000-aaaaaa";
    private const string RivalCronRun = "r-20261127-000000-bbbbbb";

    private readonly string _data = Directory.CreateTempSubdirectory("paas-matrix-").FullName;
    private readonly Dictionary<string, string> _auth = new(StringComparer.Ordinal);

    /// <summary>One call and who may make it: <c>allowed</c> get past authorization, <c>hidden</c> get 404, other signed-in callers 403.</summary>
    private sealed record Row(string Method, string Path, string? Body, string Allowed, string Hidden = "outsider", bool BodyNamesEnvironment = false)
    {
        public string Expected(string caller) =>
            Allowed == "open" ? "allowed"
            : Unauthenticated.Contains(caller) ? "401"
            : Allowed == "*" || Allowed.Split(' ').Contains(caller) ? "allowed"
            : Hidden.Split(' ').Contains(caller) ? "404"
            : "403";
    }

    private const string Platform = "platform orgOwner";
    private const string SignedIn = "platform orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin outsider";
    private const string ShopReaders = "platform orgOwner orgViewer projAdmin projDeployer projViewer cappedOwner cookieAdmin";
    private const string DevReaders = ShopReaders + " envAdmin envViewer";
    private const string ShopDeployers = "platform orgOwner projAdmin projDeployer cookieAdmin";
    private const string ShopAdmins = "platform orgOwner projAdmin cookieAdmin";

    private static readonly Row[] Rows =
    [
        new("POST", "/api/v1/login", "{}", "open"),
        new("POST", "/api/v1/login/link", "{}", "open"),
        new("POST", "/api/v1/logout", "{}", "*", ""),
        new("GET", "/api/v1/me", null, "*", ""),
        new("POST", "/api/v1/tokens", "{}", "*", ""),
        new("GET", "/api/v1/tokens", null, "*", ""),
        new("DELETE", "/api/v1/tokens/nope", null, "*", ""),

        // Lists: anyone signed in; what they hold is filtered (RouteMatrixTests.Lists_show_...).
        new("GET", "/api/v1/deployments", null, "*", ""),
        new("GET", "/api/v1/environments", null, "*", ""),
        new("GET", "/api/v1/repositories", null, "*", ""),

        // A deployment's project and environment come from its record.
        new("GET", $"/api/v1/deployments/{Deployment}", null, DevReaders),
        new("GET", $"/api/v1/deployments/{Deployment}/logs", null, DevReaders),
        new("GET", $"/api/v1/deployments/{Deployment}/logs/stream", null, DevReaders),
        new("GET", $"/api/v1/deployments/{RivalDeployment}", null, "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),
        new("GET", "/api/v1/deployments/d-unknown", null, "", Hidden: "*all*"),

        // One environment: environment grants reach it, and only it.
        new("POST", "/api/v1/environments/shop/dev/suspend", "{}", ShopDeployers + " envAdmin"),
        new("POST", "/api/v1/environments/shop/production/suspend", "{}", ShopDeployers),
        new("POST", "/api/v1/environments/shop/dev/resume", "{}", ShopDeployers + " envAdmin"),
        new("POST", "/api/v1/environments/shop/production/resume", "{}", ShopDeployers),
        new("POST", "/api/v1/environments/shop/dev/rollback", "{}", ShopDeployers + " envAdmin"),
        new("POST", "/api/v1/environments/shop/dev/promote", """{"from":"dev"}""", ShopDeployers + " envAdmin"),
        new("POST", "/api/v1/environments/shop/production/promote", """{"from":"dev"}""", ShopDeployers),
        new("POST", "/api/v1/environments/shop/dev/promote", """{"from":"production"}""", ShopDeployers), // envAdmin deploys dev, but may not read production
        new("POST", "/api/v1/environments/shop/production/rollback/clear", "{}", ShopDeployers),
        new("POST", "/api/v1/environments/shop/dev/rollback/clear", "{}", ShopDeployers + " envAdmin"),

        // Crons of one environment; a run's project and environment come from its record.
        new("GET", "/api/v1/environments/shop/dev/crons", null, DevReaders),
        new("GET", "/api/v1/environments/shop/production/crons", null, ShopReaders),
        new("GET", "/api/v1/environments/shop/dev/crons/report/runs", null, DevReaders),
        new("GET", "/api/v1/environments/shop/production/crons/report/runs", null, ShopReaders),
        new("POST", "/api/v1/environments/shop/dev/crons/report/runs", "{}", ShopDeployers + " envAdmin"),
        new("POST", "/api/v1/environments/shop/production/crons/report/runs", "{}", ShopDeployers),
        new("POST", "/api/v1/environments/rival/dev/crons/report/runs", "{}", "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),
        new("GET", $"/api/v1/cron-runs/{CronRun}", null, DevReaders),

        // An environment's deployments per day (the dashboard's chart): its readers only.
        new("GET", "/api/v1/environments/shop/dev/history", null, DevReaders),
        new("GET", "/api/v1/environments/shop/production/history?days=7", null, ShopReaders),
        new("GET", "/api/v1/environments/rival/dev/history", null, "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),

        // Backups of one environment: its readers list them, its deployers run, drill and restore them.
        new("GET", "/api/v1/environments/shop/dev/backups", null, DevReaders),
        new("GET", "/api/v1/environments/shop/production/backups", null, ShopReaders),
        new("POST", "/api/v1/environments/shop/dev/services/web/backups", "{}", ShopDeployers + " envAdmin"),
        new("POST", "/api/v1/environments/shop/production/services/web/backups", "{}", ShopDeployers),
        new("POST", "/api/v1/environments/shop/dev/backups/shop--dev--db--x/verify", "{}", ShopDeployers + " envAdmin"),
        new("POST", "/api/v1/environments/shop/production/backups/shop--production--db--x/restore", "{}", ShopDeployers),
        new("POST", "/api/v1/environments/rival/dev/backups/rival--dev--db--x/restore", "{}", "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),

        // A service's application logs (server-sent events): readers of its environment.
        new("GET", "/api/v1/environments/shop/dev/services/web/logs", null, DevReaders),
        new("GET", "/api/v1/environments/shop/production/services/web/logs?follow=true", null, ShopReaders),
        new("GET", "/api/v1/environments/rival/dev/services/web/logs", null, "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),

        // A command in a replica: deployers of the environment, with a token (cookieAdmin's session is refused by the route itself).
        new("GET", "/api/v1/environments/shop/dev/services/web/exec", null, "platform orgOwner projAdmin projDeployer envAdmin"),
        new("GET", "/api/v1/environments/shop/production/services/web/exec", null, "platform orgOwner projAdmin projDeployer"),
        new("GET", "/api/v1/environments/rival/dev/services/web/exec", null, "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),
        new("POST", "/api/v1/environments/shop/dev/services/web/restart", "{}", ShopDeployers + " envAdmin"),
        new("POST", "/api/v1/environments/shop/production/services/web/restart", "{}", ShopDeployers),
        new("POST", "/api/v1/environments/rival/dev/services/web/restart", "{}", "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),
        new("GET", $"/api/v1/cron-runs/{RivalCronRun}", null, "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),
        new("GET", "/api/v1/cron-runs/r-unknown", null, "", Hidden: "*all*"),

        // The whole project: environment grants do not reach it.
        new("POST", "/api/v1/sync/shop", "{}", ShopDeployers),
        new("DELETE", "/api/v1/repositories/rival", null, "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),
        new("GET", "/api/v1/projects/shop/secrets", null, DevReaders),
        new("PUT", "/api/v1/projects/shop/secrets/API_KEY", """{"value":"v"}""", ShopAdmins, BodyNamesEnvironment: true),
        new("PUT", "/api/v1/projects/shop/secrets/API_KEY", """{"value":"v","environment":"dev"}""", ShopAdmins + " envAdmin", BodyNamesEnvironment: true),
        new("PUT", "/api/v1/projects/shop/secrets/API_KEY", """{"value":"v","environment":"production"}""", ShopAdmins, BodyNamesEnvironment: true),
        new("DELETE", "/api/v1/projects/shop/secrets/API_KEY", null, ShopAdmins),
        new("PUT", "/api/v1/projects/shop/environments/dev/secrets/API_KEY", """{"value":"v"}""", ShopAdmins + " envAdmin", BodyNamesEnvironment: true),
        new("PUT", "/api/v1/projects/shop/environments/production/secrets/API_KEY", """{"value":"v"}""", ShopAdmins, BodyNamesEnvironment: true),
        new("DELETE", "/api/v1/projects/shop/environments/dev/secrets/API_KEY", null, ShopAdmins + " envAdmin"),
        new("DELETE", "/api/v1/projects/shop/environments/production/secrets/API_KEY", null, ShopAdmins),
        // The platform's own owners in the secret store (a target's credentials, backups' keys) are no project's, not even the owner's through a project route.
        new("GET", "/api/v1/projects/@targets/secrets", null, "", Hidden: SignedIn),
        new("PUT", "/api/v1/projects/@targets/secrets/aws", """{"value":"v"}""", "", Hidden: SignedIn), // the matrix also injects project and environment into its body
        new("DELETE", "/api/v1/projects/@backups/secrets/s3", null, "", Hidden: SignedIn),

        // Platform administration: no project grant reaches it, whatever the query says.
        new("POST", "/api/v1/repositories", "{}", Platform, ""),
        new("POST", "/api/v1/repositories", """{"project":"shop2","url":"ssh://git@git.example.invalid/shop2.git","sshKey":"not a key","knownHosts":"x"}""", Platform, ""),
        new("POST", "/api/v1/repositories", """{"project":"shop3","url":"https://git.example.invalid/shop3.git","credential":"a-token"}""", Platform, ""),
        new("GET", "/api/v1/users", null, Platform, ""),
        new("POST", "/api/v1/users", "{}", Platform, ""),
        new("DELETE", "/api/v1/users/nobody", null, Platform, ""),
        new("GET", "/api/v1/audit", null, Platform, ""),
        new("GET", "/api/v1/audit/verify", null, Platform, ""),
        new("GET", "/api/v1/notifications", null, Platform, ""),
        new("PUT", "/api/v1/notifications/nope/secret", """{"value":"v"}""", Platform, ""),
        new("POST", "/api/v1/notifications/nope/test", "{}", Platform, ""),
        new("GET", "/api/v1/logs/stats", null, Platform, ""),
        new("POST", "/api/v1/logs/compact", "{}", Platform, ""),
        new("POST", "/api/v1/admin/backups?to=nope", "{}", Platform, ""),
        new("GET", "/api/v1/drains", null, Platform, ""),

        // Grants: decided from the body's scope. Admins hand out up to deployer in their scope; owners anything in theirs.
        new("POST", "/api/v1/users/nobody/grants", """{"role":"deployer","scope":"env:shop/dev"}""", ShopAdmins + " envAdmin"),
        new("POST", "/api/v1/users/nobody/grants", """{"role":"viewer","scope":"project:shop"}""", ShopAdmins),
        new("POST", "/api/v1/users/nobody/grants", """{"role":"admin","scope":"project:shop"}""", Platform),
        new("POST", "/api/v1/users/nobody/grants", """{"role":"owner","scope":"org:default"}""", Platform, ""),
        new("POST", "/api/v1/users/nobody/grants", """{"role":"viewer","scope":"project:rival"}""", "platform outsider", Hidden: "orgOwner orgViewer projAdmin projDeployer projViewer envAdmin envViewer cappedOwner cookieAdmin"),
    ];

    [Fact]
    public async Task Every_route_decides_as_written_here_for_every_principal_and_no_injected_project_or_environment_changes_it()
    {
        await using var server = await StartAsync();
        var failures = new List<string>();
        var bodies = new StringBuilder();
        foreach (var row in Rows)
        {
            foreach (var caller in Everyone)
            {
                var expected = row.Hidden == "*all*" && !Unauthenticated.Contains(caller) ? "404" : row.Expected(caller);
                var (status, body) = await CallAsync(server, row.Method, row.Path, row.Body, caller);
                bodies.Append(body);
                if (Classify(status, body) != expected)
                {
                    failures.Add($"{row.Method} {row.Path} {row.Body} as {caller}: expected {expected}, got {(int)status} {body}");
                }

                foreach (var (path, json) in Injections(row))
                {
                    var (injectedStatus, injectedBody) = await CallAsync(server, row.Method, path, json, caller);
                    if (Classify(injectedStatus, injectedBody) != expected)
                    {
                        failures.Add($"{row.Method} {path} {json} as {caller} (injected): expected {expected}, got {(int)injectedStatus} {injectedBody}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} wrong decisions:\n" + string.Join("\n", failures.Take(40)));
        foreach (var secret in _auth.Values)
        {
            Assert.DoesNotContain(secret.Replace("Bearer ", "", StringComparison.Ordinal), bodies.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_name_every_project_so_only_platform_administrators_read_them_whatever_the_query_names()
    {
        await using var server = await StartAsync();
        var failures = new List<string>();
        // A scrape has no body, but one naming a project (or an environment) must not open the door either.
        var row = new Row("GET", "/metrics", "{}", Platform, "");
        foreach (var caller in Everyone)
        {
            foreach (var (path, json) in Injections(row).Prepend((row.Path, null)))
            {
                var (status, body) = await CallAsync(server, "GET", path, json, caller);
                var expected = row.Expected(caller);
                if (Classify(status, body) != expected || (expected != "allowed" && body.Contains("shop", StringComparison.Ordinal)))
                {
                    failures.Add($"GET {path} {json} as {caller}: expected {expected}, got {(int)status} {body}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.Contains(new AuditLog(server.State).List(action: "GET /metrics"), e => e.Actor.StartsWith("projadmin (token", StringComparison.Ordinal) && e.Result == "refused (forbidden)");
    }

    [Fact]
    public async Task Every_api_route_has_a_hand_written_row_in_this_matrix()
    {
        await using var server = await StartAsync();
        var routes = server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .ToList();

        var uncovered = routes.Where(r => !Rows.Any(row => row.Method == r.Method && Matches(r.Pattern, row.Path))).ToList();

        Assert.True(routes.Count >= 30, $"{routes.Count} routes");
        Assert.True(uncovered.Count == 0, "routes without a row: " + string.Join(", ", uncovered));
    }

    [Fact]
    public async Task Lists_show_an_environment_grant_only_its_environment_and_an_outsider_nothing_of_the_project()
    {
        await using var server = await StartAsync();

        var envViewer = await GetAsync(server, "/api/v1/deployments?project=shop", "envViewer");
        var outsider = await GetAsync(server, "/api/v1/deployments?project=shop", "outsider");
        var outsiderAll = await GetAsync(server, "/api/v1/deployments", "outsider");
        var secretsOfDev = await GetAsync(server, "/api/v1/projects/shop/secrets", "envViewer");
        var secretsOfProject = await GetAsync(server, "/api/v1/projects/shop/secrets", "projViewer");

        Assert.Contains(Deployment, envViewer, StringComparison.Ordinal);
        Assert.DoesNotContain("d-20261127-000000-cccccc", envViewer, StringComparison.Ordinal); // shop's production deployment
        Assert.Equal("[]", outsider);
        Assert.Contains(RivalDeployment, outsiderAll, StringComparison.Ordinal);
        Assert.DoesNotContain(Deployment, outsiderAll, StringComparison.Ordinal);
        Assert.Contains("DEV_ONLY", secretsOfDev, StringComparison.Ordinal);
        Assert.Contains("SHARED", secretsOfDev, StringComparison.Ordinal);
        Assert.DoesNotContain("PROD_ONLY", secretsOfDev, StringComparison.Ordinal);
        Assert.Contains("PROD_ONLY", secretsOfProject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Public_addresses_and_history_show_only_to_readers_of_their_environment()
    {
        await using var server = await StartAsync("ingress: { baseDomain: localhost, httpsPort: 8443, tls: { internal: true } }\n");
        foreach (var (project, environment) in new[] { ("shop", "dev"), ("shop", "production"), ("rival", "dev") })
        {
            Running(server.State, project, environment);
        }

        var envViewer = await GetAsync(server, "/api/v1/environments", "envViewer");
        var projViewer = await GetAsync(server, "/api/v1/environments", "projViewer");
        var outsider = await GetAsync(server, "/api/v1/environments", "outsider");
        var outsiderNamingShop = await CallAsync(server, "GET", "/api/v1/environments?project=shop", null, "outsider");
        var outsiderNamingNothing = await CallAsync(server, "GET", "/api/v1/environments?project=nosuch", null, "outsider");
        using var history = System.Text.Json.JsonDocument.Parse(await GetAsync(server, "/api/v1/environments/shop/dev/history?days=3", "envViewer"));

        Assert.Contains("\"https://web-dev-shop.localhost:8443/\"", envViewer, StringComparison.Ordinal);
        Assert.DoesNotContain("web-production-shop", envViewer, StringComparison.Ordinal);
        Assert.DoesNotContain("web-dev-rival", envViewer, StringComparison.Ordinal);
        Assert.Contains("\"https://web-production-shop.localhost:8443/\"", projViewer, StringComparison.Ordinal);
        Assert.Contains("\"https://web-dev-rival.localhost:8443/\"", outsider, StringComparison.Ordinal);
        Assert.DoesNotContain("shop.localhost", outsider, StringComparison.Ordinal);
        // A project the caller may not see answers as one that does not exist: no oracle of other tenants' names.
        Assert.Equal(HttpStatusCode.NotFound, outsiderNamingShop.Item1);
        Assert.Equal(outsiderNamingNothing.Item2.Replace("nosuch", "shop", StringComparison.Ordinal), outsiderNamingShop.Item2);
        Assert.DoesNotContain("web-dev-shop", outsiderNamingShop.Item2, StringComparison.Ordinal);
        var days = history.RootElement.GetProperty("days");
        Assert.Equal(3, days.GetArrayLength());
        Assert.Equal(2, days[2].GetProperty("deploys").GetInt32()); // the matrix's own deployment of shop/dev and the running one, both today
        Assert.Equal(0, days[2].GetProperty("failures").GetInt32());
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>A public <c>web</c> service recorded as running in the environment, with its default route under localhost.</summary>
    private static void Running(StateStore state, string project, string environment)
    {
        var spec = new Gitops.Engine.Desired.ServiceSpec { Image = "busybox", Port = 8080 };
        var route = new Gitops.Engine.Desired.DesiredRoute(Gitops.Engine.Desired.DesiredRoute.IdOf(project, environment, "web"), "web", Gitops.Schema.Model.ValueList.Of($"web-{environment}-{project}.localhost"), 8080);
        var desired = new Gitops.Engine.Desired.DesiredState(project, environment, "abc", Gitops.Engine.Desired.Names.Network(project, environment), Gitops.Schema.Model.ValueList<string>.Empty,
            Gitops.Schema.Model.ValueList.Of(new Gitops.Engine.Desired.DesiredService("web", spec, "f", 1, Gitops.Schema.Model.DeployStrategy.Rolling, Gitops.Schema.Model.Duration.FromSeconds(1), Gitops.Schema.Model.ValueList<string>.Empty)))
        {
            Routes = Gitops.Schema.Model.ValueList.Of(route),
        };
        state.Record(project, environment, state.Recorded(project, environment) with
        {
            Revision = "abc",
            Services = new Gitops.Schema.Model.ValueMap<RecordedService>([KeyValuePair.Create("web", new RecordedService("f", 1, spec))]),
        });
        state.SaveDeployment(new Deployment { Id = $"d-20261127-000001-{project[..3]}{environment[..3]}", Project = project, Environment = environment, Revision = "abc", Trigger = "test", PlanText = "", Status = DeploymentStatus.Succeeded, StartedAt = DateTimeOffset.UtcNow, Desired = desired });
    }

    /// <summary>The route's decision must not move when a caller names another project or environment in the query or body.</summary>
    private static IEnumerable<(string Path, string? Body)> Injections(Row row)
    {
        foreach (var (project, environment) in new[] { ("shop", "dev"), ("shop", "production"), ("rival", "dev") })
        {
            var separator = row.Path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            yield return ($"{row.Path}{separator}project={project}&environment={environment}", row.Body);
            if (row.Body is { } body && !row.BodyNamesEnvironment && body.StartsWith('{'))
            {
                var injected = body == "{}" ? $$"""{"project":"{{project}}","environment":"{{environment}}"}""" : $$"""{"project":"{{project}}","environment":"{{environment}}",{{body[1..]}}""";
                yield return (row.Path, injected);
            }
        }
    }

    private static bool Matches(string pattern, string path)
    {
        var p = pattern.Split('/');
        var a = path.Split('?')[0].Split('/');
        return p.Length == a.Length && p.Zip(a).All(x => x.First.StartsWith('{') || x.First == x.Second);
    }

    private static string Classify(HttpStatusCode status, string body) => status switch
    {
        HttpStatusCode.Unauthorized => "401",
        HttpStatusCode.Forbidden => "403",
        HttpStatusCode.NotFound when body.Contains("\"not found\"", StringComparison.Ordinal) => "404",
        _ => "allowed",
    };

    /// <param name="platform">Lines added to platform.yaml before the server reads it.</param>
    private async Task<InProcessServer> StartAsync(string platform = "")
    {
        Prepare();
        File.AppendAllText(Path.Combine(_data, "platform.yaml"), platform);
        var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1));
        _auth["platform"] = $"Bearer {server.Token}";
        await SignInAsync(server);
        return server;
    }

    private async Task SignInAsync(InProcessServer server)
    {
        using var login = await server.Http.PostAsync("/api/v1/login", Json($$"""{"user":"cookieadmin","password":"{{Password}}"}"""));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        _auth["cookieAdmin"] = "Cookie " + login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    /// <summary>Two projects in two organizations, principals of every kind, deployments and secrets in both environments.</summary>
    private void Prepare()
    {
        if (File.Exists(Path.Combine(_data, "platform.yaml")))
        {
            return;
        }

        File.WriteAllText(Path.Combine(_data, "platform.yaml"), "allowFileUrls: true\n");
        using var state = StateStore.Open(_data);
        var registry = new RepositoryRegistry(state);
        registry.Add("shop", "file:///nowhere/shop.git");
        registry.Add("rival", "file:///nowhere/rival.git");
        var people = new People(state);
        people.PlaceProject("rival", "other");
        var tokens = new Tokens(state);
        foreach (var (caller, user, role, scope, cap) in new[]
        {
            ("orgOwner", "orgowner", Role.Owner, Scope.Organization("default"), Role.Owner),
            ("orgViewer", "orgviewer", Role.Viewer, Scope.Organization("default"), Role.Owner),
            ("projAdmin", "projadmin", Role.Admin, Scope.Project("shop"), Role.Owner),
            ("projDeployer", "projdeployer", Role.Deployer, Scope.Project("shop"), Role.Owner),
            ("projViewer", "projviewer", Role.Viewer, Scope.Project("shop"), Role.Owner),
            ("envAdmin", "envadmin", Role.Admin, Scope.Environment("shop", "dev"), Role.Owner),
            ("envViewer", "envviewer", Role.Viewer, Scope.Environment("shop", "dev"), Role.Owner),
            ("cappedOwner", "cappedowner", Role.Owner, Scope.Project("shop"), Role.Viewer),
            ("cookieAdmin", "cookieadmin", Role.Admin, Scope.Project("shop"), Role.Owner),
            ("outsider", "outsider", Role.Owner, Scope.Organization("other"), Role.Owner),
            ("expired", "expired", Role.Owner, Scope.Organization("default"), Role.Owner),
            ("revoked", "revoked", Role.Owner, Scope.Organization("default"), Role.Owner),
            ("removed", "removed", Role.Owner, Scope.Organization("default"), Role.Owner),
        })
        {
            people.AddUser(user, Password);
            people.GrantRole(new Grant(user, role, scope));
            var (secret, token) = tokens.Create(user, "test", cap, caller == "expired" ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromDays(1));
            _auth[caller] = $"Bearer {secret}";
            if (caller == "revoked")
            {
                tokens.Revoke(token.Id);
            }
        }

        people.RemoveUser("removed");
        people.AddUser("removed", Password); // the same name again: a new person, with no tokens yet
        people.GrantRole(new Grant("removed", Role.Owner, Scope.Organization("default")));
        Thread.Sleep(5); // the expired token's millisecond has passed

        foreach (var (id, project, environment) in new[] { (Deployment, "shop", "dev"), ("d-20261127-000000-cccccc", "shop", "production"), (RivalDeployment, "rival", "dev") })
        {
            state.SaveDeployment(new Deployment { Id = id, Project = project, Environment = environment, Revision = "abc", Trigger = "test", PlanText = "", Status = DeploymentStatus.Succeeded, StartedAt = DateTimeOffset.UtcNow });
        }

        var runs = new Gitops.Engine.Crons.CronRuns(state);
        foreach (var (id, project) in new[] { (CronRun, "shop"), (RivalCronRun, "rival") })
        {
            runs.Finish(new Gitops.Engine.Crons.CronRun { Id = id, Project = project, Environment = "dev", Cron = "report", Service = "web", Outcome = Gitops.Engine.Crons.CronOutcome.Succeeded, StartedAt = DateTimeOffset.UtcNow, EndedAt = DateTimeOffset.UtcNow }, "done");
        }

        var secrets = new Gitops.Engine.Secrets.SecretStore(state);
        secrets.Set("shop", "dev", "DEV_ONLY", "1");
        secrets.Set("shop", "production", "PROD_ONLY", "2");
        secrets.Set("shop", null, "SHARED", "3");
    }

    private async Task<(HttpStatusCode, string)> CallAsync(InProcessServer server, string method, string path, string? body, string caller)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = Json(body);
        }

        if (_auth.TryGetValue(caller, out var auth))
        {
            var (header, value) = auth.StartsWith("Cookie ", StringComparison.Ordinal) ? ("Cookie", auth["Cookie ".Length..]) : ("Authorization", auth);
            request.Headers.Add(header, value);
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        if (caller == "cookieAdmin" && path.StartsWith("/api/v1/logout", StringComparison.Ordinal))
        {
            await SignInAsync(server); // the session just ended; the next call gets a new one
        }

        // A log stream that is allowed answers with events; its headers are the decision.
        var text = path.EndsWith("/stream", StringComparison.Ordinal) && response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync(cancel.Token);
        return (response.StatusCode, text);
    }

    private async Task<string> GetAsync(InProcessServer server, string path, string caller)
    {
        var (status, body) = await CallAsync(server, "GET", path, null, caller);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
