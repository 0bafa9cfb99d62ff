using Gitops.Engine.Access;
using Gitops.Engine.Audit;
using Gitops.Engine.State;
using Gitops.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gitops.Server;

/// <summary>Signing in, API tokens, users and their grants, and the audit log, under /api/v1.</summary>
internal static class PeopleEndpoints
{
    public sealed record LoginRequest(string? User, string? Password);

    public sealed record LinkRequest(string? Link);

    public sealed record TokenRequest(string? Name, Role? Cap, int? Days);

    public sealed record UserRequest(string? Name, string? Password);

    public sealed record GrantRequest(Role? Role, string? Scope) : INamesGrant;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/login", LoginAsync).Open();
        api.MapPost("/login/link", LinkLogin).Open();
        api.MapPost("/logout", (HttpContext http, StateStore state) =>
        {
            if (http.Request.Cookies.TryGetValue(Sessions.Cookie, out var session))
            {
                new Sessions(state).End(session);
            }

            http.Response.Cookies.Delete(Sessions.Cookie);
            return Results.Ok(new { signedOut = true });
        }).SignedIn();
        api.MapGet("/me", (HttpContext http) => AccessFilter.PrincipalOf(http) is { } p ? Results.Ok(new { user = p.Name, grants = p.Grants, cap = p.Cap, platformAdmin = p.AdministersPlatform }) : Results.Unauthorized()).SignedIn();

        api.MapPost("/tokens", (HttpContext http, StateStore state, TokenRequest request) =>
        {
            var principal = AccessFilter.PrincipalOf(http)!;
            if (principal.IsPlatformAdmin)
            {
                return Results.BadRequest(new { error = "the bootstrap admin token cannot mint tokens; create a user and sign in as it" });
            }

            var (secret, token) = new Tokens(state).Create(principal.Name, request.Name ?? "cli", (Role)Math.Min((int)(request.Cap ?? Role.Owner), (int)principal.Cap), TimeSpan.FromDays(Math.Clamp(request.Days ?? 30, 1, 365)));
            return Results.Ok(new { token = secret, id = token.Id, cap = token.Cap, expires = token.Expires, shownOnce = true });
        }).SignedIn();
        api.MapGet("/tokens", (HttpContext http, StateStore state) =>
        {
            var principal = AccessFilter.PrincipalOf(http)!;
            return new Tokens(state).List(principal.AdministersPlatform ? null : principal.Name);
        }).SignedIn();
        api.MapDelete("/tokens/{id}", (HttpContext http, StateStore state, string id) =>
        {
            var principal = AccessFilter.PrincipalOf(http)!;
            var tokens = new Tokens(state);
            return tokens.Find(id) is { } token && (token.User == principal.Name || principal.AdministersPlatform)
                ? Results.Ok(new { revoked = tokens.Revoke(id) })
                : Results.NotFound(new { error = $"no token {id}" });
        }).SignedIn();

        api.MapGet("/users", (StateStore state) => new People(state).Users()).ForPlatform();
        api.MapPost("/users", (StateStore state, UserRequest request) =>
        {
            if (request.Name is not { } name || !Gitops.Schema.Validation.Grammar.Name().IsMatch(name) || request.Password is not { Length: >= 12 } password)
            {
                return Results.BadRequest(new { error = "give name (lower-case letters, digits, '-') and password (12 characters or more)" });
            }

            try
            {
                new People(state).AddUser(name, password);
            }
            catch (UserExistsException e)
            {
                return Results.Conflict(new { error = e.Message });
            }

            return Results.Ok(new { user = name });
        }).ForPlatform();
        api.MapDelete("/users/{name}", (StateStore state, string name) =>
            new People(state).RemoveUser(name) ? Results.Ok(new { removed = name }) : Results.NotFound(new { error = $"no user {name}" })).ForPlatform();
        api.MapPost("/users/{name}/grants", (StateStore state, string name, GrantRequest request) =>
        {
            var people = new People(state);
            if (!people.Exists(name))
            {
                return Results.NotFound(new { error = $"no user {name}" });
            }

            Scope scope;
            try
            {
                scope = Scope.Parse(request.Scope ?? "");
            }
            catch (FormatException e)
            {
                return Results.BadRequest(new { error = e.Message });
            }

            if (request.Role is not { } role)
            {
                return Results.BadRequest(new { error = "give role: viewer, deployer, admin or owner" });
            }

            people.GrantRole(new Grant(name, role, scope));
            return Results.Ok(new { user = name, role, scope = scope.ToString() });
        }).ForGrants(); // decided from the body's scope: see Authorizer.Grant

        api.MapGet("/audit", (StateStore state, string? actor, string? action, string? target, int? limit) =>
            new AuditLog(state).List(actor, action, target, Math.Clamp(limit ?? 100, 1, 1000))).ForPlatform();
        api.MapGet("/audit/verify", (StateStore state) => new AuditLog(state).Verify()).ForPlatform();
    }

    /// <summary>Throttled per account and per client address (persisted); a success starts a browser session.</summary>
    private static IResult LoginAsync(HttpContext http, StateStore state, ServerOptions options, LoginRequest request)
    {
        if (request.User is not { Length: > 0 } user || request.Password is not { Length: > 0 } password)
        {
            return Results.BadRequest(new { error = "give user and password" });
        }

        var address = AccessFilter.ClientAddress(http, options.TrustedProxies);
        var throttle = new LoginThrottle(state);
        var audit = new AuditLog(state);
        if (throttle.TryBegin(user, address, out var attempt) is { } wait)
        {
            audit.Append(user, "login", address, "throttled");
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(new { error = "too many failed sign-ins; try again later" }, statusCode: StatusCodes.Status429TooManyRequests);
        }

        if (!new People(state).CheckPassword(user, password))
        {
            audit.Append(user, "login", address, "refused"); // the attempt was counted as failed when it began
            return Results.Json(new { error = "wrong user or password" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        throttle.Succeeded(user, address, attempt);
        audit.Append(user, "login", address, "ok");
        return StartSession(http, state, user);
    }

    /// <summary>
    /// A one-time link (see <see cref="SignInLinks"/>) starts a session like a password would. Its
    /// secret is 256 random bits, so guessing needs no throttle; each refusal is audited.
    /// </summary>
    private static IResult LinkLogin(HttpContext http, StateStore state, ServerOptions options, LinkRequest request)
    {
        var address = AccessFilter.ClientAddress(http, options.TrustedProxies);
        var audit = new AuditLog(state);
        if (request.Link is not { Length: > 0 } link)
        {
            return Results.BadRequest(new { error = "give link: the secret after #/signin/" });
        }

        if (link.Length > 100 || new SignInLinks(state).Redeem(link, options.Clock) is not { } user)
        {
            audit.Append("(sign-in link)", "login", address, "refused");
            return Results.Json(new { error = "this sign-in link was used already, has expired or is not one; run paas quickstart again for a new one, or sign in with a password" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        audit.Append(user, "login", address, "ok (sign-in link)");
        return StartSession(http, state, user);
    }

    private static IResult StartSession(HttpContext http, StateStore state, string user)
    {
        http.Response.Cookies.Append(Sessions.Cookie, new Sessions(state).Start(user), new CookieOptions
        {
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = Sessions.Lifetime,
        });
        return Results.Ok(new { user });
    }
}
