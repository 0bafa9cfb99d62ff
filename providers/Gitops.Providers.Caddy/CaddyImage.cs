using System.Diagnostics;
using System.Security.Cryptography;
using Docker.DotNet;
using Gitops.Providers.Docker;

namespace Gitops.Providers.Caddy;

/// <summary>
/// The image of the ingress container when platform.yaml names none. No registry is needed: it is
/// made from this machine's Caddy (Debian's <c>caddy</c>), the shared libraries it loads and the
/// CA bundle ACME needs, and tagged by the hash of the binary, so a Caddy upgrade makes a new image.
/// </summary>
internal static class CaddyImage
{
    private const string CaBundle = "/etc/ssl/certs/ca-certificates.crt";
    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101;
    private const UnixFileMode Readable = (UnixFileMode)0b110_100_100;

    public static async Task<string> EnsureAsync(DockerClient client, IProgress<string> log, CancellationToken cancellationToken)
    {
        if (!File.Exists(CaddyProcess.Binary))
        {
            throw new InvalidOperationException($"the ingress container needs an image: name one in platform.yaml (ingress.image) or install Caddy ({CaddyProcess.Binary} is missing): apt-get install caddy");
        }

        var binary = await File.ReadAllBytesAsync(CaddyProcess.Binary, cancellationToken).ConfigureAwait(false);
        var tag = $"localhost/paas-caddy:{Convert.ToHexStringLower(SHA256.HashData(binary))[..12]}";
        if (await ImageBuilder.ExistsAsync(client, tag, cancellationToken).ConfigureAwait(false))
        {
            return tag;
        }

        log.Report($"making {tag} from {CaddyProcess.Binary}");
        var files = new List<(string Name, byte[] Content, UnixFileMode Mode)> { ("caddy", binary, Executable) };
        var dockerfile = new System.Text.StringBuilder("FROM scratch\nCOPY caddy /usr/bin/caddy\n");
        foreach (var (library, index) in SharedLibraries(CaddyProcess.Binary).Select((l, i) => (l, i)))
        {
            var name = $"lib{index}";
            files.Add((name, await File.ReadAllBytesAsync(library, cancellationToken).ConfigureAwait(false), Executable));
            dockerfile.Append($"COPY {name} {library}\n");
        }

        if (File.Exists(CaBundle))
        {
            files.Add(("ca.crt", await File.ReadAllBytesAsync(CaBundle, cancellationToken).ConfigureAwait(false), Readable));
            dockerfile.Append($"COPY ca.crt {CaBundle}\n");
        }

        files.Add(("Dockerfile", System.Text.Encoding.UTF8.GetBytes(dockerfile.ToString()), Readable));
        using var context = BuildContext.FromMemory(files);
        await ImageBuilder.BuildAsync(client, context, tag, log, cancellationToken).ConfigureAwait(false);
        return tag;
    }

    /// <summary>The absolute paths the dynamic loader resolves for <paramref name="binary"/>, the loader included (from <c>ldd</c>).</summary>
    private static List<string> SharedLibraries(string binary)
    {
        var start = new ProcessStartInfo("ldd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(binary);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ldd did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            // A static binary: "not a dynamic executable".
            return [];
        }

        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"; the vDSO has no file.
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Contains("=>", StringComparison.Ordinal) ? line[(line.IndexOf("=>", StringComparison.Ordinal) + 2)..].Trim() : line)
            .Select(line => line.Split(' ')[0])
            .Where(path => path.StartsWith('/') && File.Exists(path))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
