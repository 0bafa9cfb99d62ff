using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Gitops.Kubernetes.Tests.Fake;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Gitops.Clouds.Tests.Fake;

/// <summary>
/// A FAKE Azure Resource Manager and Microsoft Entra token endpoint for Container Apps, built from ARM's
/// public REST reference for Microsoft.App/containerApps (api-version 2024-03-01; no real Azure is
/// reachable from these machines): HTTPS on 127.0.0.1 with a self-signed certificate (MSAL speaks to
/// https authorities only), <c>POST /{tenant}/oauth2/v2.0/token</c> (client_credentials: the client id
/// and secret checked, a bearer token issued) with the OpenID discovery document MSAL may ask for, and
/// <c>/subscriptions/S/resourceGroups/G/providers/Microsoft.App/containerApps…</c> (PUT with If-Match /
/// If-None-Match, GET, DELETE, list, <c>revisions</c>) plus <c>Azure-AsyncOperation</c> status URLs, every
/// ARM call requiring <c>Authorization: Bearer</c> with an issued token (401 otherwise), errors as
/// <c>{"error":{"code","message"}}</c>. What it holds and how a revision's readiness is decided:
/// <see cref="FakeContainerAppsStore"/>. Faults are injectable (<see cref="Fail"/>); the ARM calls it
/// received are recorded (<see cref="Calls"/>). Microsoft.App/jobs (the crons' jobs, with a schedule
/// trigger) are held by <see cref="FakeContainerAppsJobs"/>. Left out: managed environments, job
/// executions, replicas' own API,
/// validation beyond names and required members, paging.
/// </summary>
public sealed class FakeContainerApps : IAsyncDisposable
{
    public const string Tenant = "72f988bf-0000-4000-8000-00000000fa4e";
    public const string ClientId = "0b5e6a6d-0000-4000-8000-0000000c11e7";
    public const string Subscription = "6d2f0a3c-0000-4000-8000-00000000ab5c";
    public const string ResourceGroup = "paas-fake-rg";
    public const string Environment = "paas-fake-env";
    public const string Location = "westeurope";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ArmCall> _calls = new();
    private readonly ConcurrentQueue<(string Method, string Path)> _received = new();
    private readonly List<Fault> _faults = [];
    private readonly Lock _lock = new();

    private FakeContainerApps(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
        Apps = new FakeContainerAppsStore($"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}", Location);
        ConsoleToken = Issue();
    }

    /// <summary><c>https://127.0.0.1:PORT/</c>: ARM and the Entra authority.</summary>
    public Uri BaseAddress { get; private set; } = new("https://127.0.0.1/");

    /// <summary>The client secret of the service principal the fake trusts (the canary: it must reach nothing but the token request).</summary>
    public string ClientSecret { get; } = "Cs8Q~canary." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The JSON <c>az ad sp create-for-rbac</c> prints for that principal.</summary>
    public string ServicePrincipalJson => new JsonObject { ["appId"] = ClientId, ["displayName"] = "paas-deployer", ["password"] = ClientSecret, ["tenant"] = Tenant }.ToJsonString();

    internal FakeContainerAppsStore Apps { get; }

    /// <summary>A token as someone in the portal holds it: for the tests' changes behind the platform's back.</summary>
    public string ConsoleToken { get; }

    /// <summary>The access tokens issued through the token endpoint (not the console's).</summary>
    public IReadOnlyCollection<string> IssuedTokens => [.. _tokens.Keys.Where(t => t != ConsoleToken)];

    /// <summary>The ARM calls received with an issued token, in order (the token endpoint's and the console's are not recorded).</summary>
    public IReadOnlyList<ArmCall> Calls => [.. _calls];

    /// <summary>Requests answered 401; token requests refused.</summary>
    public int Unauthenticated { get; private set; }

    public int RefusedTokenRequests { get; private set; }

    /// <summary>A handler that trusts this fake's certificate (and no other untrusted one): the tests' transport for ARM and Entra.</summary>
    public HttpMessageHandler TrustingHandler() => new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => errors == SslPolicyErrors.None || certificate?.GetCertHashString() == _certificate.GetCertHashString() },
    };

    public static async Task<FakeContainerApps> StartAsync(CancellationToken cancellationToken)
    {
        var certificate = FakeCertificate.Create();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0, tls =>
        {
            tls.Protocols = HttpProtocols.Http1;
            tls.UseHttps(certificate);
        }));
        var app = builder.Build();
        var fake = new FakeContainerApps(app, certificate);
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

    /// <summary>The ARM path of an app of the fake's resource group, with the api-version.</summary>
    public static string PathOf(string app) => $"subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.App/containerApps/{app}?api-version=2024-03-01";

    /// <summary>The ARM path of a job of the fake's resource group, with the api-version.</summary>
    public static string JobPathOf(string job) => $"subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.App/jobs/{job}?api-version=2024-03-01";

    /// <summary>A call as someone with the portal's token would make it (a change behind the platform's back).</summary>
    public async Task<JsonObject?> ConsoleAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(TrustingHandler()) { BaseAddress = BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ConsoleToken);
        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var body = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 ? await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted) : "";
        if (path == $"/{Tenant}/v2.0/.well-known/openid-configuration" && request.Method == "GET")
        {
            await WriteAsync(context, new FakeAnswer(200, Discovery()));
            return;
        }

        if (path == $"/{Tenant}/oauth2/v2.0/token" && request.Method == "POST")
        {
            await WriteAsync(context, Token(body));
            return;
        }

        if (request.Headers.Authorization.ToString() is not { } authorization || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(authorization[7..]))
        {
            Unauthenticated++;
            await WriteAsync(context, FakeContainerAppsStore.Error(401, "InvalidAuthenticationToken", "The access token is invalid."));
            return;
        }

        _received.Enqueue((request.Method, path));
        if (TakeFault(request.Method, path) is { } fault)
        {
            if (fault.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await WriteAsync(context, FakeContainerAppsStore.Error(fault.Status, fault.Status switch { 429 => "TooManyRequests", 400 => "InvalidRequestContent", 403 => "AuthorizationFailed", _ => "ServiceUnavailable" }, $"injected {fault.Status} for {request.Method} {path}"));
            return;
        }

        if (authorization[7..] != ConsoleToken)
        {
            _calls.Enqueue(new ArmCall(request.Method, path + request.QueryString.Value, body));
        }

        if (request.Query["api-version"].ToString() != "2024-03-01")
        {
            await WriteAsync(context, FakeContainerAppsStore.Error(400, "InvalidApiVersionParameter", $"The api-version '{request.Query["api-version"]}' is invalid. The supported versions are '2024-03-01'."));
            return;
        }

        var json = body.Length == 0 ? [] : JsonNode.Parse(body) as JsonObject ?? [];
        var answer = Apps.Route(request.Method, path, json, request.Headers.IfMatch.ToString(), request.Headers.IfNoneMatch.ToString());
        await WriteAsync(context, answer);
    }

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

    private JsonObject Discovery()
    {
        var authority = $"{BaseAddress}{Tenant}";
        return new JsonObject
        {
            ["token_endpoint"] = $"{authority}/oauth2/v2.0/token",
            ["authorization_endpoint"] = $"{authority}/oauth2/v2.0/authorize",
            ["issuer"] = $"{authority}/v2.0",
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
        };
    }

    /// <summary>The client credentials grant: the principal's client id and secret, a scope of ARM's <c>.default</c>.</summary>
    private FakeAnswer Token(string form)
    {
        var fields = form.Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')), StringComparer.Ordinal);
        var problem = fields.GetValueOrDefault("grant_type") != "client_credentials" ? ("unsupported_grant_type", "AADSTS70003: grant_type must be client_credentials.")
            : fields.GetValueOrDefault("client_id") != ClientId ? ("unauthorized_client", "AADSTS700016: Application not found in the directory.")
            : fields.GetValueOrDefault("client_secret") != ClientSecret ? ("invalid_client", "AADSTS7000215: Invalid client secret provided.")
            : !(fields.GetValueOrDefault("scope") ?? "").Split(' ').Contains("https://management.azure.com/.default") ? ("invalid_scope", "AADSTS70011: The scope must be https://management.azure.com/.default.")
            : ((string, string)?)null;
        if (problem is { } refused)
        {
            var (error, description) = refused;
            RefusedTokenRequests++;
            return new FakeAnswer(error == "invalid_client" ? 401 : 400, new JsonObject { ["error"] = error, ["error_description"] = description, ["error_codes"] = new JsonArray(7000215) });
        }

        return new FakeAnswer(200, new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = 3599, ["ext_expires_in"] = 3599, ["access_token"] = Issue() });
    }

    private string Issue()
    {
        var token = "eyJ0eXAiOiJKV1QifQ.fake-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = true;
        return token;
    }

    private static async Task WriteAsync(HttpContext context, FakeAnswer answer)
    {
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? [])
        {
            context.Response.Headers[name] = name is "Azure-AsyncOperation" or "Location" ? new Uri(new Uri($"{context.Request.Scheme}://{context.Request.Host}/"), value).ToString() : value;
        }

        if (answer.Body is null)
        {
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(answer.Body.ToJsonString(), context.RequestAborted);
    }

    private sealed record Fault(string Method, string PathEnd, int Status, int? RetryAfterSeconds);
}

/// <summary>One ARM call as the fake received it: method, path with query, body.</summary>
public sealed record ArmCall(string Method, string Path, string Body);

/// <summary>An answer of the fake: status, JSON body (none when null) and headers.</summary>
internal sealed record FakeAnswer(int Status, JsonNode? Body, Dictionary<string, string>? Headers = null);
