using Gitops.Engine.Sources;
using Gitops.Schema.Model;

namespace Gitops.Engine.Tests;

public sealed class BuildInputsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("paas-ctx-").FullName;

    [Fact]
    public void Unchanged_context_has_the_same_hash_and_any_change_moves_it()
    {
        Write("Dockerfile", "FROM busybox:1.36\n");
        Write("www/index.html", "hello");
        var first = BuildContextFiles.Read(_root, new BuildSpec()).InputsHash;

        var again = BuildContextFiles.Read(_root, new BuildSpec()).InputsHash;
        Write("www/index.html", "hello!");
        var edited = BuildContextFiles.Read(_root, new BuildSpec()).InputsHash;
        var withArgs = BuildContextFiles.Read(_root, new BuildSpec { Args = ValueMap.Of(("MODE", "prod")) }).InputsHash;

        Assert.Equal(first, again);
        Assert.NotEqual(first, edited);
        Assert.NotEqual(edited, withArgs);
    }

    [Fact]
    public void Dockerignore_leaves_files_out_of_the_context_and_the_hash()
    {
        Write("Dockerfile", "FROM busybox:1.36\n");
        Write(".dockerignore", "node_modules\n*.log\n!keep.log\n**/secret.txt\n");
        Write("app.js", "x");
        Write("node_modules/a/index.js", "x");
        Write("debug.log", "x");
        Write("keep.log", "x");
        Write("config/deep/secret.txt", "x");
        var before = BuildContextFiles.Read(_root, new BuildSpec());

        Write("node_modules/a/index.js", "changed");
        var after = BuildContextFiles.Read(_root, new BuildSpec());

        var files = before.Entries.Where(e => !e.IsDirectory).Select(e => e.RelativePath).ToList();
        Assert.Equal([".dockerignore", "Dockerfile", "app.js", "keep.log"], files);
        Assert.Equal(before.InputsHash, after.InputsHash);
    }

    [Fact]
    public void Symlink_pointing_outside_the_context_is_refused()
    {
        Write("Dockerfile", "FROM busybox:1.36\n");
        File.CreateSymbolicLink(Path.Combine(_root, "passwd"), "/etc/passwd");

        var error = Assert.Throws<InvalidOperationException>(() => BuildContextFiles.Read(_root, new BuildSpec()));

        Assert.Contains("symlink 'passwd' points outside the context", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Relative_symlink_climbing_out_is_refused_and_one_inside_is_kept()
    {
        Write("Dockerfile", "FROM busybox:1.36\n");
        Write("www/index.html", "x");
        File.CreateSymbolicLink(Path.Combine(_root, "home.html"), "www/index.html");
        Assert.Contains(BuildContextFiles.Read(_root, new BuildSpec()).Entries, e => e.RelativePath == "home.html" && e.LinkTarget == "www/index.html");

        File.CreateSymbolicLink(Path.Combine(_root, "www", "up"), "../../..");
        Assert.Throws<InvalidOperationException>(() => BuildContextFiles.Read(_root, new BuildSpec()));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
