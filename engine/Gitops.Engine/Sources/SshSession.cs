using LibGit2Sharp;

namespace Gitops.Engine.Sources;

/// <summary>
/// The files one SSH fetch or push needs, only while it runs: the repository's deploy key (0600),
/// the host keys it trusts, an ssh configuration naming them, and the program libgit2 runs for ssh,
/// in a 0700 directory beside the fetch cache. libgit2 (its "exec" transport) runs the cache's
/// <c>core.sshCommand</c> as one program with the arguments <c>-p PORT user@host "git-upload-pack
/// 'PATH'"</c>; it takes no arguments of its own, so that program is a two-line script that execs
/// OpenSSH with <c>-F</c> and passes libgit2's arguments through untouched (<c>"$@"</c>). OpenSSH then
/// reads that configuration alone: no ssh-agent, no ~/.ssh keys or config, so a project reaches only
/// what its own key opens, never what the machine's keys do. An unknown host key is accepted on the
/// first fetch and pinned from then on (<see cref="LearnedHostKeys"/>); a changed one is refused.
/// </summary>
internal sealed class SshSession : IDisposable
{
    private readonly string _directory;
    private readonly Repository _repository;

    private SshSession(string directory, Repository repository) => (_directory, _repository) = (directory, repository);

    private string KnownHostsPath => Path.Combine(_directory, "known_hosts");

    private string ErrorsPath => Path.Combine(_directory, "ssh-errors");

    /// <summary>What ssh printed on its error stream (e.g. "Host key verification failed."), for the fetch's error message.</summary>
    public string Errors => File.Exists(ErrorsPath) ? string.Join("; ", File.ReadAllLines(ErrorsPath).Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(5)) : "";

    /// <summary>The host keys after the fetch (what was pinned, plus what ssh learned on first use), or null if none.</summary>
    public string? LearnedHostKeys => File.Exists(KnownHostsPath) && new FileInfo(KnownHostsPath).Length > 0 ? File.ReadAllText(KnownHostsPath) : null;

    public static SshSession Open(Repository repository, string cachePath, SshKeyCredential key)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(key);
        if (Environment.GetEnvironmentVariable("GIT_SSH") is { Length: > 0 })
        {
            // libgit2 prefers GIT_SSH to the repository's configuration: the deploy key would be bypassed.
            throw new InvalidOperationException("GIT_SSH is set in the platform's environment; unset it: it would replace the repository's own deploy key with the machine's");
        }

        var directory = $"{cachePath}.ssh-{Guid.NewGuid().ToString("N")[..8]}";
        if (directory.Any(c => c is '\'' or '"' or '\\' or '%' || char.IsControl(c)))
        {
            throw new InvalidOperationException($"the data directory's path '{Path.GetDirectoryName(cachePath)}' has a quote, backslash, '%' or control character, which an ssh command line and configuration cannot carry");
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var session = new SshSession(directory, repository);
        try
        {
            WritePrivate(Path.Combine(directory, "key"), key.PrivateKey);
            WritePrivate(session.KnownHostsPath, key.KnownHosts ?? "");
            WritePrivate(Path.Combine(directory, "config"), string.Join('\n',
                "Host *",
                $"  IdentityFile \"{Path.Combine(directory, "key")}\"",
                "  IdentitiesOnly yes",
                "  IdentityAgent none",
                "  AddKeysToAgent no",
                $"  UserKnownHostsFile \"{session.KnownHostsPath}\"",
                "  GlobalKnownHostsFile /dev/null",
                "  StrictHostKeyChecking accept-new",
                "  HashKnownHosts no",
                "  BatchMode yes",
                "  PasswordAuthentication no",
                "  KbdInteractiveAuthentication no",
                "  ConnectTimeout 30",
                "  LogLevel ERROR",
                ""));

            var program = Path.Combine(directory, "ssh");
            WritePrivate(program, $"#!/bin/sh\n# paas: OpenSSH with one repository's deploy key and host keys, for one fetch or push.\nexec '{Ssh()}' -F '{Path.Combine(directory, "config")}' \"$@\" 2>>'{session.ErrorsPath}'\n", executable: true);
            repository.Config.Set("core.sshCommand", program, ConfigurationLevel.Local);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            _repository.Config.Unset("core.sshCommand", ConfigurationLevel.Local);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>OpenSSH's client on the PATH: ssh:// repositories need it (the openssh-client package).</summary>
    private static string Ssh() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "ssh"))
            .FirstOrDefault(p => File.Exists(p) && !p.Any(c => c is '\'' || char.IsControl(c)))
        ?? throw new InvalidOperationException("ssh:// repositories are fetched with OpenSSH's client, and no 'ssh' is on the PATH (Debian: apt install openssh-client)");

    private static void WritePrivate(string path, string text, bool executable = false)
    {
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | (executable ? UnixFileMode.UserExecute : 0),
        });
        using var writer = new StreamWriter(file);
        writer.Write(text);
    }
}
