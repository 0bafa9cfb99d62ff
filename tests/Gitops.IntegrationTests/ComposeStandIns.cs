using System.Text;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gitops.Providers.Docker;
using Gitops.Schema.Model;

namespace Gitops.IntegrationTests;

/// <summary>
/// The images a Compose file names, made on the engine under those names, since these machines
/// reach no registry. Each is a stand-in built from busybox:1.36, not the project's real image:
/// whatever command it is given, it serves HTTP on every port its services use (their port:, an
/// HTTP check's port, a port a check command connects to), with a page at each health path, and
/// every program a check command runs that busybox lacks (pg_isready, redis-cli, mc…) exists and
/// answers as a healthy server does (exit 0, printing 0: "no failures"). So a deploy proves what
/// the imported paas.yaml says (image names, ports, routes, health checks, volumes, users,
/// secrets, dependencies) is accepted and runs on Docker, not that the real apps start.
/// An image of the same name that was already there (a real one) gets its name back afterwards.
/// </summary>
internal sealed partial class ComposeStandIns(DockerClient client) : IAsyncDisposable
{
    private const string Label = "paas.test.stand-in";

    /// <summary>Programs the stand-in's busybox has: a check that runs them runs the real thing.</summary>
    private static readonly HashSet<string> Busybox = new(StringComparer.Ordinal) { "sh", "echo", "grep", "ps", "nc", "wget", "test", "[", "exit", "false", "true", "sleep", "cat" };

    private readonly List<(string Image, string? Previous)> _made = [];

    public async Task MakeAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        foreach (var group in manifest.Services.Values.Where(s => s.Image is not null).GroupBy(s => s.Image!, StringComparer.Ordinal))
        {
            var previous = await ImageIdAsync(group.Key, cancellationToken);
            using var context = BuildContext.FromMemory(Files(group.Key, group.ToList()));
            await ImageBuilder.BuildAsync(client, context, group.Key, new Progress<string>(), cancellationToken, labels: new Dictionary<string, string> { [Label] = "compose-import" });
            if (!await ImageBuilder.ExistsAsync(client, group.Key, cancellationToken))
            {
                throw new InvalidOperationException($"the stand-in for {group.Key} was not built");
            }

            _made.Add((group.Key, previous));
        }
    }

    /// <summary>The id of a real image of that name already there (not an earlier run's stand-in), to give its name back.</summary>
    private async Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var found = await client.Images.InspectImageAsync(image, cancellationToken);
            return found.Config?.Labels?.ContainsKey(Label) == true ? null : found.ID;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    private static List<(string Name, byte[] Content, UnixFileMode Mode)> Files(string image, List<Service> services)
    {
        const UnixFileMode Readable = (UnixFileMode)0b110_100_100;
        const UnixFileMode Executable = (UnixFileMode)0b111_101_101;
        var ports = new SortedSet<int>();
        var pages = new SortedSet<string>(StringComparer.Ordinal) { "/index.html" };
        var programs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (service.Port is { } port)
            {
                ports.Add(port);
            }

            if (service.Health is not { } health)
            {
                continue;
            }

            if (health.Command is { } command)
            {
                var words = command[0] is "/bin/sh" or "sh" && command.Count == 3 && command[1] == "-c" ? Programs(command[2]) : [command[0]];
                programs.UnionWith(words.Where(w => !Busybox.Contains(w.Split('/')[^1])));
                ports.UnionWith(string.Join(' ', command).Split(' ', '"', '\'').Select(t => int.TryParse(t, out var n) && n is > 0 and < 65536 ? n : 0).Where(n => n > 0));
            }
            else
            {
                ports.Add(health.Port ?? service.Port ?? 80);
                var path = health.Path.Split('?')[0];
                pages.Add(path.EndsWith('/') ? $"{path}index.html" : path);
            }
        }

        var dockerfile = new StringBuilder($"# paas import's deploy test: a stand-in for {image}\nFROM busybox:1.36\nENV PATH=/usr/local/bin:/bin:/usr/bin\n");
        var files = new List<(string, byte[], UnixFileMode)>
        {
            ("page", Encoding.UTF8.GetBytes($"stand-in for {image}\n"), Readable),
            ("program", "#!/bin/sh\necho 0\n"u8.ToArray(), Executable),
            ("stand-in.sh", Encoding.UTF8.GetBytes($"#!/bin/sh\nfor port in {string.Join(' ', ports)}; do httpd -p \"$port\" -h /www; done\nexec sleep 2147483647\n"), Executable),
        };
        foreach (var page in pages)
        {
            dockerfile.Append($"COPY page /www{page}\n");
        }

        foreach (var program in programs)
        {
            dockerfile.Append($"COPY program {(program.StartsWith('/') ? program : $"/usr/local/bin/{program}")}\n");
        }

        dockerfile.Append("COPY stand-in.sh /stand-in.sh\nENTRYPOINT [\"/stand-in.sh\"]\n");
        files.Add(("Dockerfile", Encoding.UTF8.GetBytes(dockerfile.ToString()), Readable));
        return files;
    }

    /// <summary>The programs a shell line runs: first words of its commands and of $( ) substitutions.</summary>
    private static IEnumerable<string> Programs(string line) =>
        CommandWord().Matches(line).Select(m => m.Groups[1].Value).Where(w => w.Length > 0 && !w.Contains('=', StringComparison.Ordinal));

    [GeneratedRegex(@"(?:^|[;&|(]|\$\()\s*([A-Za-z0-9_./\[-]+)")]
    private static partial Regex CommandWord();

    public async ValueTask DisposeAsync()
    {
        foreach (var (image, previous) in _made)
        {
            try
            {
                await client.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
            }
            catch (DockerImageNotFoundException)
            {
                // already gone
            }

            if (previous is not null)
            {
                var colon = image.LastIndexOf(':');
                var (repository, tag) = colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
                await client.Images.TagImageAsync(previous, new ImageTagParameters { RepositoryName = repository, Tag = tag });
            }
        }
    }
}
