using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gitops.Clouds.Tests.Fake;

/// <summary>
/// A FAKE Cloud Run Admin API v2, built from its public REST reference (no real Cloud Run is reachable
/// from these machines): plain HTTP on 127.0.0.1, an OAuth token endpoint that checks a service
/// account's signed JWT assertion (<c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>) and
/// issues access tokens, and <c>/v2/projects/P/locations/R/services…</c> (create, get, list, patch with
/// etags, delete, revisions, <c>:getIamPolicy</c>/<c>:setIamPolicy</c>) and <c>/v2/…/operations/ID</c>,
/// every call requiring <c>Authorization: Bearer</c> with an issued token (401 otherwise), errors in
/// Google's shape. What it holds and how a revision's readiness is decided: <see cref="FakeCloudRunServices"/>.
/// The same server holds a cron's objects: Cloud Run jobs (<c>/v2/…/jobs</c>, <see cref="FakeCloudRunJobs"/>)
/// and Cloud Scheduler's v1 tree (<c>/v1/projects/P/locations/R/jobs…</c>, <see cref="FakeCloudScheduler"/>),
/// the target's endpoint standing in for both APIs.
/// Faults are injectable (<see cref="Fail"/>); the API calls it received are recorded (<see cref="Calls"/>).
/// Left out: field validation beyond the service id, paging, conditions other than Ready, and
/// everything that runs a container.
/// </summary>
public sealed class FakeCloudRun : IAsyncDisposable
{
    public const string Project = "paas-fake-project";
    public const string Region = "europe-west1";
    public const string ClientEmail = "paas-deployer@paas-fake-project.iam.gserviceaccount.com";
    public const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>The audience Google.Apis.Auth puts in every assertion, whatever the key's token_uri (Google's token endpoint checks it too).</summary>
    public const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";

    private readonly WebApplication _app;
    private readonly RSA _key;
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private readonly List<Fault> _faults = [];
    private readonly ConcurrentQueue<(string Method, string Path)> _received = new();
    private readonly Lock _lock = new();

    private FakeCloudRun(WebApplication app, RSA key)
    {
        _app = app;
        _key = key;
        Services = new FakeCloudRunServices(Project, Region);
        Jobs = new FakeCloudRunJobs(Project, Region);
        Scheduler = new FakeCloudScheduler(Project, Region);
        ConsoleToken = Issue();
    }

    /// <summary><c>http://127.0.0.1:PORT</c>: the API and the token endpoint.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public string TokenUri => new Uri(BaseAddress, "token").ToString();

    internal FakeCloudRunServices Services { get; }

    internal FakeCloudRunJobs Jobs { get; }

    internal FakeCloudScheduler Scheduler { get; }

    /// <summary>A token as someone in the console holds it: for the tests' changes behind the platform's back.</summary>
    public string ConsoleToken { get; }

    /// <summary>The access tokens issued through the token endpoint (not the console's).</summary>
    public IReadOnlyCollection<string> IssuedTokens => [.. _tokens.Keys.Where(t => t != ConsoleToken)];

    /// <summary>The API calls received with a valid token, in order (the token endpoint's are not recorded).</summary>
    public IReadOnlyList<RecordedCall> Calls => [.. _calls];

    /// <summary>The requests that got 401.</summary>
    public int Unauthenticated { get; private set; }

    /// <summary>The service-account key (JSON) the fake trusts: its private key signs the driver's assertions, its token_uri is this fake's.</summary>
    public string ServiceAccountJson => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = Project,
        ["private_key_id"] = "fake0000000000000000000000000000000000key",
        ["private_key"] = _key.ExportPkcs8PrivateKeyPem() + "\n",
        ["client_email"] = ClientEmail,
        ["client_id"] = "100000000000000000001",
        ["token_uri"] = TokenUri,
    }.ToJsonString();

    /// <summary>The service-account key's private key as PEM (the canary looks for its base64 body).</summary>
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    public static async Task<FakeCloudRun> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeCloudRun(app, RSA.Create(2048));
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseAddress = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
        return fake;
    }

    /// <summary>The next requests whose method and path match answer these statuses (429 or 503 with <c>Retry-After</c> seconds), in order.</summary>
    public void Fail(string method, string pathEnd, params (int Status, int? RetryAfterSeconds)[] answers)
    {
        lock (_lock)
        {
            _faults.AddRange(answers.Select(a => new Fault(method, pathEnd, a.Status, a.RetryAfterSeconds)));
        }
    }

    /// <summary>How many requests with that method reached a path ending so (faulted ones too).</summary>
    public int Attempts(string method, string pathEnd) => _received.Count(r => r.Method == method && r.Path.EndsWith(pathEnd, StringComparison.Ordinal));

    /// <summary>Whether a new revision becomes ready: null (ready) or why not. Default: a startup probe under /missing fails.</summary>
    public Func<JsonObject, string?> Readiness
    {
        get => Services.Readiness;
        set => Services.Readiness = value;
    }

    /// <summary>A call as someone with the console's token would make it (a change behind the platform's back).</summary>
    public async Task<JsonObject?> ConsoleAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ConsoleToken);
        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text) as JsonObject;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var body = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 ? await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted) : "";
        if (path == "/token" && request.Method == "POST")
        {
            await WriteAsync(context, Token(body));
            return;
        }

        if (request.Headers.Authorization.ToString() is not { } authorization || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(authorization[7..]))
        {
            Unauthenticated++;
            await WriteAsync(context, FakeCloudRunServices.Error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token."));
            return;
        }

        _received.Enqueue((request.Method, path));
        if (TakeFault(request.Method, path) is { } fault)
        {
            if (fault.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await WriteAsync(context, FakeCloudRunServices.Error(fault.Status, fault.Status switch { 429 => "RESOURCE_EXHAUSTED", 400 => "INVALID_ARGUMENT", 403 => "PERMISSION_DENIED", _ => "UNAVAILABLE" }, $"injected {fault.Status} for {request.Method} {path}"));
            return;
        }

        if (authorization[7..] != ConsoleToken)
        {
            _calls.Enqueue(new RecordedCall(request.Method, path + request.QueryString.Value, body));
        }

        var json = body.Length == 0 ? [] : JsonNode.Parse(body) as JsonObject ?? [];
        await WriteAsync(context, Route(request.Method, path, request.Query, json));
    }

    /// <summary>The first injected fault for this request, taken (each answers once).</summary>
    private Fault? TakeFault(string method, string path)
    {
        lock (_lock)
        {
            var first = _faults.FirstOrDefault(f => f.Method == method && path.EndsWith(f.PathEnd, StringComparison.Ordinal));
            if (first is not null)
            {
                _faults.Remove(first);
            }

            return first;
        }
    }

    private (int, JsonNode?) Route(string method, string path, IQueryCollection query, JsonObject body)
    {
        var parent = $"/v2/{Services.Parent}";
        if (path.StartsWith($"{parent}/operations/", StringComparison.Ordinal) && method == "GET")
        {
            return Jobs.Operation(path[4..]) ?? Services.Operation(path[4..]);
        }

        if (path == $"{parent}/jobs" || path.StartsWith($"{parent}/jobs/", StringComparison.Ordinal))
        {
            return RouteJob(method, path[($"{parent}/jobs".Length)..].TrimStart('/'), query, body);
        }

        if (path == $"/v1/{Scheduler.Parent}/jobs" || path.StartsWith($"/v1/{Scheduler.Parent}/jobs/", StringComparison.Ordinal))
        {
            return RouteSchedule(method, path[($"/v1/{Scheduler.Parent}/jobs".Length)..].TrimStart('/'), query, body);
        }

        if (path == $"{parent}/services")
        {
            return method switch
            {
                "GET" => (200, Services.List()),
                "POST" => Services.Create(query["serviceId"].ToString(), body),
                _ => FakeCloudRunServices.Error(405, "UNIMPLEMENTED", $"{method} {path}"),
            };
        }

        if (!path.StartsWith($"{parent}/services/", StringComparison.Ordinal))
        {
            return FakeCloudRunServices.Error(404, "NOT_FOUND", $"{path} is not a Cloud Run Admin API v2 path of {Services.Parent}");
        }

        var rest = path[($"{parent}/services/".Length)..];
        return (method, rest.Split('/')) switch
        {
            ("GET", [var id, "revisions"]) => Services.Revisions(id),
            ("GET", [var id]) when id.EndsWith(":getIamPolicy", StringComparison.Ordinal) => Services.GetIam(id[..^":getIamPolicy".Length]),
            ("POST", [var id]) when id.EndsWith(":setIamPolicy", StringComparison.Ordinal) => Services.SetIam(id[..^":setIamPolicy".Length], body),
            ("GET", [var id]) => Services.Get(id),
            ("PATCH", [var id]) => Services.Patch(id, body),
            ("DELETE", [var id]) => Services.Delete(id),
            _ => FakeCloudRunServices.Error(404, "NOT_FOUND", $"{method} {path} is not served by the fake"),
        };
    }

    private (int, JsonNode?) RouteJob(string method, string id, IQueryCollection query, JsonObject body) => (method, id) switch
    {
        ("GET", "") => (200, Jobs.List()),
        ("POST", "") => Jobs.Create(query["jobId"].ToString(), body),
        ("POST", _) when id.EndsWith(":run", StringComparison.Ordinal) => Jobs.Run(id[..^":run".Length]),
        ("GET", _) => Jobs.Get(id),
        ("PATCH", _) => Jobs.Patch(id, body),
        ("DELETE", _) => Jobs.Delete(id),
        _ => FakeCloudRunServices.Error(405, "UNIMPLEMENTED", $"{method} jobs/{id}"),
    };

    private (int, JsonNode?) RouteSchedule(string method, string id, IQueryCollection query, JsonObject body) => (method, id) switch
    {
        ("GET", "") => (200, Scheduler.List()),
        ("POST", "") => Scheduler.Create(body),
        ("POST", _) when id.EndsWith(":pause", StringComparison.Ordinal) => Scheduler.SetState(id[..^":pause".Length], "PAUSED"),
        ("POST", _) when id.EndsWith(":resume", StringComparison.Ordinal) => Scheduler.SetState(id[..^":resume".Length], "ENABLED"),
        ("GET", _) => Scheduler.Get(id),
        ("PATCH", _) => Scheduler.Patch(id, query["updateMask"].ToString(), body),
        ("DELETE", _) => Scheduler.Delete(id),
        _ => FakeCloudRunServices.Error(405, "UNIMPLEMENTED", $"{method} v1 jobs/{id}"),
    };

    /// <summary>The OAuth 2 JWT-bearer grant: the assertion must be RS256-signed by the key's private key, issued by its client email, for this token URI, with the cloud-platform scope, unexpired.</summary>
    private (int, JsonNode?) Token(string form)
    {
        var fields = form.Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')), StringComparer.Ordinal);
        if (fields.GetValueOrDefault("grant_type") != JwtBearer || fields.GetValueOrDefault("assertion") is not { } assertion)
        {
            return (400, new JsonObject { ["error"] = "unsupported_grant_type", ["error_description"] = $"grant_type must be {JwtBearer} with an assertion" });
        }

        var parts = assertion.Split('.');
        if (parts.Length != 3 || !_key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return (400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT Signature." });
        }

        var header = JsonNode.Parse(Base64Url(parts[0]));
        var claims = JsonNode.Parse(Base64Url(parts[1]));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var problem = (string?)header?["alg"] != "RS256" ? "alg must be RS256"
            : (string?)claims?["iss"] != ClientEmail ? "iss is not the service account"
            : (string?)claims?["aud"] is not { } aud || (aud != TokenUri && aud != GoogleTokenAudience) ? $"aud {(string?)claims?["aud"]} is not this token endpoint"
            : ((string?)claims?["scope"] ?? "").Split(' ').Contains("https://www.googleapis.com/auth/cloud-platform") is false ? "scope lacks cloud-platform"
            : (long?)claims?["exp"] is not { } exp || exp < now || exp > now + 3700 ? "exp is not within the next hour"
            : null;
        return problem is not null
            ? (400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = problem })
            : (200, new JsonObject { ["access_token"] = Issue(), ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private string Issue()
    {
        var token = "ya29.fake-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = true;
        return token;
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }

    private static async Task WriteAsync(HttpContext context, (int Status, JsonNode? Body) answer)
    {
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(answer.Body?.ToJsonString() ?? "{}", context.RequestAborted);
    }

    private sealed record Fault(string Method, string PathEnd, int Status, int? RetryAfterSeconds);
}

/// <summary>One API call as the fake received it: method, path with query, body.</summary>
public sealed record RecordedCall(string Method, string Path, string Body);
