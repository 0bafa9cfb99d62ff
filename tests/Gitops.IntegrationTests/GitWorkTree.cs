using System.Diagnostics;

namespace Gitops.IntegrationTests;

/// <summary>A real bare repository (the "remote") and a clone a developer commits and pushes from, with the git CLI.</summary>
public sealed class GitWorkTree
{
    public GitWorkTree(string root)
    {
        Remote = Path.Combine(root, "remote.git");
        Work = Path.Combine(root, "work");
        Git(root, "init", "--bare", "-q", Remote);
        Git(root, "init", "-q", "-b", "dev", Work);
        Git(Work, "config", "user.email", "dev@example.com");
        Git(Work, "config", "user.name", "Dev");
        Git(Work, "remote", "add", "origin", Url);
    }

    public string Remote { get; }

    public string Work { get; }

    public string Url => new Uri(Remote).AbsoluteUri;

    public void Write(string relative, string content)
    {
        var path = Path.Combine(Work, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>
    /// Writes the app the GitOps tests deploy: paas.yaml with the given environments (YAML lines),
    /// and a web service built from web/ that serves <paramref name="page"/> at /index.html.
    /// </summary>
    public void WriteWebApp(EngineWorld world, string environments, string page)
    {
        ArgumentNullException.ThrowIfNull(world);
        Write("paas.yaml", $"version: 1\nproject: {world.Project}\nenvironments:\n{environments}services:\n  web:\n    build: {{ context: web }}\n    port: 8080\n    health: {{ path: /index.html, interval: 1s }}\n    deploy: {{ drain: 1s }}\n");
        Write("web/Dockerfile", $"FROM {world.Busybox}\nCOPY www /www\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
        Write("web/www/index.html", page + "\n");
    }

    /// <summary>Commits everything and pushes the branch; returns the commit id.</summary>
    public string CommitAndPush(string message, string branch = "dev")
    {
        Git(Work, "add", "-A");
        Git(Work, "commit", "-q", "-m", message);
        Git(Work, "push", "-q", "origin", $"HEAD:refs/heads/{branch}");
        return Git(Work, "rev-parse", "HEAD").Trim();
    }

    public static string Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)} failed: {error}");
        return output;
    }
}
