using System.Diagnostics;
using System.Net.Sockets;

namespace Gitops.IntegrationTests;

/// <summary>
/// A private Git host over SSH for one test: a real OpenSSH server (<c>sshd -D</c>) on a loopback
/// port with a host key of its own, accepting only the public keys it is given; Git's own
/// <c>git-upload-pack</c> and <c>git-receive-pack</c> answer through it. Needs the openssh-server
/// package (scripts/setup-engines.sh installs it) and root, as the platform's tests run.
/// </summary>
internal sealed class SshGitServer : IDisposable
{
    private const string Sshd = "/usr/sbin/sshd";
    private readonly string _directory;
    private Process _process;

    private SshGitServer(string directory, int port, Process process) => (_directory, Port, _process) = (directory, port, process);

    public int Port { get; }

    /// <summary>The host's public key as a known_hosts line (<c>[127.0.0.1]:PORT ssh-ed25519 AAAA…</c>).</summary>
    public string KnownHostsLine => $"[127.0.0.1]:{Port} {File.ReadAllText(Path.Combine(_directory, "host_key.pub")).Trim()}";

    /// <summary>The ssh:// URL of a bare repository on this machine, served through this server.</summary>
    public string Url(string bareRepository) => $"ssh://{Environment.UserName}@127.0.0.1:{Port}{bareRepository}";

    /// <summary>Starts a server that accepts the given public keys (authorized_keys lines).</summary>
    public static SshGitServer Start(string directory, params string[] authorizedKeys)
    {
        if (!File.Exists(Sshd))
        {
            Engines.Require($"{Sshd} is missing (the openssh-server package)");
        }

        Directory.CreateDirectory(directory);
        Directory.CreateDirectory("/run/sshd"); // privilege separation directory; a fresh machine without systemd lacks it
        File.WriteAllLines(Path.Combine(directory, "authorized_keys"), authorizedKeys);
        var port = FreePort.Next();
        File.WriteAllText(Path.Combine(directory, "sshd_config"), string.Join('\n',
            $"ListenAddress 127.0.0.1:{port}",
            $"HostKey {Path.Combine(directory, "host_key")}",
            $"AuthorizedKeysFile {Path.Combine(directory, "authorized_keys")}",
            $"PidFile {Path.Combine(directory, "sshd.pid")}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            ""));
        NewHostKey(directory);
        return new SshGitServer(directory, port, Launch(directory, port));
    }

    /// <summary>Makes an ed25519 key pair without a passphrase; returns (private key text, public key line).</summary>
    public static (string PrivateKey, string PublicKey) NewKey(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path);
        return (File.ReadAllText(path), File.ReadAllText(path + ".pub").Trim());
    }

    /// <summary>Restarts the server on the same port with a new host key: what a man in the middle, or a rebuilt host, looks like.</summary>
    public void ChangeHostKey()
    {
        Stop();
        File.Delete(Path.Combine(_directory, "host_key"));
        File.Delete(Path.Combine(_directory, "host_key.pub"));
        NewHostKey(_directory);
        _process = Launch(_directory, Port);
    }

    public void Dispose() => Stop();

    private void Stop()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static void NewHostKey(string directory) => Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(directory, "host_key"));

    private static Process Launch(string directory, int port)
    {
        var start = new ProcessStartInfo(Sshd) { ArgumentList = { "-D", "-e", "-f", Path.Combine(directory, "sshd_config") }, RedirectStandardError = true, RedirectStandardOutput = true };
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new TcpClient("127.0.0.1", port);
                return process;
            }
            catch (SocketException) when (!process.HasExited)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"sshd did not listen on 127.0.0.1:{port} (exited: {process.HasExited})");
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {error}");
        }
    }
}
