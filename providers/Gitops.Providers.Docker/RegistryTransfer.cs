using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Gitops.Engine.Images;
using Gitops.Engine.Targets;

namespace Gitops.Providers.Docker;

/// <summary>
/// Pulls and pushes through the engine, with a login per registry sent as the engine's
/// <c>X-Registry-Auth</c> header (never in a URL, a log or an error). A registry on loopback may
/// answer plain http, as Docker allows by default; Podman 4.3's compatible endpoints always demand
/// TLS there (measured: neither a <c>tlsVerify</c> parameter nor a registries.conf drop-in helps a
/// running service), so for a loopback registry Podman's own endpoints are used, with <c>tlsVerify=false</c>.
/// </summary>
internal static partial class RegistryTransfer
{
    private const string LibpodVersion = "v4.0.0";

    /// <returns>The digest the registry holds the image under, or null when no registry gave it.</returns>
    public static async Task<string?> EnsurePresentAsync(DockerClient client, EngineEndpoint engine, string image, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(image);
        if (await RepoDigestsAsync(client, image, cancellationToken).ConfigureAwait(false) is { } present)
        {
            return DigestFor(reference, present);
        }

        log.Report($"pulling {image}{(login is null ? "" : $" as {login.Username}")}");
        using var http = EngineHttp.Create(engine.SocketPath);
        var path = engine.Kind == EngineKind.Podman && reference.OnLoopback
            ? $"/{LibpodVersion}/libpod/images/pull?{EngineHttp.Query([new("reference", image), new("tlsVerify", "false"), new("quiet", "true")])}"
            : $"/v{EngineClient.ApiVersion}/images/create?{EngineHttp.Query([new("fromImage", $"{reference.Registry}/{reference.Repository}"), new("tag", reference.Digest ?? reference.Tag ?? "latest")])}"; // a tag always: none pulls every tag
        var error = await SendAsync(http, path, login, _ => { }, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw Refusal($"pulling {image}", reference.Registry, login, error);
        }

        var pulled = await RepoDigestsAsync(client, image, cancellationToken).ConfigureAwait(false)
            ?? throw new TargetRefusedException($"pulling {image} ended without the image on {engine}");
        return DigestFor(reference, pulled);
    }

    /// <returns>The digest the registry stored the pushed image under.</returns>
    public static async Task<string> PushAsync(DockerClient client, EngineEndpoint engine, string local, string remote, RegistryLogin? login, IProgress<string> log, CancellationToken cancellationToken)
    {
        var target = ImageReference.Parse(remote);
        var repository = $"{target.Registry}/{target.Repository}";
        await TransientRetry.RunAsync(t => client.Images.TagImageAsync(local, new() { RepositoryName = repository, Tag = target.Tag }, t), cancellationToken).ConfigureAwait(false);
        using var http = EngineHttp.Create(engine.SocketPath);
        var path = engine.Kind == EngineKind.Podman && target.OnLoopback
            ? $"/{LibpodVersion}/libpod/images/{Uri.EscapeDataString(remote)}/push?{EngineHttp.Query([new("destination", remote), new("tlsVerify", "false")])}"
            : $"/v{EngineClient.ApiVersion}/images/{Uri.EscapeDataString(repository)}/push?{EngineHttp.Query([new("tag", target.Tag!)])}";
        string? digest = null;
        var error = await SendAsync(http, path, login, message => digest ??= PushedDigest(message), cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw Refusal($"pushing {remote}", target.Registry, login, error);
        }

        // Podman says no digest, and its local copy's digest is not the registry's (layers are compressed on the way).
        digest ??= await RegistryApi.ManifestDigestAsync(target, login, cancellationToken).ConfigureAwait(false);
        log.Report($"pushed {remote}{(digest is null ? "" : $" ({digest})")}");
        return digest ?? throw new TargetRefusedException($"pushing {remote} did not say which digest the registry stored it under");
    }

    private static async Task<string?> SendAsync(HttpClient http, string path, RegistryLogin? login, Action<JsonElement> message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("X-Registry-Auth", AuthHeader(login)); // Docker wants the header even for an anonymous push
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        return await EngineHttp.ReadStreamAsync(response, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Base64url of the engine's auth config; an empty object pulls anonymously.</summary>
    private static string AuthHeader(RegistryLogin? login)
    {
        var json = login is null ? "{}" : JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["username"] = login.Username,
            ["password"] = login.Password,
            ["serveraddress"] = login.Host,
        });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The engine's error, said for people: a refused login names the command that fixes it.</summary>
    private static TargetRefusedException Refusal(string doing, string registry, RegistryLogin? login, string error)
    {
        var unauthorized = error.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) || error.Contains("authentication required", StringComparison.OrdinalIgnoreCase)
            || error.Contains("denied", StringComparison.OrdinalIgnoreCase) || error.Contains("401", StringComparison.Ordinal);
        return new TargetRefusedException(!unauthorized
            ? $"{doing} failed: {error}"
            : login is null
                ? $"{doing} failed: {registry} wants a login (it answered: {error}); log in with `paas registry login {registry}`"
                : $"{doing} failed: {registry} refused the login of {login.Username} (it answered: {error}); set the right password with `paas registry login {registry}`");
    }

    /// <summary>The image's repo digests, or null when the engine does not have the image.</summary>
    private static async Task<IList<string>?> RepoDigestsAsync(DockerClient client, string image, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false)).RepoDigests ?? [];
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    private static string? DigestFor(ImageReference image, IEnumerable<string> repoDigests) =>
        image.Digest ?? repoDigests
            .Select(d => { try { return ImageReference.Parse(d); } catch (FormatException) { return null; } })
            .FirstOrDefault(d => d is not null && d.Registry == image.Registry && d.Repository == image.Repository && d.Digest is not null)?.Digest;

    /// <summary>Docker says <c>1: digest: sha256:… size: 527</c> (and an <c>aux.Digest</c>); Podman's own endpoint a <c>manifestdigest</c>.</summary>
    private static string? PushedDigest(JsonElement message)
    {
        if (message.TryGetProperty("aux", out var aux) && aux.ValueKind == JsonValueKind.Object && aux.TryGetProperty("Digest", out var d) && d.GetString() is { } fromAux)
        {
            return fromAux;
        }

        if (message.TryGetProperty("manifestdigest", out var m) && m.GetString() is { Length: > 0 } manifest)
        {
            return manifest;
        }

        return message.TryGetProperty("status", out var status) && status.GetString() is { } text && Digest().Match(text) is { Success: true } found ? found.Value : null;
    }

    [GeneratedRegex("sha256:[a-f0-9]{64}", RegexOptions.CultureInvariant)]
    private static partial Regex Digest();
}
