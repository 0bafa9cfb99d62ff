using System.Net;
using System.Text;
using Gitops.Cli;
using Gitops.Engine.Access;
using Gitops.Engine.Sources;
using Gitops.Engine.State;
using Gitops.Server.Access;
using LiteDB;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gitops.IntegrationTests;

/// <summary>
/// Sign-in against the real server: the login throttle survives a restart, cookies are strict,
/// and the audit log finds an edited entry. The route × principal matrix is <see cref="RouteMatrixTests"/>.
/// </summary>
public sealed class AccessTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly string _data = Directory.CreateTempSubdirectory("paas-access-").FullName;
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private string _shopDeployment = "";

    [Fact]
    public async Task Ten_failed_logins_throttle_the_account_even_after_a_restart()
    {
        Prepare();
        var statuses = new List<HttpStatusCode>();
        await using (var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1)))
        {
            for (var i = 0; i < LoginThrottle.Limit; i++)
            {
                statuses.Add(await LoginAsync(server, "viewer", "wrong password " + i));
            }

            statuses.Add(await LoginAsync(server, "viewer", Password));
        }

        await using var restarted = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1));
        var afterRestart = await LoginAsync(restarted, "viewer", Password);

        Assert.All(statuses.Take(LoginThrottle.Limit), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]); // the right password no longer helps
        Assert.Equal(HttpStatusCode.TooManyRequests, afterRestart);
    }

    [Fact]
    public async Task Sign_in_sets_a_strict_cookie_and_audit_verify_names_an_edited_entry()
    {
        Prepare();
        await using (var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1)))
        {
            using var response = await server.Http.PostAsync("/api/v1/login", Json($"{{\"user\":\"deployer\",\"password\":\"{Password}\"}}"));
            var cookie = response.Headers.GetValues("Set-Cookie").Single();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

            using var form = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sync/shop") { Content = new FormUrlEncodedContent([]) };
            form.Headers.Add("Cookie", cookie.Split(';')[0]);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await server.Http.SendAsync(form)).StatusCode); // no cross-site form posts
            Assert.Equal(HttpStatusCode.Accepted, await SendAsync(server, HttpMethod.Post, "/api/v1/sync/shop", cookie.Split(';')[0], null));
        }

        var intact = Cli("audit", "verify");
        using (var db = new LiteDatabase(new ConnectionString { Filename = Path.Combine(_data, "state.db"), Connection = ConnectionType.Direct }))
        {
            var audit = db.GetCollection("audit");
            var entry = audit.FindById(2);
            entry["actor"] = "someone-else";
            audit.Update(entry);
        }

        var broken = Cli("audit", "verify");

        Assert.True(intact.ExitCode == 0, intact.ToString());
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("entry 2 was altered", broken.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mutation_whose_audit_entry_cannot_be_written_does_not_happen()
    {
        Prepare();
        // A real write failure in the real database: a unique index on the actor refuses the
        // admin token's second entry, while every other collection keeps working.
        using (var db = new LiteDatabase(new ConnectionString { Filename = Path.Combine(_data, "state.db"), Connection = ConnectionType.Direct }))
        {
            db.GetCollection("audit").EnsureIndex("actor", unique: true);
        }

        (HttpStatusCode Status, string Body) suspended, resumed;
        string token;
        await using (var server = await InProcessServer.StartAsync(_data, TimeSpan.FromHours(1)))
        {
            token = server.Token;
            suspended = await PostAsAdminAsync(server, "/api/v1/environments/shop/dev/suspend");
            resumed = await PostAsAdminAsync(server, "/api/v1/environments/shop/dev/resume");
        }

        using var state = StateStore.Open(_data);
        var entries = new Gitops.Engine.Audit.AuditLog(state).List();

        Assert.Equal(HttpStatusCode.OK, suspended.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, resumed.Status);
        Assert.True(new Gitops.Engine.Reconcile.EnvironmentRecords(state).IsSuspended("shop", "dev"), "the resume ran although its audit entry was not written");
        Assert.Equal(["POST /api/v1/environments/{project}/{environment}/suspend"], entries.Select(e => e.Action));
        Assert.DoesNotContain(token, resumed.Body, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode, string)> PostAsAdminAsync(InProcessServer server, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json("{}") };
        request.Headers.Add("Authorization", $"Bearer {server.Token}");
        using var response = await server.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>Two projects in two organizations, a user per role on the first, an owner of the second, a token each.</summary>
    private void Prepare()
    {
        File.WriteAllText(Path.Combine(_data, "platform.yaml"), "allowFileUrls: true\n");
        using var state = StateStore.Open(_data);
        var registry = new RepositoryRegistry(state);
        registry.Add("shop", "file:///nowhere/shop.git");
        registry.Add("rival", "file:///nowhere/rival.git");
        var people = new People(state);
        people.PlaceProject("rival", "other");
        foreach (var (user, role, scope) in new[]
        {
            ("viewer", Role.Viewer, Scope.Organization("default")),
            ("deployer", Role.Deployer, Scope.Organization("default")),
            ("admin", Role.Admin, Scope.Organization("default")),
            ("owner", Role.Owner, Scope.Organization("default")),
            ("outsider", Role.Owner, Scope.Organization("other")),
        })
        {
            people.AddUser(user, Password);
            people.GrantRole(new Grant(user, role, scope));
            _tokens[user] = new Tokens(state).Create(user, "test", Role.Owner, TimeSpan.FromDays(1)).Secret;
        }

        _shopDeployment = "d-20261127-000000-aaaaaa";
        state.SaveDeployment(new Deployment { Id = _shopDeployment, Project = "shop", Environment = "dev", Revision = "abc", Trigger = "test", PlanText = "", Status = DeploymentStatus.Succeeded, StartedAt = DateTimeOffset.UtcNow });
    }

    private static async Task<HttpStatusCode> SendAsync(InProcessServer server, HttpMethod method, string path, string cookie, string? json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = Json(json ?? "{}") };
        request.Headers.Add("Cookie", cookie);
        using var response = await server.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> LoginAsync(InProcessServer server, string user, string password)
    {
        using var response = await server.Http.PostAsync("/api/v1/login", Json($"{{\"user\":\"{user}\",\"password\":\"{password}\"}}"));
        return response.StatusCode;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private CliRun Cli(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PaasCli.Run([.. args, "--data-dir", _data], CliConsole.Plain(output, error), TextReader.Null);
        return JsonOutputCheck.Checked(args, new CliRun(code, output.ToString(), error.ToString()));
    }
}
