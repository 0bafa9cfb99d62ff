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

    [Theory]
    [InlineData("/etc")]
    [InlineData("../outside")]
    public void Directory_mode_context_reached_through_a_symlink_leaving_the_directory_is_refused_naming_it(string target)
    {
        var project = Directory.CreateDirectory(Path.Combine(_root, "project")).FullName;
        Write("outside/Dockerfile", "FROM busybox:1.36\n");
        Write("outside/secret.txt", "not yours");
        File.CreateSymbolicLink(Path.Combine(project, "app"), target);

        var error = Assert.Throws<InvalidOperationException>(() => new DirectoryTree(project).BuildContext(new BuildSpec { Context = "app" }));

        Assert.Contains($"symlink 'app' points outside the directory ({target})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_mode_context_path_climbing_out_through_a_nested_link_is_refused()
    {
        var project = Directory.CreateDirectory(Path.Combine(_root, "project")).FullName;
        Write("project/src/app/Dockerfile", "FROM busybox:1.36\n");
        File.CreateSymbolicLink(Path.Combine(project, "up"), "src/..");
        File.CreateSymbolicLink(Path.Combine(project, "src", "parent"), "../..");

        var error = Assert.Throws<InvalidOperationException>(() => new DirectoryTree(project).BuildContext(new BuildSpec { Context = "src/parent/project/src/app" }));

        Assert.Contains("symlink 'src/parent' points outside the directory (../..)", error.Message, StringComparison.Ordinal);
        Assert.Contains(new DirectoryTree(project).BuildContext(new BuildSpec { Context = "up/src/app" }).Entries, e => e.RelativePath == "Dockerfile");
    }

    [Fact]
    public void Directory_mode_context_through_a_symlink_inside_the_directory_still_builds()
    {
        var project = Directory.CreateDirectory(Path.Combine(_root, "project")).FullName;
        Write("project/src/web/Dockerfile", "FROM busybox:1.36\n");
        Write("project/src/web/www/index.html", "x");
        File.CreateSymbolicLink(Path.Combine(project, "app"), "src/web");
        File.CreateSymbolicLink(Path.Combine(project, "src", "web", "home.html"), "www/index.html");

        var context = new DirectoryTree(project).BuildContext(new BuildSpec { Context = "app" });

        Assert.Equal(Path.Combine(project, "src", "web"), context.Root);
        Assert.Contains(context.Entries, e => e.RelativePath == "home.html" && e.LinkTarget == "www/index.html");
        Assert.Contains(context.Entries, e => e.RelativePath == "www/index.html");
    }

    [Fact]
    public void Dockerignore_linked_outside_the_context_is_refused()
    {
        Write("Dockerfile", "FROM busybox:1.36\n");
        File.CreateSymbolicLink(Path.Combine(_root, ".dockerignore"), "/etc/passwd");

        var error = Assert.Throws<InvalidOperationException>(() => BuildContextFiles.Read(_root, new BuildSpec()));

        Assert.Contains("symlink '.dockerignore' points outside the context (/etc/passwd)", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
