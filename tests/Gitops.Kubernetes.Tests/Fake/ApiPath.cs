namespace Gitops.Kubernetes.Tests.Fake;

/// <summary>
/// A resource URL taken apart: <c>/apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]</c>
/// (<c>/api/v1/…</c> for the core group).
/// </summary>
internal sealed record ApiPath(ResourceType Type, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>The resource a path names; null when the path is not a resource path; 404 when it names nothing served.</summary>
    public static ApiPath? Parse(string path, bool gateway)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        string[] rest;
        if (segments is ["api", var coreVersion, .. var coreRest] && coreRest.Length > 0)
        {
            (group, version, rest) = ("", coreVersion, coreRest);
        }
        else if (segments is ["apis", var g, var v, .. var groupRest] && groupRest.Length > 0)
        {
            (group, version, rest) = (g, v, groupRest);
        }
        else
        {
            return null;
        }

        string? ns = null;
        // "namespaces/x/status" is the Namespace x's status, "namespaces/x/pods" the pods in x.
        if (rest is ["namespaces", var nsName, var next, ..] && next is not ("status" or "finalize"))
        {
            ns = nsName;
            rest = rest[2..];
        }

        if (rest.Length > 3)
        {
            throw ApiErrors.PageNotFound();
        }

        var type = ResourceTypes.Find(group, version, rest[0], gateway) ?? throw ApiErrors.PageNotFound();
        var name = rest.Length > 1 ? Uri.UnescapeDataString(rest[1]) : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        if ((!type.Namespaced && ns is not null) || (type.Namespaced && ns is null && name is not null) ||
            (subresource is not null && !type.Subresources.Contains(subresource)))
        {
            throw ApiErrors.PageNotFound();
        }

        return new ApiPath(type, ns, name, subresource);
    }
}
