using System.Net;

namespace Gitops.Engine.Images;

/// <summary>
/// Where built images are pushed (<c>registry:</c> in platform.yaml): <c>https://host[:port][/namespace]</c>.
/// A build of service <c>web</c> in project <c>shop</c> goes to <c>host/namespace/shop/web:&lt;inputs hash&gt;</c>,
/// and the deployment runs it by the digest the registry gave. Plain <c>http://</c> is accepted
/// only for a registry on this machine's loopback: a password never crosses a network unencrypted.
/// </summary>
public sealed record PushRegistry(string Host, string Namespace)
{
    /// <summary>The registry's name for a service's built image with the given tag.</summary>
    public string ImageFor(string project, string service, string tag) =>
        string.Join('/', new[] { Host, Namespace, project, service }.Where(p => p.Length > 0)) + ":" + tag;

    /// <summary>Whether <paramref name="image"/> is under <paramref name="project"/>'s own path here: the images the platform's login may fetch for it.</summary>
    public bool Owns(ImageReference image, string project)
    {
        ArgumentNullException.ThrowIfNull(image);
        return OnHost(image) && image.Repository.StartsWith(PlatformPart + project + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// Null when <paramref name="project"/> may use <paramref name="image"/>, else why not: the
    /// platform pulls from its registry with its own login, so a path there that belongs to another
    /// project (or to no project) would hand that project's images to this one.
    /// </summary>
    public string? Refusal(string image, string project)
    {
        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(image);
        }
        catch (FormatException)
        {
            return null; // not an image name: the schema's own check says why
        }

        return OnHost(reference) && reference.Repository.StartsWith(PlatformPart, StringComparison.Ordinal) && !Owns(reference, project)
            ? $"'{image}' is in the platform's registry but not under this project's path ({Host}/{PlatformPart}{project}/); the platform pulls from there with its own login, so a project uses only its own images there"
            : null;
    }

    private string PlatformPart => Namespace.Length == 0 ? "" : Namespace + "/";

    private bool OnHost(ImageReference image) => string.Equals(image.Registry, Host, StringComparison.OrdinalIgnoreCase);

    public static PushRegistry Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            throw new FormatException($"'{url}' is not a registry URL; write https://host[:port][/namespace]");
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new FormatException($"'{url}': a registry URL has no user, query or fragment (log in with `paas registry login {uri.Authority}`)");
        }

        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        if (uri.Scheme == Uri.UriSchemeHttp && !ImageReference.IsLoopback(host))
        {
            throw new FormatException($"'{url}': plain http is accepted only for a registry on this machine (127.0.0.1, localhost); use https");
        }

        var ns = uri.AbsolutePath.Trim('/').ToLowerInvariant();
        var reference = ImageReference.Parse($"{host}/{(ns.Length > 0 ? ns + "/" : "")}probe"); // the namespace must be a valid repository path
        return new PushRegistry(reference.Registry, ns);
    }
}
