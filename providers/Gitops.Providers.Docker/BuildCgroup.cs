using System.Globalization;

namespace Gitops.Providers.Docker;

/// <summary>
/// A cgroup made for one build, holding its pids limit: the engines take a cgroup parent for a
/// build's RUN containers but no pids limit, so the platform makes the parent with the limit set.
/// Works with the cgroupfs driver (cgroup v1 or v2); under the systemd driver a parent must be a
/// slice, so no limit is made there and the build log says so. The engine gets a child of the
/// limited cgroup (<c>/paas-build-1a2b/run</c>), never the limited one itself: Podman puts each RUN
/// step straight into the parent it is given and deletes that cgroup when the step ends, so a
/// limit set on it would hold for the first RUN step only (measured on Podman 4.3, cgroup v1).
/// Disposing removes what the engines left under every controller (empty once the build's
/// containers are gone).
/// </summary>
internal sealed class BuildCgroup : IDisposable
{
    private const string Root = "/sys/fs/cgroup";

    private BuildCgroup(string? parent) => Parent = parent;

    private const string Steps = "run";

    /// <summary>The cgroup parent to hand the engine (e.g. <c>/paas-build-1a2b/run</c>), or null for none.</summary>
    public string? Parent { get; }

    public static BuildCgroup Create(string name, string? cgroupDriver, long pidsLimit, IProgress<string> log)
    {
        if (!string.Equals(cgroupDriver, "cgroupfs", StringComparison.OrdinalIgnoreCase))
        {
            log.Report($"note: the build's pids limit is not enforced: the engine uses the '{cgroupDriver}' cgroup driver (memory and CPU limits are)");
            return new BuildCgroup(null);
        }

        // cgroup v1 (or hybrid) has a pids hierarchy of its own; v2 one tree with pids enabled for children.
        var pids = Directory.Exists(Path.Combine(Root, "pids")) ? Path.Combine(Root, "pids") : Root;
        var directory = Path.Combine(pids, name);
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "pids.max"), pidsLimit.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Remove(name);
            throw new InvalidOperationException($"the build's pids limit needs a cgroup of its own, and making {directory} failed: {e.Message} (the platform runs builds as root, as it runs the engines' firewall)", e);
        }

        return new BuildCgroup($"/{name}/{Steps}");
    }

    public void Dispose()
    {
        if (Parent is not null)
        {
            Remove(Parent.TrimStart('/').Split('/')[0]);
        }
    }

    private static void Remove(string name)
    {
        foreach (var hierarchy in Directory.Exists(Root) ? Directory.GetDirectories(Root).Append(Root) : [])
        {
            RemoveTree(Path.Combine(hierarchy, name));
        }
    }

    private static void RemoveTree(string directory)
    {
        try
        {
            if (!Directory.Exists(directory))
            {
                return;
            }

            foreach (var child in Directory.GetDirectories(directory))
            {
                RemoveTree(child); // children first: rmdir refuses a cgroup that has any
            }

            Directory.Delete(directory); // rmdir: a cgroup's files are not real, an empty cgroup goes
        }
        catch (IOException)
        {
            // Still busy (an engine removing its last container): left empty, harmless.
        }
    }
}
